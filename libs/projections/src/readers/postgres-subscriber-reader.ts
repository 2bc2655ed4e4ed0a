import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import {
  type SubscriberRecord,
  SubscriberReader,
  type SubscriberPlace,
} from '../../../application/src/ports/subscriber-reader';
import { isUuid } from '../../../application/src/uuid';
import type { RecipientStatus } from '../../../domain/src/scheduled-message';
import type { Audience } from '../../../domain/src/events';
import { InFlightBatcher } from '../../../event-store/src/in-flight-batcher';
import type { SubscriberRow } from '../read-models.projection';

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
  /** Whole records by id, batched the same way: delivery reads its recipients' for every message. */
  private readonly records: InFlightBatcher<readonly string[], SubscriberRecord[]>;

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
    this.records = new InFlightBatcher<readonly string[], SubscriberRecord[]>(
      async (lookups) => {
        const ids = [...new Set(lookups.flat())];
        const byId = new Map(
          (await this.select('user_id = ANY(?::uuid[])', [`{${ids.join(',')}}`])).map((record) => [
            record.userId,
            record,
          ]),
        );
        return lookups.map((wanted) => ({
          status: 'fulfilled',
          value: [...new Set(wanted)].flatMap((id) => byId.get(id) ?? []),
        }));
      },
      { max: MAX_IDS, weight: (ids) => ids.length, concurrency: 2 },
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

  async timeZones(userIds: readonly string[]): Promise<Map<string, string>> {
    const ids = [...new Set(userIds.filter(isUuid))];
    if (ids.length === 0) return new Map();
    const rows = await this.orm.em
      .fork()
      .execute<{ user_id: string; time_zone: string }[]>(
        'SELECT user_id, time_zone FROM subscribers WHERE user_id = ANY(?::uuid[]) AND time_zone IS NOT NULL',
        [`{${ids.join(',')}}`],
      );
    return new Map(rows.map((row) => [row.user_id, row.time_zone]));
  }

  async byUserIds(userIds: readonly string[]): Promise<SubscriberRecord[]> {
    const ids = userIds.filter(isUuid);
    if (ids.length === 0) return [];
    return this.records.run(ids);
  }

  async byUserId(userId: string): Promise<SubscriberRecord | null> {
    if (!isUuid(userId)) return null;
    const [found] = await this.select('user_id = ?', [userId]);
    return found ?? null;
  }

  async activeOfChat(chatId: string): Promise<SubscriberRecord | null> {
    const [found] = await this.select("chat_id = ? AND status = 'active'", [chatId]);
    return found ?? null;
  }

  async ofChat(chatId: string): Promise<SubscriberRecord[]> {
    return this.select('chat_id = ? ORDER BY updated_at DESC, user_id', [chatId]);
  }

  async active(): Promise<SubscriberRecord[]> {
    return this.select("status = 'active' ORDER BY created_at, user_id", []);
  }

  async search(
    filter: { readonly status?: 'active' | 'unsubscribed'; readonly text?: string },
    limit: number,
    after: SubscriberPlace | null,
  ): Promise<{ items: SubscriberRecord[]; next: SubscriberPlace | null }> {
    const conditions: string[] = ['true'];
    const params: unknown[] = [];
    if (filter.status) {
      conditions.push('s.status = ?');
      params.push(filter.status);
    }
    if (filter.text) {
      // The text is matched as it is: LIKE's wildcards in it are escaped.
      const pattern = `%${filter.text.replace(/[\\%_]/g, (wildcard) => `\\${wildcard}`)}%`;
      conditions.push(
        `(s.chat_name ILIKE ? OR s.first_name ILIKE ? OR s.last_name ILIKE ? OR s.username ILIKE ?
          OR s.user_id::text ILIKE ? OR s.chat_id ILIKE ?)`,
      );
      params.push(pattern, pattern, pattern, pattern, pattern, pattern);
    }
    if (after) {
      conditions.push('(s.created_at, s.user_id) > (?::timestamptz, ?::uuid)');
      params.push(after.createdAt, after.userId);
    }
    // One more than asked: whether there is a next page, without a count.
    const rows = await this.orm.em.fork().execute<{ row: SubscriberRow; place: string }[]>(
      `SELECT to_jsonb(s) AS row,
              to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS place
         FROM subscribers s WHERE ${conditions.join(' AND ')}
        ORDER BY s.created_at, s.user_id LIMIT ?`,
      [...params, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(({ row }) => subscriberRecordOf(row)),
      next:
        rows.length > limit && last ? { createdAt: last.place, userId: last.row.user_id } : null,
    };
  }

  async activeIn(audience: Audience, after: string | null, limit: number): Promise<string[]> {
    const page = `${after === null ? '' : 'AND s.user_id > ?::uuid'} ORDER BY s.user_id LIMIT ?`;
    const rows =
      audience.kind === 'all'
        ? await this.orm.em
            .fork()
            .execute<{ user_id: string }[]>(
              `SELECT s.user_id FROM subscribers s WHERE s.status = 'active' ${page}`,
              [...(after === null ? [] : [after]), limit],
            )
        : await this.orm.em.fork().execute<{ user_id: string }[]>(
            `SELECT s.user_id FROM subscribers s
              WHERE s.status = 'active'
                AND EXISTS (SELECT 1 FROM topic_members m
                             WHERE m.user_id = s.user_id AND m.topic_id = ANY(?::uuid[]))
                ${page}`,
            [
              `{${audience.topics.map((topic) => topic.id).join(',')}}`,
              ...(after === null ? [] : [after]),
              limit,
            ],
          );
    return rows.map((row) => row.user_id);
  }

  private async select(where: string, params: unknown[]): Promise<SubscriberRecord[]> {
    const rows = await this.orm.em
      .fork()
      .execute<{ row: SubscriberRow }[]>(
        `SELECT to_jsonb(s) AS row FROM subscribers s WHERE ${where}`,
        params,
      );
    return rows.map(({ row }) => subscriberRecordOf(row));
  }
}

export function subscriberRecordOf(row: SubscriberRow): SubscriberRecord {
  return {
    userId: row.user_id,
    chatId: row.chat_id,
    chatName: row.chat_name,
    firstName: row.first_name ?? null,
    lastName: row.last_name ?? null,
    username: row.username ?? null,
    chatType: row.chat_type ?? null,
    status: row.status,
    unsubscribeReason: row.unsubscribe_reason,
    timeZone: row.time_zone ?? null,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

interface StatusRow {
  user_id: string;
  status: RecipientStatus;
}
