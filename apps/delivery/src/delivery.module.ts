import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '../../../libs/config/src/config.module';
import { DatabaseModule } from '../../../libs/database/src/database.module';
import { EventStoreModule } from '../../../libs/event-store/src/event-store.module';
import { MessagingModule } from '../../../libs/messaging/src/messaging.module';
import { projectToReadModels } from '../../../libs/projections/src/read-model-projector';
import { StorageModule } from '../../../libs/storage/src/storage.module';

/**
 * The delivery app: for now it connects to the log, the object store and takes its turn
 * publishing the log; consuming MessageDue and sending through Telegram comes with the pipeline.
 */
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
      ],
    };
  }
}
