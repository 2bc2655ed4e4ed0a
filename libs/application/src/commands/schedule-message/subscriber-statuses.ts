import type { MikroORM } from '@mikro-orm/postgresql';
import type { RecipientStatus } from '../../../../domain/src/scheduled-message';
import { InFlightBatcher } from '../../../../event-store/src/in-flight-batcher';

/** Ids looked up together at most in one query. */
const MAX_IDS = 5000;

/**
 * The subscribers' statuses for the recipients of a message being scheduled, read from the
 * subscribers view. Lookups that arrive while one query is in flight go together in the next
 * query (one round trip for all), as appends do in the event store: under load, each request
 * would otherwise pay a round trip of its own.
 */
export class SubscriberStatuses {
  private readonly lookups: InFlightBatcher<readonly string[], Row[]>;

  constructor(orm: MikroORM) {
    this.lookups = new InFlightBatcher<readonly string[], Row[]>(
      async (lookups) => {
        const ids = [...new Set(lookups.flat())];
        const rows = await orm.em
          .fork()
          .execute<Row[]>(
            'SELECT user_id, status FROM subscribers WHERE user_id = ANY(?::uuid[])',
            [`{${ids.join(',')}}`],
          );
        return lookups.map(() => ({ status: 'fulfilled', value: rows }));
      },
      { max: MAX_IDS, weight: (ids) => ids.length },
    );
  }

  /** The status of each id that is a subscriber (ids must be UUIDs). */
  async of(ids: readonly string[]): Promise<Map<string, RecipientStatus>> {
    if (ids.length === 0) return new Map();
    const rows = await this.lookups.run(ids);
    const wanted = new Set(ids);
    return new Map(
      rows.filter((row) => wanted.has(row.user_id)).map((row) => [row.user_id, row.status]),
    );
  }
}

interface Row {
  user_id: string;
  status: RecipientStatus;
}
