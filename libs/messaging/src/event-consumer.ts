import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { StoredEvent } from '../../event-store/src/event-store';
import { fromEventMessage } from './event-message';

export interface EventConsumerOptions {
  readonly url: string;
  readonly queue: string;
  /** Declares exchanges, queues and bindings; runs again after every reconnection. */
  readonly setup: (channel: ConfirmChannel) => Promise<void>;
  /** Messages handed to this process at once, unacknowledged. */
  readonly prefetch: number;
  /** Pause before a failed message goes back to the queue: doubling from this, per delivery. */
  readonly retryBaseMs?: number;
  /** The longest such pause. */
  readonly retryMaxMs?: number;
  /** The queue's x-delivery-limit: a failure on the delivery past it dead-letters the message. */
  readonly deliveryLimit?: number;
  /** Told of every message this consumer's failure sends to the dead-letter queue. */
  readonly onDeadLettered?: (messageId: string) => void;
}

const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 30_000;

/**
 * Consumes events from a queue with manual acknowledgement: a message is acked only after its
 * handler resolved (its outcome recorded), and nacked back to the queue when the handler threw,
 * where the queue's delivery limit eventually dead-letters it.
 */
export class EventConsumer {
  private readonly logger: Logger;
  private connection: AmqpConnectionManager | undefined;
  private channel: ChannelWrapper | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly options: EventConsumerOptions,
    private readonly handle: (event: StoredEvent, redelivered: boolean) => Promise<void>,
  ) {
    this.logger = new Logger(`EventConsumer:${options.queue}`);
  }

  start(): void {
    if (this.connection) return;
    this.connection = amqp.connect([this.options.url], {
      heartbeatIntervalInSeconds: 10,
      reconnectTimeInSeconds: 1,
    });
    this.connection.on('disconnect', ({ err }) =>
      this.logger.warn(`Disconnected from RabbitMQ: ${err?.message ?? 'closed'}`),
    );
    this.channel = this.connection.createChannel({
      confirm: true,
      setup: async (channel: ConfirmChannel) => {
        await this.options.setup(channel);
        await channel.prefetch(this.options.prefetch);
        await channel.consume(this.options.queue, (message) => this.track(channel, message), {
          noAck: false,
        });
      },
    });
  }

  /** Messages ready in a queue (of this consumer's, or its dead-letter queue). */
  async queueDepth(queue: string): Promise<number> {
    if (!this.channel) throw new Error('Not started');
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  get isConnected(): boolean {
    return this.connection?.isConnected() ?? false;
  }

  /** Stops taking messages, lets those in hand finish, then disconnects. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.channel?.cancelAll().catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    await this.channel?.close();
    await this.connection?.close();
    this.channel = undefined;
    this.connection = undefined;
  }

  private track(channel: ConfirmChannel, message: ConsumeMessage | null): void {
    if (!message) return;
    const work = this.process(channel, message);
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async process(channel: ConfirmChannel, message: ConsumeMessage): Promise<void> {
    let event: StoredEvent;
    try {
      event = fromEventMessage(message.content);
    } catch (error) {
      // Unreadable: no retry can help. Straight to the dead-letter queue.
      const messageId = String(message.properties.messageId);
      this.logger.error(`Unreadable message ${messageId}, dead-lettered: ${String(error)}`);
      channel.nack(message, false, false);
      this.options.onDeadLettered?.(messageId);
      return;
    }
    try {
      await this.handle(event, message.fields.redelivered);
      channel.ack(message);
    } catch (error) {
      const count = Number((message.properties.headers ?? {})['x-delivery-count'] ?? 0);
      const reason = error instanceof Error ? error.message : String(error);
      if (this.options.deliveryLimit !== undefined && count >= this.options.deliveryLimit) {
        // Rejected without requeue, the queue dead-letters it: say so where operators look.
        this.logger.error(
          `Handling ${event.type} ${event.eventId} failed on delivery ${count + 1}, past the limit: dead-lettered (see \`npm run dead-letters\`): ${reason}`,
        );
        try {
          channel.nack(message, false, false);
          this.options.onDeadLettered?.(event.eventId);
        } catch {
          // The channel closed meanwhile: the broker counts the delivery and redelivers it.
        }
        return;
      }
      // Back off before returning it: a database or broker that is away for a minute must not
      // burn through the delivery limit in a second and dead-letter healthy messages.
      const delayMs = Math.min(
        (this.options.retryBaseMs ?? RETRY_BASE_MS) * 2 ** count,
        this.options.retryMaxMs ?? RETRY_MAX_MS,
      );
      this.logger.error(
        `Handling ${event.type} ${event.eventId} failed (delivery ${count + 1}); returning it to the queue in ${delayMs} ms: ${reason}`,
      );
      await sleep(delayMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      try {
        channel.nack(message, false, true);
      } catch {
        // The channel closed meanwhile: the broker redelivers the message anyway.
      }
    }
  }
}
