import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DeliverMessageHandler } from '../../../libs/application/src/commands/deliver-message/deliver-message.handler';
import { TelegramConfig } from '../../../libs/config/src/config';
import { CoreModule } from '../../../libs/runtime/src/core.module';
import { StorageModule } from '../../../libs/storage/src/storage.module';
import { TelegramSender } from '../../../libs/telegram/src/telegram-sender';
import { MessageDueConsumer } from './message-due.consumer';

/** Delivery: consumes MessageDue, sends the text and files through the Bot API, records outcomes. */
@Module({})
export class DeliveryModule {
  static forRoot(config: readonly object[]): DynamicModule {
    return {
      module: DeliveryModule,
      imports: [CoreModule.forRoot(config), StorageModule, CqrsModule.forRoot()],
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
