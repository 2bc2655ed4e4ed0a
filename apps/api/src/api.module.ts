import { type DynamicModule, Module } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { TelegrafModule } from 'nestjs-telegraf';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ApplicationModule } from '../../../libs/application/src/application.module';
import { CoreModule } from '../../../libs/runtime/src/core.module';
import { StorageModule } from '../../../libs/storage/src/storage.module';
import { TelegramConfig } from '../../../libs/config/src/config';
import { BotLauncher } from './bot/bot-launcher';
import { BotUpdate } from './bot/bot.update';
import { TelegramWebhookController } from './bot/telegram-webhook.controller';
import { UpdateDeduplicator } from './bot/update-deduplicator';
import { ApiKeyGuard } from './http/api-key.guard';
import { AttachmentUploadInterceptor } from './http/attachment-upload.interceptor';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { MessagesController } from './messages/messages.controller';
import { SubscribersController } from './subscribers/subscribers.controller';
import { HealthController } from './system/health.controller';
import { RootController } from './system/root.controller';

@Module({})
export class ApiModule {
  /** `config`: the validated parts (see main.ts). */
  static forRoot(config: readonly object[]): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        CoreModule.forRoot(config),
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
        HealthController,
        SubscribersController,
        MessagesController,
        TelegramWebhookController,
      ],
      providers: [
        AttachmentUploadInterceptor,
        BotUpdate,
        BotLauncher,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
