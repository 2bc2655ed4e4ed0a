import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { RabbitMqConfig } from '../../../libs/config/src/config';
import { Acknowledgements } from '../../../libs/messaging/src/acknowledgements';
import { EventQueueServer } from '../../../libs/messaging/src/event-queue.server';
import {
  assertDeliveryTopology,
  DELIVERY_LIMIT,
  deliveryTopology,
} from '../../../libs/messaging/src/topology';
import { Metrics } from '../../../libs/observability/src/metrics';

/**
 * MessageDue events handed to one delivery process at once. Telegram allows one send a second per
 * chat and 30 a second per bot: reaching 30/s takes about 30 chats in hand at once, with more
 * for the messages that wait for their chat's second (bench: deliver at the limit).
 */
const PREFETCH = 48;

/**
 * The delivery queue, consumed through Nest's RabbitMQ transport (the app connects `server` as
 * its microservice; MessageDueController handles what it receives), and how its messages are
 * acknowledged.
 */
@Injectable()
export class MessageDueQueue implements BeforeApplicationShutdown {
  readonly server: EventQueueServer;
  readonly acknowledgements: Acknowledgements;

  constructor(config: RabbitMqConfig, metrics: Metrics) {
    const topology = deliveryTopology(config.exchange);
    this.server = new EventQueueServer({
      url: config.url,
      queue: topology.queue,
      prefetch: PREFETCH,
      setup: (channel) => assertDeliveryTopology(channel, topology),
    });
    this.acknowledgements = new Acknowledgements({
      deliveryLimit: DELIVERY_LIMIT,
      onDeadLettered: () => metrics.deadLettered.inc(),
    });
    metrics.onScrape(async () => {
      if (this.server.isConnected)
        metrics.deadLetters.set(await this.server.queueDepth(topology.deadLetterQueue));
    });
  }

  /**
   * On SIGTERM, while DeliverMessageHandler lets the sends in flight finish and starts no other:
   * take no more messages and wait for those in hand to be settled (acked, or returned to the
   * queue for the next delivery process); then the transport disconnects.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.server.stopConsuming();
    await this.acknowledgements.drain();
  }
}
