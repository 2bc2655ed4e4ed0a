import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DeliverMessageCommand } from '../../../libs/application/src/commands/deliver-message/deliver-message.command';
import { RabbitMqConfig } from '../../../libs/config/src/config';
import { EventConsumer } from '../../../libs/messaging/src/event-consumer';
import { assertDeliveryTopology, deliveryTopology } from '../../../libs/messaging/src/topology';

/** MessageDue events handed to one delivery process at once. */
const PREFETCH = 8;

/** Consumes MessageDue from the delivery queue; acks once every recipient has an outcome. */
@Injectable()
export class MessageDueConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly consumer: EventConsumer;

  constructor(config: RabbitMqConfig, commands: CommandBus) {
    const topology = deliveryTopology(config.exchange);
    this.consumer = new EventConsumer(
      {
        url: config.url,
        queue: topology.queue,
        prefetch: PREFETCH,
        setup: (channel) => assertDeliveryTopology(channel, topology),
      },
      async (event) => {
        if (event.type !== 'MessageDue') return;
        await commands.execute(
          new DeliverMessageCommand(
            event.data.messageId,
            event.eventId,
            event.metadata.correlationId,
          ),
        );
      },
    );
  }

  onApplicationBootstrap(): void {
    this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
