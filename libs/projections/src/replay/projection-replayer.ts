import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import {
  checkpointOf,
  LOG_START,
  type LogCheckpoint,
  type StoredEvent,
} from '../../../event-store/src/event-store';
import type { PostgresEventStore } from '../../../event-store/src/postgres-event-store';
import { emptyReadModels, foldPendingDeadlines, foldReadModels } from './read-model-fold';

/**
 * The projections a replay rebuilds: the read models the API serves (kept inline, in each
 * append's transaction) and the scheduler's pending deadlines (kept by its log follower).
 */
export const PROJECTIONS = ['read-models', 'scheduler-pending-deadlines'] as const;
export type ProjectionName = (typeof PROJECTIONS)[number];

export const isProjectionName = (name: string): name is ProjectionName =>
  (PROJECTIONS as readonly string[]).includes(name);

/** The scheduler follower's checkpoint row (see PendingDeadlinesFollower). */
const PENDING_DEADLINES_CHECKPOINT = 'scheduler-pending-deadlines';

export interface ReplayProgress {
  readonly events: number;
  /** Events in the log when the replay started; more may arrive meanwhile. */
  readonly total: number;
  readonly elapsedMs: number;
}

export interface ReplayReport {
  readonly projections: readonly ProjectionName[];
  readonly events: number;
  /** The whole replay: folding the log, then the swap. */
  readonly durationMs: number;
  /** The swap alone: the time appends (and reads of the rebuilt tables) waited. */
  readonly swapMs: number;
  readonly rows: Readonly<Record<string, number>>;
}

const BATCH = 10_000;
const INSERT_CHUNK = 5_000;

/**
 * Rebuilds projections from position 0 without serving wrong data meanwhile. The log is folded
 * in memory while the system runs on; then one short transaction takes `LOCK TABLE events IN
 * EXCLUSIVE MODE` (appends wait; reads of the log go on), folds the events that arrived
 * meanwhile, and replaces the tables' rows with the fold's. Readers of the rebuilt tables wait
 * for that transaction, and see the old rows before it and the new rows after it, never a table
 * half rebuilt. The scheduler's follower loses its lease in the same transaction, so a batch it
 * has in hand rolls back, and it goes on from the replay's checkpoint.
 */
export class ProjectionReplayer {
  constructor(
    private readonly orm: MikroORM,
    private readonly store: PostgresEventStore,
  ) {}

  async replay(
    projections: readonly ProjectionName[] = PROJECTIONS,
    onProgress: (progress: ReplayProgress) => void = () => undefined,
  ): Promise<ReplayReport> {
    const started = Date.now();
    const readModels = projections.includes('read-models') ? emptyReadModels() : undefined;
    const pending = projections.includes('scheduler-pending-deadlines')
      ? new Map<string, string>()
      : undefined;
    const fold = (events: readonly StoredEvent[]) => {
      for (const event of events) {
        if (readModels) foldReadModels(readModels, event);
        if (pending) foldPendingDeadlines(pending, event);
      }
    };

    const [counted] = await this.orm.em
      .fork()
      .execute<{ total: string }[]>('SELECT count(*) AS total FROM events');
    const total = Number(counted?.total ?? 0);
    let checkpoint: LogCheckpoint = LOG_START;
    let events = 0;
    for (;;) {
      const batch = await this.store.readAll(checkpoint, BATCH);
      if (batch.length === 0) break;
      fold(batch);
      events += batch.length;
      checkpoint = checkpointOf(batch.at(-1)!);
      onProgress({ events, total, elapsedMs: Date.now() - started });
    }

    const swapStarted = Date.now();
    const rows: Record<string, number> = {};
    await this.orm.em.fork().transactional(async (em) => {
      await em.execute('LOCK TABLE events IN EXCLUSIVE MODE');
      for (;;) {
        const tail = await this.store.readAllWhileLocked(em, checkpoint, BATCH);
        if (tail.length === 0) break;
        fold(tail);
        events += tail.length;
        checkpoint = checkpointOf(tail.at(-1)!);
      }
      if (readModels) {
        await em.execute('TRUNCATE message_recipients, messages, subscribers');
        rows.subscribers = await insertRows(em, 'subscribers', readModels.subscribers.values());
        rows.messages = await insertRows(em, 'messages', readModels.messages.values());
        rows.message_recipients = await insertRows(
          em,
          'message_recipients',
          readModels.recipients.values(),
        );
      }
      if (pending) {
        // The table first, then the checkpoint: the follower's own transactions lock them in
        // that order too, so the two never deadlock.
        await em.execute('TRUNCATE scheduler_pending');
        rows.scheduler_pending = await insertRows(
          em,
          'scheduler_pending',
          [...pending].map(([message_id, scheduled_at]) => ({ message_id, scheduled_at })),
        );
        await em.execute(
          `INSERT INTO checkpoints (name, transaction_id, position, owner, lease_until)
           VALUES (?, ?::xid8, ?, NULL, NULL)
           ON CONFLICT (name) DO UPDATE
              SET transaction_id = excluded.transaction_id, position = excluded.position,
                  owner = NULL, lease_until = NULL, updated_at = now()`,
          [PENDING_DEADLINES_CHECKPOINT, checkpoint.transactionId, checkpoint.position],
        );
      }
    });
    onProgress({ events, total: Math.max(total, events), elapsedMs: Date.now() - started });
    return {
      projections: [...projections],
      events,
      durationMs: Date.now() - started,
      swapMs: Date.now() - swapStarted,
      rows,
    };
  }
}

/** Writes rows (objects keyed by column name) in chunks, through the table's own row type. */
async function insertRows(
  em: EntityManager,
  table: string,
  rows: Iterable<object>,
): Promise<number> {
  let chunk: object[] = [];
  let written = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await em.execute(
      `INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, ?::jsonb)`,
      [JSON.stringify(chunk)],
    );
    written += chunk.length;
    chunk = [];
  };
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length === INSERT_CHUNK) await flush();
  }
  await flush();
  return written;
}
