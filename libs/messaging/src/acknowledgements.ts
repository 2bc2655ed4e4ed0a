import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { RmqContext } from '@nestjs/microservices';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { StoredEvent } from '../../event-store/src/event-store';

export interface AcknowledgementOptions {
  /** The queue's x-delivery-limit: a failure on the delivery past it dead-letters the message. */
  readonly deliveryLimit: number;
  /** Pause before a failed message goes back to the queue: doubling from this, per delivery. */
  readonly retryBaseMs?: number;
  /** The longest such pause. */
  readonly retryMaxMs?: number;
  /** Told of every message this process sends to the dead-letter queue. */
  readonly onDeadLettered?: (messageId: string) => void;
}

const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 30_000;

/**
 * Manual acknowledgement of the messages an `@EventPattern` handler is given: acked only once the
 * work resolved (its outcome recorded); returned to the queue after a pause that doubles with each
 * delivery when it threw, so that a database or broker away for a minute does not burn through
 * the delivery limit; and on the delivery past the limit rejected, which dead-letters it. Keeps
 * the work in hand, so that shutdown can let it finish.
 */
export class Acknowledgements {
  private readonly logger = new Logger('Acknowledgements');
  private readonly inHand = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly options: AcknowledgementOptions) {}

  /** Runs the work for the message, then settles the message by its outcome. */
  settle(context: RmqContext, event: StoredEvent, work: () => Promise<void>): Promise<void> {
    const settled = this.run(context, event, work);
    this.inHand.add(settled);
    void settled.finally(() => this.inHand.delete(settled));
    return settled;
  }

  /** A message no retry can help (its body is no event): straight to the dead-letter queue. */
  deadLetter(context: RmqContext, reason: string): void {
    const message = context.getMessage() as ConsumeMessage;
    const messageId = String(message.properties.messageId);
    this.logger.error(`Unreadable message ${messageId}, dead-lettered: ${reason}`);
    (context.getChannelRef() as Channel).nack(message, false, false);
    this.options.onDeadLettered?.(messageId);
  }

  /** Cuts the pauses short and waits for the messages in hand to be settled. */
  async drain(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.inHand]);
  }

  private async run(
    context: RmqContext,
    event: StoredEvent,
    work: () => Promise<void>,
  ): Promise<void> {
    const message = context.getMessage() as ConsumeMessage;
    const channel = context.getChannelRef() as Channel;
    try {
      await work();
      channel.ack(message);
      return;
    } catch (error) {
      const count = Number((message.properties.headers ?? {})['x-delivery-count'] ?? 0);
      const reason = error instanceof Error ? error.message : String(error);
      if (count >= this.options.deliveryLimit) {
        // Rejected without requeue, the queue dead-letters it: say so where operators look.
        this.logger.error(
          `Handling ${event.type} ${event.eventId} failed on delivery ${count + 1}, past the limit: dead-lettered (see \`npm run dead-letters\`): ${reason}`,
        );
        if (this.settleQuietly(() => channel.nack(message, false, false)))
          this.options.onDeadLettered?.(event.eventId);
        return;
      }
      const delayMs = Math.min(
        (this.options.retryBaseMs ?? RETRY_BASE_MS) * 2 ** count,
        this.options.retryMaxMs ?? RETRY_MAX_MS,
      );
      this.logger.error(
        `Handling ${event.type} ${event.eventId} failed (delivery ${count + 1}); returning it to the queue in ${delayMs} ms: ${reason}`,
      );
      await sleep(delayMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      this.settleQuietly(() => channel.nack(message, false, true));
    }
  }

  /** The channel may have closed meanwhile: the broker then redelivers the message anyway. */
  private settleQuietly(settle: () => void): boolean {
    try {
      settle();
      return true;
    } catch {
      return false;
    }
  }
}
