import { type DynamicModule, Module } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { TelegrafModule } from 'nestjs-telegraf';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ApplicationModule } from '../../../libs/application/src/application.module';
import { CoreModule } from '../../../libs/runtime/src/core.module';
import {
  brokerCheck,
  databaseCheck,
  storageCheck,
} from '../../../libs/runtime/src/readiness-checks';
import { EventPublisher } from '../../../libs/messaging/src/event-publisher';
import {
  OBSERVABILITY_CONTROLLERS,
  readinessChecks,
} from '../../../libs/observability/src/observability.module';
import { ObjectStorage } from '../../../libs/storage/src/object-storage';
import { StorageModule } from '../../../libs/storage/src/storage.module';
import { TelegramConfig } from '../../../libs/config/src/config';
import { PreviewMessageHandler } from '../../../libs/application/src/commands/preview-message/preview-message.handler';
import { TELEGRAM_SENDER_PROVIDERS } from '../../../libs/telegram/src/telegram-sender.providers';
import { BotLauncher } from './bot/bot-launcher';
import { BotUpdate } from './bot/bot.update';
import { TelegramWebhookController } from './bot/telegram-webhook.controller';
import { UpdateDeduplicator } from '../../../libs/telegram/src/update-deduplicator';
import { ApiKeyGuard } from './http/api-key.guard';
import { AttachmentUploadInterceptor } from './http/attachment-upload.interceptor';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { IdempotencyStore } from '../../../libs/database/src/idempotency-store';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { EventsController } from './events/events.controller';
import { LiveEventsController } from './events/live-events.controller';
import { DeliveryHealthController } from './system/delivery-health.controller';
import { MessagesController } from './messages/messages.controller';
import { SeriesController } from './series/series.controller';
import { SubscribersController } from './subscribers/subscribers.controller';
import { TopicsController } from './topics/topics.controller';
import { RootController } from './system/root.controller';

@Module({})
export class ApiModule {
  /** `config`: the validated parts (see main.ts). */
  static forRoot(config: readonly object[]): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        CoreModule.forRoot('api', config),
        StorageModule,
        ApplicationModule,
        TelegrafModule.forRootAsync({
          inject: [TelegramConfig, MikroORM],
          useFactory: (telegram: TelegramConfig, orm: MikroORM) => ({
            token: telegram.botToken,
            // Launched by BotLauncher, which retries; telegraf's own launch would end the process.
            launchOptions: false,
            options: { telegram: { apiRoot: telegram.apiRoot } },
            middlewares: [new UpdateDeduplicator(orm).middleware()],
          }),
        }),
      ],
      controllers: [
        RootController,
        ...OBSERVABILITY_CONTROLLERS,
        SubscribersController,
        MessagesController,
        SeriesController,
        TopicsController,
        EventsController,
        LiveEventsController,
        DeliveryHealthController,
        TelegramWebhookController,
      ],
      providers: [
        // Previews are sent from here, within the budget delivery sends in.
        ...TELEGRAM_SENDER_PROVIDERS,
        PreviewMessageHandler,
        AttachmentUploadInterceptor,
        IdempotencyStore,
        IdempotencyInterceptor,
        BotUpdate,
        BotLauncher,
        readinessChecks(
          [MikroORM, EventPublisher, ObjectStorage, BotLauncher],
          (orm, publisher, storage, bot) => [
            databaseCheck(orm),
            brokerCheck({ publisher: () => publisher.isConnected }),
            storageCheck(storage),
            bot.readinessCheck(),
          ],
        ),
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
