import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DeliverMessageHandler } from '../../../libs/application/src/commands/deliver-message/deliver-message.handler';
import { TelegramConfig } from '../../../libs/config/src/config';
import { ConfigModule } from '../../../libs/config/src/config.module';
import { DatabaseModule } from '../../../libs/database/src/database.module';
import { EventStoreModule } from '../../../libs/event-store/src/event-store.module';
import { MessagingModule } from '../../../libs/messaging/src/messaging.module';
import { projectToReadModels } from '../../../libs/projections/src/read-model-projector';
import { StorageModule } from '../../../libs/storage/src/storage.module';
import { TelegramSender } from '../../../libs/telegram/src/telegram-sender';
import { MessageDueConsumer } from './message-due.consumer';

/** Delivery: consumes MessageDue, sends the text and files through the Bot API, records outcomes. */
@Module({})
export class DeliveryModule {
  static forRoot(config: readonly object[]): DynamicModule {
    return {
      module: DeliveryModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        EventStoreModule.forRoot(projectToReadModels),
        MessagingModule,
        StorageModule,
        CqrsModule.forRoot(),
      ],
      providers: [
        {
          provide: TelegramSender,
          inject: [TelegramConfig],
          useFactory: (telegram: TelegramConfig) => new TelegramSender(telegram),
        },
        DeliverMessageHandler,
        MessageDueConsumer,
      ],
    };
  }
}
