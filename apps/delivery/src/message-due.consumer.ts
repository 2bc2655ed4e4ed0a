import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DeliverMessageCommand } from '../../../libs/application/src/commands/deliver-message/deliver-message.command';
import { RabbitMqConfig } from '../../../libs/config/src/config';
import { EventConsumer } from '../../../libs/messaging/src/event-consumer';
import {
  assertDeliveryTopology,
  DELIVERY_LIMIT,
  deliveryTopology,
} from '../../../libs/messaging/src/topology';
import { withLogContext } from '../../../libs/observability/src/log-context';
import { Metrics } from '../../../libs/observability/src/metrics';

/**
 * MessageDue events handed to one delivery process at once. Telegram allows one send a second per
 * chat and 30 a second per bot: reaching 30/s takes about 30 chats in hand at once, with more
 * for the messages that wait for their chat's second (bench: deliver at the limit).
 */
const PREFETCH = 48;

/** Consumes MessageDue from the delivery queue; acks once every recipient has an outcome. */
@Injectable()
export class MessageDueConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly consumer: EventConsumer;

  constructor(config: RabbitMqConfig, commands: CommandBus, metrics: Metrics) {
    const topology = deliveryTopology(config.exchange);
    this.consumer = new EventConsumer(
      {
        url: config.url,
        queue: topology.queue,
        prefetch: PREFETCH,
        setup: (channel) => assertDeliveryTopology(channel, topology),
        deliveryLimit: DELIVERY_LIMIT,
        onDeadLettered: () => metrics.deadLettered.inc(),
      },
      async (event) => {
        if (event.type !== 'MessageDue') return;
        await withLogContext(
          { correlationId: event.metadata.correlationId, messageId: event.data.messageId },
          () =>
            commands.execute(
              new DeliverMessageCommand(
                event.data.messageId,
                event.eventId,
                event.metadata.correlationId,
              ),
            ),
        );
      },
    );
    metrics.onScrape(async () => {
      if (this.consumer.isConnected)
        metrics.deadLetters.set(await this.consumer.queueDepth(topology.deadLetterQueue));
    });
  }

  onApplicationBootstrap(): void {
    this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
