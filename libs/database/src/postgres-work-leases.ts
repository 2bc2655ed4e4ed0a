import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { WorkLeases } from '../../application/src/ports/work-leases';

/** Leases in the table `delivery_leases`, held under one id per process. */
export class PostgresWorkLeases extends WorkLeases {
  private readonly holder = randomUUID();

  constructor(private readonly orm: MikroORM) {
    super();
  }

  async take(work: string, ttlMs: number): Promise<boolean> {
    const rows = await this.orm.em.fork().execute<{ holder: string }[]>(
      `INSERT INTO delivery_leases AS lease (work, holder, expires_at)
         VALUES (?, ?, clock_timestamp() + ? * interval '1 millisecond')
       ON CONFLICT (work) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE lease.holder = excluded.holder OR lease.expires_at <= clock_timestamp()
       RETURNING holder`,
      [work, this.holder, ttlMs],
    );
    return rows.length === 1;
  }

  async release(work: string): Promise<void> {
    await this.orm.em
      .fork()
      .execute('DELETE FROM delivery_leases WHERE work = ? AND holder = ?', [work, this.holder]);
  }
}
