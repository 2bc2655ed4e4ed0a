import { Injectable, type OnModuleInit } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Metrics } from '../../observability/src/metrics';
import { DEFAULT_OUTBOX_OPTIONS } from '../../messaging/src/outbox-relay';

/** A row of the same table that is a lease, not a place in the log (see BotLauncher). */
const POLLING_LEASE = 'telegram-polling';

/**
 * Outbox and projection lag, read at each scrape: how far the newest event's position is ahead of
 * each log reader's checkpoint. The read models kept inline are never behind and not listed.
 */
@Injectable()
export class LogLagMetrics implements OnModuleInit {
  constructor(
    private readonly orm: MikroORM,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(() => this.refresh());
  }

  async refresh(): Promise<void> {
    const rows = await this.orm.em.fork().execute<{ name: string; behind: string }[]>(
      `SELECT c.name,
              GREATEST(COALESCE((SELECT max(position) FROM events), 0) - c.position, 0) AS behind
         FROM checkpoints c
        WHERE c.name <> ?`,
      [POLLING_LEASE],
    );
    let outbox = 0;
    for (const row of rows) {
      if (row.name === DEFAULT_OUTBOX_OPTIONS.checkpointName) outbox = Number(row.behind);
      else this.metrics.projectionLag.set({ projection: row.name }, Number(row.behind));
    }
    this.metrics.outboxLag.set(outbox);
  }
}
