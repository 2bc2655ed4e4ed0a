import { Injectable, type OnModuleInit } from '@nestjs/common';
import { CheckpointStore } from '../../event-store/src/checkpoint-store';
import { Metrics } from '../../observability/src/metrics';
import { DEFAULT_OUTBOX_OPTIONS } from '../../messaging/src/outbox-relay';

/**
 * Outbox and projection lag, read at each scrape: how far the newest event's position is ahead of
 * each log reader's checkpoint. The read models kept inline are never behind and not listed.
 */
@Injectable()
export class LogLagMetrics implements OnModuleInit {
  constructor(
    private readonly checkpoints: CheckpointStore,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(() => this.refresh());
  }

  async refresh(): Promise<void> {
    let outbox = 0;
    for (const lag of await this.checkpoints.lags()) {
      if (lag.name === DEFAULT_OUTBOX_OPTIONS.checkpointName) outbox = lag.positionsBehind;
      else this.metrics.projectionLag.set({ projection: lag.name }, lag.positionsBehind);
    }
    this.metrics.outboxLag.set(outbox);
  }
}
