import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CheckpointStore } from './checkpoint-store';
import { checkpointOf, type EventStore, type StoredEvent } from './event-store';

export interface LogFollowerOptions {
  /** The checkpoint row: one per reader of the log. */
  readonly checkpointName: string;
  readonly batchSize: number;
  /** Pause when the log has nothing new. */
  readonly idleMs: number;
  readonly leaseMs: number;
  /** First pause after a failure; doubled up to maxRetryMs while failures last. */
  readonly retryMs: number;
  readonly maxRetryMs: number;
}

export const DEFAULT_FOLLOWER_OPTIONS: Omit<LogFollowerOptions, 'checkpointName'> = {
  batchSize: 500,
  idleMs: 100,
  leaseMs: 15_000,
  retryMs: 250,
  maxRetryMs: 5_000,
};

/**
 * Handles a batch, then calls `commit` to move the checkpoint past it; with a transaction's
 * entity manager, the checkpoint moves in that transaction, together with what the batch wrote.
 */
export type BatchHandler = (
  events: readonly StoredEvent[],
  commit: (em?: EntityManager) => Promise<void>,
) => Promise<void>;

export class LeaseLostError extends Error {
  constructor(name: string) {
    super(`Lost the lease on checkpoint ${name}; another process reads the log now`);
    this.name = 'LeaseLostError';
  }
}

/**
 * Follows the log from a stored checkpoint, batch by batch. Of several processes following with
 * the same checkpoint name, the one holding the lease works; another takes over when it stops
 * (at once on a clean stop, when the lease lapses on a crash).
 */
export class LogFollower {
  private readonly logger: Logger;
  private readonly owner = `${process.pid}-${randomUUID()}`;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly handle: BatchHandler,
    private readonly options: LogFollowerOptions,
  ) {
    this.logger = new Logger(`LogFollower:${options.checkpointName}`);
  }

  /** One pass: handles one batch if this process holds the lease. Returns its size. */
  async runOnce(): Promise<number> {
    const { checkpointName, leaseMs, batchSize } = this.options;
    const checkpoint = await this.checkpoints.acquire(checkpointName, this.owner, leaseMs);
    if (!checkpoint) return 0;
    const events = await this.store.readAll(checkpoint, batchSize);
    if (events.length === 0) return 0;
    await this.handle(events, async (em) => {
      const saved = await this.checkpoints.save(
        checkpointName,
        this.owner,
        checkpointOf(events.at(-1)!),
        leaseMs,
        em,
      );
      if (!saved) throw new LeaseLostError(checkpointName);
    });
    return events.length;
  }

  /** Runs passes until nothing is left; for tests and replays. */
  async catchUp(): Promise<void> {
    while ((await this.runOnce()) > 0);
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
        const handled = await this.runOnce();
        retryMs = this.options.retryMs;
        if (handled < this.options.batchSize) await this.pause(this.options.idleMs);
      } catch (error) {
        this.logger.warn(
          `Failed, retrying in ${retryMs} ms: ${error instanceof Error ? error.message : String(error)}`,
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
