import {
  Global,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { RabbitMqConfig } from '../../config/src/config';
import { EventStore } from '../../event-store/src/event-store';
import { CheckpointStore } from '../../event-store/src/checkpoint-store';
import { DeadLetterCounter } from '../../application/src/ports/delivery-health-reader';
import { RabbitMqDeadLetterCounter } from './dead-letters';
import { EventPublisher } from './event-publisher';
import { OutboxRelay } from './outbox-relay';

@Injectable()
class OutboxLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly relay: OutboxRelay,
  ) {}

  onApplicationBootstrap(): void {
    this.publisher.connect();
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.publisher.close();
  }
}

/**
 * Publishing the log to RabbitMQ. Every app runs the relay; the checkpoint's lease lets one
 * publish at a time, and another takes over when it stops.
 */
@Global()
@Module({
  providers: [
    {
      provide: EventPublisher,
      inject: [RabbitMqConfig],
      useFactory: (config: RabbitMqConfig) => new EventPublisher(config.url, config.exchange),
    },
    {
      provide: CheckpointStore,
      inject: [MikroORM],
      useFactory: (orm: MikroORM) => new CheckpointStore(orm),
    },
    {
      provide: OutboxRelay,
      inject: [EventStore, CheckpointStore, EventPublisher],
      useFactory: (store: EventStore, checkpoints: CheckpointStore, publisher: EventPublisher) =>
        new OutboxRelay(store, checkpoints, publisher),
    },
    OutboxLifecycle,
    {
      provide: DeadLetterCounter,
      inject: [RabbitMqConfig],
      useFactory: (config: RabbitMqConfig) =>
        new RabbitMqDeadLetterCounter(config.url, config.exchange),
    },
  ],
  exports: [EventPublisher, CheckpointStore, DeadLetterCounter],
})
export class MessagingModule {}
