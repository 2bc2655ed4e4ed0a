import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { isUuid } from '../../../application/src/uuid';
import type { RecipientStatus } from '../../../domain/src/scheduled-message';
import { InFlightBatcher } from '../../../event-store/src/in-flight-batcher';
import {
  type SubscriberRecord,
  SubscriberReader,
} from '../../../application/src/ports/subscriber-reader';
import { SubscriberView } from '../subscriber.view';

/** Ids looked up together at most in one query. */
const MAX_IDS = 5000;

/** The subscribers read model (table `subscribers`). */
@Injectable()
export class PostgresSubscriberReader extends SubscriberReader {
  /**
   * Status lookups arriving while one query is in flight go together in the next query (one
   * round trip for all), as appends do in the event store: every schedule request makes one, and
   * under load each would otherwise pay a round trip of its own.
   */
  private readonly lookups: InFlightBatcher<readonly string[], StatusRow[]>;

  constructor(private readonly orm: MikroORM) {
    super();
    this.lookups = new InFlightBatcher<readonly string[], StatusRow[]>(
      async (lookups) => {
        const ids = [...new Set(lookups.flat())];
        const rows = await orm.em
          .fork()
          .execute<StatusRow[]>(
            'SELECT user_id, status FROM subscribers WHERE user_id = ANY(?::uuid[])',
            [`{${ids.join(',')}}`],
          );
        return lookups.map(() => ({ status: 'fulfilled', value: rows }));
      },
      { max: MAX_IDS, weight: (ids) => ids.length },
    );
  }

  async statuses(userIds: readonly string[]): Promise<Map<string, RecipientStatus>> {
    // An id that is not a UUID cannot be a subscriber's.
    const ids = userIds.filter(isUuid);
    if (ids.length === 0) return new Map();
    const rows = await this.lookups.run(ids);
    const wanted = new Set(ids);
    return new Map(
      rows.filter((row) => wanted.has(row.user_id)).map((row) => [row.user_id, row.status]),
    );
  }

  async byUserIds(userIds: readonly string[]): Promise<SubscriberRecord[]> {
    const ids = userIds.filter(isUuid);
    if (ids.length === 0) return [];
    return this.orm.em.fork().find(SubscriberView, { userId: { $in: ids } });
  }

  async byUserId(userId: string): Promise<SubscriberRecord | null> {
    if (!isUuid(userId)) return null;
    return this.orm.em.fork().findOne(SubscriberView, { userId });
  }

  async activeOfChat(chatId: string): Promise<SubscriberRecord | null> {
    return this.orm.em.fork().findOne(SubscriberView, { chatId, status: 'active' });
  }

  async ofChat(chatId: string): Promise<SubscriberRecord[]> {
    return this.orm.em
      .fork()
      .find(SubscriberView, { chatId }, { orderBy: { updatedAt: 'desc', userId: 'asc' } });
  }

  async active(): Promise<SubscriberRecord[]> {
    return this.orm.em
      .fork()
      .find(SubscriberView, { status: 'active' }, { orderBy: { createdAt: 'asc', userId: 'asc' } });
  }
}

interface StatusRow {
  user_id: string;
  status: RecipientStatus;
}
