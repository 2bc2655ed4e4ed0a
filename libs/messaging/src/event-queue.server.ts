import { randomUUID } from 'node:crypto';
import type { ConsumerDeserializer, IncomingEvent } from '@nestjs/microservices';
import { ServerRMQ } from '@nestjs/microservices';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { Channel } from 'amqplib';
import { readEventMessage } from './event-message';

/** The pattern of a message whose body is no event: it goes to the dead-letter queue. */
export const UNREADABLE_MESSAGE = 'unreadable-message';

/**
 * Our events as the RMQ transport's packets: the event's type is the pattern (what
 * `@EventPattern` matches), the event itself (upcast to its current shape) the payload.
 */
export class EventMessageDeserializer implements ConsumerDeserializer {
  deserialize(value: unknown): IncomingEvent {
    try {
      const event = readEventMessage(value);
      return { pattern: event.type, data: event };
    } catch (error) {
      return {
        pattern: UNREADABLE_MESSAGE,
        data: { reason: error instanceof Error ? error.message : String(error) },
      };
    }
  }
}

export interface EventQueueOptions {
  readonly url: string;
  readonly queue: string;
  /** Messages handed to this process at once, unacknowledged. */
  readonly prefetch: number;
  /** Declares the exchanges, queues and bindings; runs again after every reconnection. */
  readonly setup: (channel: Channel) => Promise<void>;
}

/**
 * Nest's RabbitMQ transport (`@EventPattern` handlers, manual acknowledgement) on a queue whose
 * topology is ours: a quorum queue with a delivery limit and a dead-letter exchange, single
 * active consumer, bound to the topic exchange the outbox publishes to. The transport declares
 * only a plain queue, so the topology is declared by `setup` on every (re)connection, before the
 * transport starts consuming. What the transport does not offer is added here: stopping
 * consumption while the messages in hand finish (graceful shutdown), whether the connection is
 * up, and a queue's depth.
 */
export class EventQueueServer extends ServerRMQ {
  private readonly setup: EventQueueOptions['setup'];
  private readonly consumerTag: string;
  private consuming: Channel | undefined;

  constructor(options: EventQueueOptions, consumerTag = `consumer-${randomUUID()}`) {
    super({
      urls: [options.url],
      queue: options.queue,
      noAck: false,
      prefetchCount: options.prefetch,
      isGlobalPrefetchCount: false,
      // Declared by `setup`, with the arguments the transport's own declaration would lack.
      noAssert: true,
      consumerTag,
      deserializer: new EventMessageDeserializer(),
      socketOptions: { heartbeatIntervalInSeconds: 10, reconnectTimeInSeconds: 1 },
    });
    this.setup = options.setup;
    this.consumerTag = consumerTag;
  }

  override async setupChannel(channel: Channel, callback: () => void): Promise<void> {
    await this.setup(channel);
    this.consuming = channel;
    await super.setupChannel(channel, callback);
  }

  get isConnected(): boolean {
    return this.server !== null && this.unwrap<AmqpConnectionManager>().isConnected();
  }

  /** Takes no more messages; those in hand stay this process's until settled or disconnected. */
  async stopConsuming(): Promise<void> {
    await this.consuming?.cancel(this.consumerTag).catch(() => undefined);
  }

  /** Messages ready in a queue (this one, or its dead-letter queue). */
  async queueDepth(queue: string): Promise<number> {
    if (!this.consuming) throw new Error('Not connected');
    return (await this.consuming.checkQueue(queue)).messageCount;
  }
}
