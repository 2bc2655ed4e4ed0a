import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { schemaVersionOf, upcast } from '../../domain/src/event-schema';
import {
  type DomainEvent,
  type DomainEventType,
  subscriberStreamId,
} from '../../domain/src/events';
import { InFlightBatcher } from './in-flight-batcher';
import { multiStatementText, type SqlStatement } from './sql-text';
import {
  type AppendOptions,
  type AppendResult,
  ChatAlreadyHeldError,
  TopicNameTakenError,
  DuplicateEventIdError,
  type EventMetadata,
  type EventStore,
  LOG_START,
  type LogCheckpoint,
  type NewEvent,
  type StoredEvent,
  type StreamPage,
  StreamVersionConflictError,
} from './event-store';

/** An event as it is being appended: its position and recorded time are not known yet. */
export type AppendingEvent = DomainEvent & { readonly eventId: string; readonly streamId: string };

/**
 * The read-model writes for the events of an append. They run after the events' insert in the
 * same transaction (one round trip: a multi-statement query is one implicit transaction), so
 * the read models are never behind the log. A statement reads its event's position and recorded
 * time from the events table by event id; when the append inserted nothing (a version conflict),
 * it finds no event and writes nothing.
 */
export type InlineProjection = (events: readonly AppendingEvent[]) => SqlStatement[];

interface EventRow {
  position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  /** ISO 8601, as Postgres renders a timestamptz in JSON. */
  recorded_at: string;
}

const COLUMNS = `position, transaction_id::text AS transaction_id, event_id, stream_id, stream_version,
  type, schema_version, data, metadata, to_json(recorded_at) #>> '{}' AS recorded_at`;

export class PostgresEventStore implements EventStore {
  private readonly commits: InFlightBatcher<readonly SqlStatement[], EventRow[]>;

  constructor(
    private readonly orm: MikroORM,
    private readonly inlineProjection: InlineProjection = () => [],
    /** Told of every append once committed (for metrics); not of a retry that changed nothing. */
    private readonly onCommitted: (events: readonly StoredEvent[]) => void = () => undefined,
  ) {
    this.commits = groupCommit(orm);
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('Nothing to append');
    const prepared = events.map((event) => ({ ...event, eventId: event.eventId ?? randomUUID() }));
    const ids = prepared.map((event) => event.eventId);
    try {
      // One round trip: the insert, which reads the stream's version, checks it and inserts the
      // events, then the read-model writes, in one implicit transaction. A concurrent append to
      // the stream that commits first makes this one fail on events_stream_version_unique; a
      // retry of an append already stored fails the version check or events_event_id_unique.
      // Both are sorted out below.
      const expected = options.expectedVersion;
      const guard =
        expected === 'any'
          ? 'true'
          : `current.version = ${expected === 'no_stream' ? 0 : '?::int'}`;
      const values = prepared.map(() => '(?::uuid, ?::int, ?, ?::int, ?::jsonb)').join(', ');
      const insert: SqlStatement = {
        sql: `WITH current AS (
                SELECT coalesce(max(stream_version), 0)::int AS version FROM events WHERE stream_id = ?)
              INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata)
              SELECT v.event_id, ?, current.version + v.n, v.type, v.schema_version, v.data, ?::jsonb
                FROM current, (VALUES ${values}) AS v (event_id, n, type, schema_version, data)
               WHERE ${guard}
               ORDER BY v.n
              RETURNING ${COLUMNS}`,
        params: [
          streamId,
          streamId,
          JSON.stringify(options.metadata),
          ...prepared.flatMap((event, index) => [
            event.eventId,
            index + 1,
            event.type,
            schemaVersionOf(event.type),
            JSON.stringify(event.data),
          ]),
          ...(typeof expected === 'number' ? [expected] : []),
        ],
      };
      const statements = [
        insert,
        ...this.inlineProjection(prepared.map((event) => ({ ...event, streamId }))),
      ];
      const rows = await this.commits.run(statements);
      if (rows.length === 0) throw new StreamVersionConflictError(streamId, expected, -1);
      const stored = rows.map(toStoredEvent).sort((a, b) => a.streamVersion - b.streamVersion);
      const result: AppendResult = {
        events: stored,
        streamVersion: stored.at(-1)!.streamVersion,
        alreadyStored: false,
      };
      this.onCommitted(result.events);
      return result;
    } catch (error) {
      // The subscribers read model's unique index holds the rule: one chat, one subscription.
      if (isUniqueViolation(error, 'subscribers_active_chat_id')) {
        throw new ChatAlreadyHeldError(heldChatOf(prepared) ?? 'unknown');
      }
      if (isUniqueViolation(error, 'topics_active_name')) throw new TopicNameTakenError();
      const collided =
        error instanceof StreamVersionConflictError ||
        isUniqueViolation(error, 'events_event_id_unique') ||
        isUniqueViolation(error, 'events_stream_version_unique');
      if (!collided) throw error;
      // Another append committed first: either this same append, stored before (a retry: its
      // ids are there), or a different one that took the version before us.
      const em = this.orm.em.fork();
      const known = await this.findByIds(em, ids);
      const version = await this.version(em, streamId);
      if (known.length > 0) return this.retried(streamId, ids, known, version);
      throw new StreamVersionConflictError(streamId, options.expectedVersion, version);
    }
  }

  async readStream(streamId: string, page?: StreamPage): Promise<StoredEvent[]> {
    const rows = await this.orm.em.fork().execute<EventRow[]>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND stream_version > ?
          ORDER BY stream_version ${page ? 'LIMIT ?' : ''}`,
      page ? [streamId, page.afterVersion, page.limit] : [streamId, 0],
    );
    return rows.map(toStoredEvent);
  }

  async readStreams(
    streamIds: readonly string[],
    afterVersions?: ReadonlyMap<string, number>,
  ): Promise<ReadonlyMap<string, readonly StoredEvent[]>> {
    const streams = new Map<string, StoredEvent[]>(streamIds.map((streamId) => [streamId, []]));
    if (streamIds.length === 0) return streams;
    // One index range per stream (stream_id, versions after the one given), walked in a lateral
    // join, where `IN (SELECT …)` may scan the table.
    const rows = await this.orm.em.fork().execute<EventRow[]>(
      `SELECT read.* FROM jsonb_to_recordset(?::jsonb) AS wanted (stream_id text, after_version int)
        CROSS JOIN LATERAL (
          SELECT ${COLUMNS} FROM events
           WHERE events.stream_id = wanted.stream_id AND events.stream_version > wanted.after_version
           ORDER BY events.stream_version) AS read
        ORDER BY read.stream_id, read.stream_version`,
      [
        JSON.stringify(
          [...streams.keys()].map((streamId) => ({
            stream_id: streamId,
            after_version: afterVersions?.get(streamId) ?? 0,
          })),
        ),
      ],
    );
    for (const row of rows) streams.get(row.stream_id)?.push(toStoredEvent(row));
    return streams;
  }

  async readAll(
    after: LogCheckpoint,
    limit: number,
    filter: { readonly types?: readonly string[] } = {},
  ): Promise<StoredEvent[]> {
    const types = filter.types;
    // Only transactions older than the oldest one still running: every one of them has
    // committed or aborted, so nothing can later appear before what this returns.
    const rows = await this.orm.em.fork().execute<EventRow[]>(
      `SELECT ${COLUMNS} FROM events
        WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          AND (transaction_id, position) > (?::xid8, ?::bigint)
          ${types ? `AND type IN (${types.map(() => '?').join(', ') || 'NULL'})` : ''}
        ORDER BY events.transaction_id, events.position
        LIMIT ?`,
      [after.transactionId, after.position, ...(types ?? []), limit],
    );
    return rows.map(toStoredEvent);
  }

  async readLatest(types: readonly string[], limit: number): Promise<StoredEvent[]> {
    if (types.length === 0) return [];
    const rows = await this.orm.em.fork().execute<EventRow[]>(
      `SELECT ${COLUMNS} FROM events
        WHERE type IN (${types.map(() => '?').join(', ')})
        ORDER BY position DESC
        LIMIT ?`,
      [...types, limit],
    );
    return rows.map(toStoredEvent);
  }

  async readStreamsOfType(
    streamIds: readonly string[],
    types: readonly string[],
  ): Promise<StoredEvent[]> {
    if (streamIds.length === 0 || types.length === 0) return [];
    const rows = await this.orm.em.fork().execute<EventRow[]>(
      `SELECT ${COLUMNS} FROM events
        WHERE stream_id IN (${streamIds.map(() => '?').join(', ')})
          AND type IN (${types.map(() => '?').join(', ')})
        ORDER BY position`,
      [...streamIds, ...types],
    );
    return rows.map(toStoredEvent);
  }

  async checkpointAt(position: number): Promise<LogCheckpoint | null> {
    const [row] = await this.orm.em
      .fork()
      .execute<{ transaction_id: string }[]>(
        'SELECT transaction_id::text AS transaction_id FROM events WHERE position = ?',
        [position],
      );
    return row ? { transactionId: row.transaction_id, position } : null;
  }

  /**
   * Every committed event after the checkpoint, in log order, without waiting for older
   * transactions. Correct only inside a transaction holding `LOCK TABLE events IN EXCLUSIVE MODE`:
   * then no append is in flight, and nothing can commit before what this returns.
   */
  async readAllWhileLocked(
    em: EntityManager,
    after: LogCheckpoint,
    limit: number,
  ): Promise<StoredEvent[]> {
    const rows = await em.execute<EventRow[]>(
      `SELECT ${COLUMNS} FROM events
        WHERE (transaction_id, position) > (?::xid8, ?::bigint)
        ORDER BY events.transaction_id, events.position
        LIMIT ?`,
      [after.transactionId, after.position, limit],
    );
    return rows.map(toStoredEvent);
  }

  /**
   * Events matching a condition on the events table's columns, in log order: for audit queries
   * that cut across streams. The condition is the caller's SQL; values go in `params`.
   */
  /**
   * A subscriber's events and every message event that names them (scheduled for them, a part
   * sent to them, their outcome), in log order: the subscriber's audit timeline.
   */
  async readNamingSubscriber(userId: string): Promise<StoredEvent[]> {
    const rows = await this.orm.em.fork().execute<EventRow[]>(
      `SELECT ${COLUMNS} FROM events
        WHERE stream_id = ?
           OR (type = 'MessageScheduled' AND jsonb_exists(data->'recipients', ?))
           OR (type IN ('RecipientPartSent', 'RecipientDelivered', 'RecipientDeliveryFailed')
               AND data->>'userId' = ?)
        ORDER BY events.transaction_id, events.position`,
      [subscriberStreamId(userId), userId, userId],
    );
    return rows.map(toStoredEvent);
  }

  /** Every subscriber a chat has been, by the log: subscribed with it, or moved to or from it. */
  async subscribersOfChat(chatId: string): Promise<string[]> {
    const rows = await this.orm.em.fork().execute<{ user_id: string }[]>(
      `SELECT DISTINCT data->>'userId' AS user_id FROM events
        WHERE type IN ('UserSubscribed', 'UserChatMigrated')
          AND (data->>'chatId' = ? OR data->>'toChatId' = ? OR data->>'fromChatId' = ?)`,
      [chatId, chatId, chatId],
    );
    return rows.map((row) => row.user_id);
  }

  /** The place after the last event readAll can return now: where a live follower starts. */
  async endOfLog(): Promise<LogCheckpoint> {
    const [row] = await this.orm.em.fork().execute<{ transaction_id: string; position: string }[]>(
      `SELECT transaction_id::text AS transaction_id, position FROM events
        WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY events.transaction_id DESC, events.position DESC LIMIT 1`,
    );
    return row ? { transactionId: row.transaction_id, position: Number(row.position) } : LOG_START;
  }

  private async version(em: EntityManager, streamId: string): Promise<number> {
    const [row] = await em.execute<{ version: number }[]>(
      'SELECT coalesce(max(stream_version), 0)::int AS version FROM events WHERE stream_id = ?',
      [streamId],
    );
    return row?.version ?? 0;
  }

  private async findByIds(em: EntityManager, ids: readonly string[]): Promise<StoredEvent[]> {
    const rows = await em.execute<EventRow[]>(
      `SELECT ${COLUMNS} FROM events WHERE event_id IN (${ids.map(() => '?::uuid').join(', ')})
        ORDER BY position`,
      [...ids],
    );
    return rows.map(toStoredEvent);
  }

  private retried(
    streamId: string,
    ids: readonly string[],
    known: readonly StoredEvent[],
    version: number,
  ): AppendResult {
    const sameAppend =
      known.length === ids.length && known.every((event) => event.streamId === streamId);
    if (!sameAppend) throw new DuplicateEventIdError(known.map((event) => event.eventId));
    return { events: known, streamVersion: version, alreadyStored: true };
  }
}

/** Appends batched together at most: a batch is one query, its statements one transaction. */
const MAX_BATCH = 32;

/**
 * Group commit: appends that arrive while another's query is in flight go together in the next
 * query, one implicit transaction (InFlightBatcher). When a batch fails (one append's conflict or
 * duplicate, a lost connection), the whole transaction is rolled back, and each of its appends is
 * run again on its own, for its own outcome.
 */
function groupCommit(orm: MikroORM): InFlightBatcher<readonly SqlStatement[], EventRow[]> {
  /** The rows each statement returned. */
  const query = async (statements: readonly SqlStatement[]): Promise<EventRow[][]> => {
    const results = await orm.em
      .fork()
      .execute<EventRow[] | EventRow[][]>(multiStatementText(statements), [], 'all');
    // One statement answers with its rows; several with the rows of each.
    return statements.length === 1 ? [results as EventRow[]] : (results as EventRow[][]);
  };
  return new InFlightBatcher<readonly SqlStatement[], EventRow[]>(
    async (appends) => {
      if (appends.length > 1) {
        try {
          const results = await query(appends.flat());
          let index = 0;
          return appends.map((statements) => {
            const rows = results[index]!;
            index += statements.length;
            return { status: 'fulfilled', value: rows };
          });
        } catch {
          // Rolled back as a whole: each on its own below.
        }
      }
      const outcomes: PromiseSettledResult<EventRow[]>[] = [];
      for (const statements of appends) {
        try {
          outcomes.push({ status: 'fulfilled', value: (await query(statements))[0]! });
        } catch (reason) {
          outcomes.push({ status: 'rejected', reason });
        }
      }
      return outcomes;
    },
    { max: MAX_BATCH },
  );
}

/** A row as the current code reads it: older schema versions go through their upcasters. */
function toStoredEvent(row: EventRow): StoredEvent {
  const { data, schemaVersion } = upcast(row.type as DomainEventType, row.schema_version, row.data);
  return {
    type: row.type,
    data,
    eventId: row.event_id,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    position: Number(row.position),
    transactionId: row.transaction_id,
    schemaVersion,
    metadata: row.metadata,
    recordedAt: new Date(row.recorded_at),
  } as StoredEvent<DomainEvent>;
}

/** The chat an append's subscriber events take, for the error that refuses it. */
function heldChatOf(events: readonly DomainEvent[]): string | undefined {
  for (const event of events) {
    if (event.type === 'UserSubscribed') return event.data.chatId;
    if (event.type === 'UserChatMigrated') return event.data.toChatId;
  }
  return undefined;
}

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === '23505' &&
    (error as { constraint?: unknown }).constraint === constraint
  );
}
