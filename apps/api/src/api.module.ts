import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ApplicationModule } from '../../../libs/application/src/application.module';
import { CoreModule } from '../../../libs/runtime/src/core.module';
import { StorageModule } from '../../../libs/storage/src/storage.module';
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
      imports: [CoreModule.forRoot(config), StorageModule, ApplicationModule],
      controllers: [RootController, HealthController, SubscribersController, MessagesController],
      providers: [
        AttachmentUploadInterceptor,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
