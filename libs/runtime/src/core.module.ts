import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '../../config/src/config.module';
import { DatabaseModule } from '../../database/src/database.module';
import { EventStoreModule } from '../../event-store/src/event-store.module';
import { MessagingModule } from '../../messaging/src/messaging.module';
import { projectToReadModels } from '../../projections/src/read-model-projector';

/**
 * What every app stands on: its validated configuration, the database (migrated at start), the
 * event store with the read models it keeps, and the outbox relay publishing the log.
 */
@Module({})
export class CoreModule {
  static forRoot(config: readonly object[]): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        EventStoreModule.forRoot(projectToReadModels),
        MessagingModule,
      ],
    };
  }
}
