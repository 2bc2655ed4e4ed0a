import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { RabbitMqConfig } from '../../../libs/config/src/config';
import { Acknowledgements } from '../../../libs/messaging/src/acknowledgements';
import { EventQueueServer } from '../../../libs/messaging/src/event-queue.server';
import {
  assertDeliveryTopology,
  DELIVERY_LIMIT,
  deliveryTopology,
  retireLegacyQueue,
} from '../../../libs/messaging/src/topology';
import { Metrics } from '../../../libs/observability/src/metrics';

/**
 * MessageDue events handed to one delivery process at once. Telegram allows one send a second per
 * chat and 30 a second per bot: reaching 30/s takes about 30 chats in hand at once, with more
 * for the messages that wait for their chat's second (bench: deliver at the limit). Without
 * limits (paid broadcasts, or many messages due together) the rate is bound by the round trips of
 * the messages in hand: the leases, subscriber reads and appends of messages worked on together
 * share their queries, so more in hand means fewer round trips each (bench "burst").
 * Messages come SCHEDULER_LEAD_MS (1.5 s) before their time and are held until it: 167 falling
 * due each second (10,000 series every minute, bench "series") are about 250 in hand.
 * A message in hand and not yet sent costs the broker a redelivery at most: its lease keeps two
 * processes from sending it at once.
 */
const DUE_PREFETCH = 512;

/**
 * Parts of audiences handed to one delivery process at once: each serves DELIVERY_CONCURRENCY
 * recipients at a time, so a few parts keep a process busy; more would only wait in its hands,
 * unacknowledged, while the bot's budget is spread over them all.
 */
const PARTS_PREFETCH = 4;

/**
 * The delivery queues, consumed through Nest's RabbitMQ transport (the app connects each server
 * as a microservice; DeliveryWorkController handles what they receive), and how their messages are
 * acknowledged.
 */
@Injectable()
export class DeliveryQueues implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeliveryQueues');
  readonly servers: readonly EventQueueServer[];
  readonly acknowledgements: Acknowledgements;

  constructor(
    private readonly config: RabbitMqConfig,
    metrics: Metrics,
  ) {
    const topology = deliveryTopology(config.exchange);
    const setup = (channel: Parameters<typeof assertDeliveryTopology>[0]) =>
      assertDeliveryTopology(channel, topology);
    this.servers = [
      new EventQueueServer({
        url: config.url,
        queue: topology.queue,
        prefetch: DUE_PREFETCH,
        setup,
      }),
      new EventQueueServer({
        url: config.url,
        queue: topology.partsQueue,
        prefetch: PARTS_PREFETCH,
        setup,
      }),
    ];
    this.acknowledgements = new Acknowledgements({
      deliveryLimit: DELIVERY_LIMIT,
      onDeadLettered: () => metrics.deadLettered.inc(),
    });
    metrics.onScrape(async () => {
      const [server] = this.servers;
      if (server?.isConnected)
        metrics.deadLetters.set(await server.queueDepth(topology.deadLetterQueue));
    });
  }

  get isConnected(): boolean {
    return this.servers.every((server) => server.isConnected);
  }

  /** The queue of the version where one process sent at a time is emptied into today's. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const moved = await retireLegacyQueue(
        this.config.url,
        deliveryTopology(this.config.exchange),
      );
      if (moved > 0) this.logger.log(`Moved ${moved} message(s) from the retired delivery queue`);
    } catch (error) {
      this.logger.warn(
        `The retired delivery queue could not be emptied now (again at the next start): ${String(error)}`,
      );
    }
  }

  /**
   * On SIGTERM, while DeliverMessageHandler lets the sends in flight finish and starts no other:
   * take no more messages and wait for those in hand to be settled (acked, or returned to the
   * queue for the next delivery process); then the transport disconnects.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stopConsuming()));
    await this.acknowledgements.drain();
  }
}
