import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { checkpointOf, type EventStore } from '../../event-store/src/event-store';
import type { CheckpointStore } from './checkpoint-store';
import type { EventPublisher } from './event-publisher';

export interface OutboxRelayOptions {
  readonly checkpointName: string;
  readonly batchSize: number;
  /** Pause when the log has nothing new. */
  readonly idleMs: number;
  readonly leaseMs: number;
  /** First pause after a failure; doubled up to maxRetryMs while failures last. */
  readonly retryMs: number;
  readonly maxRetryMs: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxRelayOptions = {
  checkpointName: 'outbox',
  batchSize: 500,
  idleMs: 100,
  leaseMs: 15_000,
  retryMs: 250,
  maxRetryMs: 5_000,
};

/**
 * The outbox is the log itself: the relay reads events after its checkpoint, publishes them with
 * publisher confirms, and only then moves the checkpoint. A crash or a broker outage anywhere in
 * between means the batch is published again (with the same message ids), never lost.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly owner = `relay-${randomUUID()}`;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly publisher: EventPublisher,
    private readonly options: OutboxRelayOptions = DEFAULT_OUTBOX_OPTIONS,
  ) {}

  /** One pass: publishes one batch if this process holds the lease. Returns how many. */
  async publishBatch(): Promise<number> {
    const { checkpointName, leaseMs, batchSize } = this.options;
    const checkpoint = await this.checkpoints.acquire(checkpointName, this.owner, leaseMs);
    if (!checkpoint) return 0;
    const events = await this.store.readAll(checkpoint, batchSize);
    if (events.length === 0) return 0;
    // Confirms arrive in any order; the checkpoint moves only when every one has arrived.
    await Promise.all(events.map((event) => this.publisher.publish(event)));
    const saved = await this.checkpoints.save(
      checkpointName,
      this.owner,
      checkpointOf(events.at(-1)!),
      leaseMs,
    );
    if (!saved) this.logger.warn('Lost the outbox lease; another process publishes now');
    return events.length;
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
    await this.checkpoints.release(this.options.checkpointName, this.owner).catch(() => undefined);
  }

  private async loop(): Promise<void> {
    let retryMs = this.options.retryMs;
    while (!this.stopping) {
      try {
        const published = await this.publishBatch();
        retryMs = this.options.retryMs;
        if (published < this.options.batchSize) await this.pause(this.options.idleMs);
      } catch (error) {
        this.logger.warn(
          `Publishing failed, retrying in ${retryMs} ms: ${error instanceof Error ? error.message : String(error)}`,
        );
        await this.pause(retryMs);
        retryMs = Math.min(retryMs * 2, this.options.maxRetryMs);
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
