import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { LOG_START, type LogCheckpoint } from './event-store';

/** The bot's polling lease, kept in the same table: a lease, not a place in the log. */
export const TELEGRAM_POLLING_LEASE = 'telegram-polling';

/** How far a log reader is behind the log. */
export interface FollowerLag {
  readonly name: string;
  /** The newest event's position less the reader's checkpoint. */
  readonly positionsBehind: number;
  /** When the oldest event it has not read was recorded; null when it is caught up. */
  readonly oldestBehindAt: Date | null;
}

/**
 * A log reader's stored place, held under a lease: of several processes running the same reader,
 * the one holding the lease works and the others wait for it to lapse.
 */
export class CheckpointStore {
  constructor(private readonly orm: MikroORM) {}

  /** Takes or renews the lease; returns the checkpoint if this owner now holds it. */
  async acquire(name: string, owner: string, leaseMs: number): Promise<LogCheckpoint | null> {
    const rows = await this.orm.em.fork().execute<{ transaction_id: string; position: string }[]>(
      `INSERT INTO checkpoints (name, transaction_id, position, owner, lease_until)
       VALUES (?, ?::xid8, ?, ?, now() + ? * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE
          SET owner = excluded.owner, lease_until = excluded.lease_until
        WHERE checkpoints.owner = excluded.owner
           OR checkpoints.owner IS NULL
           OR checkpoints.lease_until < now()
       RETURNING transaction_id::text AS transaction_id, position`,
      [name, LOG_START.transactionId, LOG_START.position, owner, leaseMs],
    );
    const row = rows[0];
    return row ? { transactionId: row.transaction_id, position: Number(row.position) } : null;
  }

  /** Stores the checkpoint and renews the lease; false if the lease was lost meanwhile. */
  async save(
    name: string,
    owner: string,
    checkpoint: LogCheckpoint,
    leaseMs: number,
    /** A transaction's entity manager, to store the checkpoint with what the reader wrote. */
    em: EntityManager = this.orm.em.fork(),
  ): Promise<boolean> {
    const rows = await em.execute<{ name: string }[]>(
      `UPDATE checkpoints
          SET transaction_id = ?::xid8, position = ?, updated_at = now(),
              lease_until = now() + ? * interval '1 millisecond'
        WHERE name = ? AND owner = ?
       RETURNING name`,
      [checkpoint.transactionId, checkpoint.position, leaseMs, name, owner],
    );
    return rows.length === 1;
  }

  /** How far each log reader is behind the log (for the lag metrics and the health route). */
  async lags(): Promise<FollowerLag[]> {
    const rows = await this.orm.em
      .fork()
      .execute<{ name: string; behind: string; oldest: string | null }[]>(
        `SELECT c.name,
              GREATEST(COALESCE((SELECT max(position) FROM events), 0) - c.position, 0) AS behind,
              (SELECT e.recorded_at FROM events e
                WHERE (e.transaction_id, e.position) > (c.transaction_id, c.position)
                ORDER BY e.transaction_id, e.position LIMIT 1) AS oldest
         FROM checkpoints c
        WHERE c.name <> ?
        ORDER BY c.name`,
        [TELEGRAM_POLLING_LEASE],
      );
    return rows.map((row) => ({
      name: row.name,
      positionsBehind: Number(row.behind),
      oldestBehindAt: row.oldest === null ? null : new Date(row.oldest),
    }));
  }

  /** Gives the lease up at shutdown so that another process takes over at once. */
  async release(name: string, owner: string): Promise<void> {
    await this.orm.em
      .fork()
      .execute(
        'UPDATE checkpoints SET owner = NULL, lease_until = NULL WHERE name = ? AND owner = ?',
        [name, owner],
      );
  }
}
