import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import {
  checkpointOf,
  LOG_START,
  type LogCheckpoint,
  type StoredEvent,
} from '../../../event-store/src/event-store';
import type { PostgresEventStore } from '../../../event-store/src/postgres-event-store';
import { pendingDeadlinesProjection } from '../pending-deadlines.projection';
import type { Projection } from '../projection';
import { MemoryTables, TouchedRows } from '../projection-memory';
import { readModelsProjection } from '../read-models.projection';
import { ShadowTable } from './shadow-table';

/**
 * The projections a replay rebuilds: the read models the API serves (kept inline, in each
 * append's transaction) and the scheduler's pending deadlines (kept by its log follower, whose
 * checkpoint bears the projection's name).
 */
const REPLAYABLE = [
  { projection: readModelsProjection, follower: false },
  { projection: pendingDeadlinesProjection, follower: true },
] as const;

export const PROJECTIONS = REPLAYABLE.map(({ projection }) => projection.name);
export type ProjectionName = (typeof REPLAYABLE)[number]['projection']['name'];

export const isProjectionName = (name: string): name is ProjectionName =>
  (PROJECTIONS as readonly string[]).includes(name);

export interface ReplayProgress {
  readonly events: number;
  /** Events in the log when the replay started; more may arrive meanwhile. */
  readonly total: number;
  readonly elapsedMs: number;
}

export interface ReplayReport {
  readonly projections: readonly ProjectionName[];
  readonly events: number;
  /** The whole replay: folding the log, loading the new tables, the swap. */
  readonly durationMs: number;
  /** Folding the log in memory. */
  readonly foldMs: number;
  /** The swap alone: the time appends (and reads of the rebuilt tables) waited. */
  readonly swapMs: number;
  readonly rows: Readonly<Record<string, number>>;
}

const BATCH = 10_000;

/** One rebuilt table: the fold's rows for it, in new tables beside the live one. */
interface Rebuild {
  readonly shadow: ShadowTable;
  readonly tables: MemoryTables;
  readonly table: Projection['tables'][number];
}

/**
 * Rebuilds projections from position 0 without serving wrong data meanwhile. While the system
 * runs on, the log is folded in memory and written into new tables beside the live ones
 * (`<table>__replay`, indexed like them). Then one short transaction takes `LOCK TABLE events IN
 * EXCLUSIVE MODE` (appends wait; reading the log goes on), folds and writes the events appended
 * meanwhile, drops the live tables and renames the new ones into their place. Readers see the old
 * tables before it and the new ones after it, never a table half rebuilt. The scheduler's
 * follower loses its lease in the same transaction: a batch it has in hand rolls back, and it
 * goes on from the replay's checkpoint.
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
    const selected = REPLAYABLE.filter(({ projection }) => projections.includes(projection.name));
    const folds = selected.map(({ projection }) => new MemoryTables(projection));
    const fold = (events: readonly StoredEvent[], touched?: TouchedRows) => {
      for (const event of events) for (const tables of folds) tables.apply(event, touched);
    };

    const [counted] = await this.orm.em
      .fork()
      .execute<{ total: string }[]>('SELECT count(*) AS total FROM events');
    const total = Number(counted?.total ?? 0);
    let checkpoint: LogCheckpoint = LOG_START;
    let events = 0;
    // The next batch is read while this one is folded.
    for (let reading = this.store.readAll(checkpoint, BATCH); ;) {
      const batch = await reading;
      if (batch.length === 0) break;
      checkpoint = checkpointOf(batch.at(-1)!);
      reading = this.store.readAll(checkpoint, BATCH);
      fold(batch);
      events += batch.length;
      onProgress({ events, total, elapsedMs: Date.now() - started });
    }
    const foldMs = Date.now() - started;

    const rebuilds: Rebuild[] = folds.flatMap((tables) =>
      tables.projection.tables.map((table) => ({
        shadow: new ShadowTable(table.name),
        tables,
        table,
      })),
    );

    const rows: Record<string, number> = {};
    // The new tables load side by side, each on a connection of its own.
    await Promise.all(
      rebuilds.map((rebuild) =>
        this.orm.em.fork().transactional(async (em) => {
          await rebuild.shadow.create(em);
          rows[rebuild.shadow.table] = await rebuild.shadow.insert(
            em,
            rebuild.tables.rows(rebuild.table),
          );
          await rebuild.shadow.index(em);
        }),
      ),
    );

    const swapStarted = Date.now();
    await this.orm.em.fork().transactional(async (em) => {
      await em.execute('LOCK TABLE events IN EXCLUSIVE MODE');
      const touched = new TouchedRows();
      for (;;) {
        const tail = await this.store.readAllWhileLocked(em, checkpoint, BATCH);
        if (tail.length === 0) break;
        fold(tail, touched);
        events += tail.length;
        checkpoint = checkpointOf(tail.at(-1)!);
      }
      for (const { shadow, tables, table } of rebuilds) {
        const keys = touched.of(table);
        await shadow.replace(
          em,
          keys.map(([, key]) => key),
          keys.flatMap(([key]) => {
            const row = tables.row(table, key);
            return row ? [row] : [];
          }),
        );
      }
      // The live tables go together (a foreign key may join them); then the new take their names.
      await em.execute(`DROP TABLE ${rebuilds.map((rebuild) => rebuild.shadow.table).join(', ')}`);
      for (const rebuild of rebuilds) await rebuild.shadow.rename(em);
      for (const rebuild of rebuilds) await rebuild.shadow.addForeignKeys(em);
      for (const { projection, follower } of selected)
        if (follower) await this.handOverCheckpoint(em, projection.name, checkpoint);
    });
    const swapMs = Date.now() - swapStarted;
    const em = this.orm.em.fork();
    for (const rebuild of rebuilds) await rebuild.shadow.validateForeignKeys(em);

    onProgress({ events, total: Math.max(total, events), elapsedMs: Date.now() - started });
    return {
      projections: [...projections],
      events,
      durationMs: Date.now() - started,
      foldMs,
      swapMs,
      rows,
    };
  }

  /** The follower goes on from where the replay stopped; its lease is gone, so it takes it anew. */
  private async handOverCheckpoint(
    em: EntityManager,
    name: string,
    checkpoint: LogCheckpoint,
  ): Promise<void> {
    await em.execute(
      `INSERT INTO checkpoints (name, transaction_id, position, owner, lease_until)
       VALUES (?, ?::xid8, ?, NULL, NULL)
       ON CONFLICT (name) DO UPDATE
          SET transaction_id = excluded.transaction_id, position = excluded.position,
              owner = NULL, lease_until = NULL, updated_at = now()`,
      [name, checkpoint.transactionId, checkpoint.position],
    );
  }
}
