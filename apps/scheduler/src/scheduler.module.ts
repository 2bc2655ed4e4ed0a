import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '../../../libs/config/src/config.module';
import { DatabaseModule } from '../../../libs/database/src/database.module';
import { EventStoreModule } from '../../../libs/event-store/src/event-store.module';
import { MessagingModule } from '../../../libs/messaging/src/messaging.module';
import { projectToReadModels } from '../../../libs/projections/src/read-model-projector';

/**
 * The scheduler: for now it connects to the log and takes its turn publishing it; finding due
 * messages and appending MessageDue comes with the pipeline.
 */
@Module({})
export class SchedulerModule {
  static forRoot(config: readonly object[]): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        EventStoreModule.forRoot(projectToReadModels),
        MessagingModule,
      ],
    };
  }
}
