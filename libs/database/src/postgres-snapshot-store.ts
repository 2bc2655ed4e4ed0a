import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { type Snapshot, SnapshotStore } from '../../application/src/ports/snapshot-store';

/** Snapshots in Postgres (table `stream_snapshots`), one per stream, the latest version kept. */
@Injectable()
export class PostgresSnapshotStore extends SnapshotStore {
  constructor(private readonly orm: MikroORM) {
    super();
  }

  async load<State>(streamId: string, shape: string): Promise<Snapshot<State> | null> {
    const [row] = await this.orm.em
      .fork()
      .execute<{ version: number; state: State }[]>(
        'SELECT version, state FROM stream_snapshots WHERE stream_id = ? AND shape = ?',
        [streamId, shape],
      );
    return row ? { version: Number(row.version), state: row.state } : null;
  }

  async loadMany<State>(
    streamIds: readonly string[],
    shape: string,
  ): Promise<ReadonlyMap<string, Snapshot<State>>> {
    const loaded = new Map<string, Snapshot<State>>();
    if (streamIds.length === 0) return loaded;
    const rows = await this.orm.em
      .fork()
      .execute<{ stream_id: string; version: number; state: State }[]>(
        `SELECT stream_id, version, state FROM stream_snapshots
        WHERE stream_id = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb))) AND shape = ?`,
        [JSON.stringify(streamIds), shape],
      );
    for (const row of rows) {
      loaded.set(row.stream_id, { version: Number(row.version), state: row.state });
    }
    return loaded;
  }

  async save<State>(streamId: string, shape: string, snapshot: Snapshot<State>): Promise<void> {
    await this.orm.em.fork().execute(
      `INSERT INTO stream_snapshots (stream_id, shape, version, state, saved_at)
       VALUES (?, ?, ?, ?::jsonb, now())
       ON CONFLICT (stream_id) DO UPDATE
         SET shape = excluded.shape, version = excluded.version, state = excluded.state,
             saved_at = excluded.saved_at
       WHERE stream_snapshots.version < excluded.version OR stream_snapshots.shape <> excluded.shape`,
      [streamId, shape, snapshot.version, JSON.stringify(snapshot.state)],
    );
  }
}
