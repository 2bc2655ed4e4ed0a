import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { WorkLeases } from '../../application/src/ports/work-leases';
import { InFlightBatcher } from '../../event-store/src/in-flight-batcher';

/** Leases taken or given up together at most in one query. */
const MAX_BATCH = 256;

interface LeaseRequest {
  readonly work: string;
  readonly ttlMs: number;
}

/**
 * Leases in the table `delivery_leases`, held under one id per process. Every unit of work takes
 * a lease and gives it up, so a process delivering many small messages at once would pay two round
 * trips each: requests that arrive while one query is in flight go together in the next.
 */
export class PostgresWorkLeases extends WorkLeases {
  private readonly holder = randomUUID();
  private readonly takes: InFlightBatcher<LeaseRequest, boolean>;
  private readonly releases: InFlightBatcher<string, void>;

  constructor(orm: MikroORM) {
    super();
    this.takes = new InFlightBatcher<LeaseRequest, boolean>(
      async (requests) => {
        // One row per work (a row cannot be upserted twice in one statement), the longest ttl.
        const ttlOf = new Map<string, number>();
        for (const { work, ttlMs } of requests)
          ttlOf.set(work, Math.max(ttlMs, ttlOf.get(work) ?? 0));
        const rows = await orm.em.fork().execute<{ work: string }[]>(
          `INSERT INTO delivery_leases AS lease (work, holder, expires_at)
             SELECT wanted.work, ?, clock_timestamp() + wanted.ttl_ms * interval '1 millisecond'
               FROM jsonb_to_recordset(?::jsonb) AS wanted (work text, ttl_ms int)
           ON CONFLICT (work) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE lease.holder = excluded.holder OR lease.expires_at <= clock_timestamp()
           RETURNING work`,
          [
            this.holder,
            JSON.stringify([...ttlOf].map(([work, ttlMs]) => ({ work, ttl_ms: ttlMs }))),
          ],
        );
        const held = new Set(rows.map((row) => row.work));
        return requests.map(({ work }) => ({ status: 'fulfilled', value: held.has(work) }));
      },
      { max: MAX_BATCH, concurrency: 2 },
    );
    this.releases = new InFlightBatcher<string, void>(
      async (works) => {
        // An array, not IN (subquery): the key's index, not a scan of the table and its dead rows.
        await orm.em.fork().execute(
          `DELETE FROM delivery_leases
            WHERE holder = ? AND work = ANY (ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`,
          [this.holder, JSON.stringify([...new Set(works)])],
        );
        return works.map(() => ({ status: 'fulfilled', value: undefined }));
      },
      { max: MAX_BATCH, concurrency: 2 },
    );
  }

  take(work: string, ttlMs: number): Promise<boolean> {
    return this.takes.run({ work, ttlMs });
  }

  release(work: string): Promise<void> {
    return this.releases.run(work);
  }
}
