import { Logger } from '@nestjs/common';
import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import type { StoredEvent } from '../../event-store/src/event-store';
import { toEventMessage } from './event-message';
import { assertDeliveryTopology, deliveryTopology } from './topology';

/**
 * Publishes events to the topic exchange: routing key = event type, persistent, the event id as
 * the message id, each publish resolved only once the broker confirms it.
 */
export class EventPublisher {
  private readonly logger = new Logger(EventPublisher.name);
  private connection: AmqpConnectionManager | undefined;
  private channel: ChannelWrapper | undefined;

  constructor(
    private readonly url: string,
    private readonly exchange: string,
    private readonly publishTimeoutMs = 10_000,
  ) {}

  connect(): void {
    if (this.connection) return;
    this.connection = amqp.connect([this.url], {
      heartbeatIntervalInSeconds: 10,
      reconnectTimeInSeconds: 1,
    });
    this.connection.on('connect', () => this.logger.log('Connected to RabbitMQ'));
    this.connection.on('disconnect', ({ err }) =>
      this.logger.warn(`Disconnected from RabbitMQ: ${err?.message ?? 'closed'}`),
    );
    this.channel = this.connection.createChannel({
      confirm: true,
      publishTimeout: this.publishTimeoutMs,
      setup: async (channel: ConfirmChannel) => {
        // The queues that must not miss an event exist before the first publish: a MessageDue
        // published before any delivery process started would otherwise be routed nowhere.
        await assertDeliveryTopology(channel, deliveryTopology(this.exchange));
      },
    });
    // A setup that fails (the channel or connection closing under it, as at shutdown) is told as
    // an 'error' event: without a listener Node throws it, and the process would die of it. The
    // wrapper sets up again on its next channel.
    this.channel.on('error', (error: Error) =>
      this.logger.warn(`Setting up the RabbitMQ channel failed: ${error.message}`),
    );
  }

  get isConnected(): boolean {
    return this.connection?.isConnected() ?? false;
  }

  async publish(event: StoredEvent): Promise<void> {
    if (!this.channel) throw new Error('EventPublisher.connect() was not called');
    await this.channel.publish(
      this.exchange,
      event.type,
      Buffer.from(JSON.stringify(toEventMessage(event))),
      {
        persistent: true,
        messageId: event.eventId,
        type: event.type,
        contentType: 'application/json',
        timestamp: Math.floor(event.recordedAt.getTime() / 1000),
        correlationId: event.metadata.correlationId,
        headers: { 'x-stream-id': event.streamId, 'x-position': event.position },
      },
    );
  }

  async close(): Promise<void> {
    await this.channel?.close();
    await this.connection?.close();
    this.channel = undefined;
    this.connection = undefined;
  }
}
