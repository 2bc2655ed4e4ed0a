import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '../../config/src/config.module';
import { DatabaseModule } from '../../database/src/database.module';
import { EventStoreModule } from '../../event-store/src/event-store.module';
import { MessagingModule } from '../../messaging/src/messaging.module';
import { jsonLogsModule } from '../../observability/src/json-logs';
import { type AppName, ObservabilityModule } from '../../observability/src/observability.module';
import { projectToReadModels } from '../../projections/src/read-model-projector';
import { ReadersModule } from '../../projections/src/readers/readers.module';
import { Clock, SystemClock } from './clock';
import { LogLagMetrics } from './log-lag.metrics';

/** The clock every part of an app reads the time from. */
@Module({})
class ClockModule {
  static of(clock: Clock): DynamicModule {
    return {
      module: ClockModule,
      global: true,
      providers: [{ provide: Clock, useValue: clock }],
      exports: [Clock],
    };
  }
}

/**
 * What every app stands on: the clock, its validated configuration, the database (migrated at start), the
 * event store with the read models it keeps and their readers, the outbox relay publishing the
 * log, metrics and JSON logs.
 */
@Module({})
export class CoreModule {
  static forRoot(
    app: AppName,
    config: readonly object[],
    clock: Clock = new SystemClock(),
  ): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        ClockModule.of(clock),
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot(app),
        jsonLogsModule(app),
        DatabaseModule,
        EventStoreModule.forRoot(projectToReadModels),
        ReadersModule,
        MessagingModule,
      ],
      providers: [LogLagMetrics],
    };
  }
}
