import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DeliverMessageHandler } from '../../../libs/application/src/commands/deliver-message/deliver-message.handler';
import { ReviseMessageHandler } from '../../../libs/application/src/commands/revise-message/revise-message.handler';
import { MigrateChatHandler } from '../../../libs/application/src/commands/migrate-chat/migrate-chat.handler';
import { UnsubscribeUserHandler } from '../../../libs/application/src/commands/unsubscribe-user/unsubscribe-user.handler';
import { CoreModule } from '../../../libs/runtime/src/core.module';
import { StorageModule } from '../../../libs/storage/src/storage.module';
import { TelegrafSender } from '../../../libs/telegram/src/telegram-sender';
import { TELEGRAM_SENDER_PROVIDERS } from '../../../libs/telegram/src/telegram-sender.providers';
import { WorkLeases } from '../../../libs/application/src/ports/work-leases';
import { PostgresWorkLeases } from '../../../libs/database/src/postgres-work-leases';
import { EventPublisher } from '../../../libs/messaging/src/event-publisher';
import {
  OBSERVABILITY_CONTROLLERS,
  readinessChecks,
} from '../../../libs/observability/src/observability.module';
import {
  brokerCheck,
  databaseCheck,
  storageCheck,
} from '../../../libs/runtime/src/readiness-checks';
import { ObjectStorage } from '../../../libs/storage/src/object-storage';
import { MikroORM } from '@mikro-orm/postgresql';
import { DeliveryWorkController } from './delivery-work.controller';
import { DeliveryQueues } from './delivery-queues';

/** Delivery: consumes MessageDue, sends the text and files through the Bot API, records outcomes. */
@Module({})
export class DeliveryModule {
  static forRoot(config: readonly object[]): DynamicModule {
    return {
      module: DeliveryModule,
      imports: [CoreModule.forRoot('delivery', config), StorageModule, CqrsModule.forRoot()],
      controllers: [...OBSERVABILITY_CONTROLLERS, DeliveryWorkController],
      providers: [
        ...TELEGRAM_SENDER_PROVIDERS,
        {
          provide: WorkLeases,
          inject: [MikroORM],
          useFactory: (orm: MikroORM) => new PostgresWorkLeases(orm),
        },
        readinessChecks(
          [MikroORM, EventPublisher, DeliveryQueues, ObjectStorage, TelegrafSender],
          (orm, publisher, queue, storage, telegram) => [
            databaseCheck(orm),
            brokerCheck({
              publisher: () => publisher.isConnected,
              consumer: () => queue.isConnected,
            }),
            storageCheck(storage),
            telegram.readinessCheck(),
          ],
        ),
        DeliverMessageHandler,
        ReviseMessageHandler,
        UnsubscribeUserHandler,
        MigrateChatHandler,
        DeliveryQueues,
      ],
    };
  }
}
