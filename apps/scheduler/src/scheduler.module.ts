import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ScheduleModule } from '@nestjs/schedule';
import { MikroORM } from '@mikro-orm/postgresql';
import { MarkMessageDueHandler } from '../../../libs/application/src/commands/mark-message-due/mark-message-due.handler';
import { RecallMessageHandler } from '../../../libs/application/src/commands/recall-message/recall-message.handler';
import { PlanSeriesHandler } from '../../../libs/application/src/commands/plan-series/plan-series.handler';
import { SeriesDecisions } from '../../../libs/application/src/series/series-decision';
import { CheckpointStore } from '../../../libs/event-store/src/checkpoint-store';
import { EventStore } from '../../../libs/event-store/src/event-store';
import { CoreModule } from '../../../libs/runtime/src/core.module';
import { Clock, SystemClock } from '../../../libs/runtime/src/clock';
import { EventPublisher } from '../../../libs/messaging/src/event-publisher';
import {
  OBSERVABILITY_CONTROLLERS,
  readinessChecks,
} from '../../../libs/observability/src/observability.module';
import { brokerCheck, databaseCheck } from '../../../libs/runtime/src/readiness-checks';
import { DueMessageTicker } from './due-message-ticker';
import { PendingDeadlinesFollower } from './pending-deadlines.follower';
import { RecallTicker } from './recall-ticker';
import { SeriesPlanningTicker } from './series-planning-ticker';

/**
 * The scheduler: keeps its projection (pending deadlines, series to plan), marks messages due on
 * time and plans each series' next occurrence.
 */
@Module({})
export class SchedulerModule {
  static forRoot(config: readonly object[], clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        CoreModule.forRoot('scheduler', config, clock),
        CqrsModule.forRoot(),
        ScheduleModule.forRoot(),
      ],
      controllers: OBSERVABILITY_CONTROLLERS,
      providers: [
        readinessChecks([MikroORM, EventPublisher], (orm, publisher) => [
          databaseCheck(orm),
          brokerCheck({ publisher: () => publisher.isConnected }),
        ]),
        MarkMessageDueHandler,
        {
          provide: PendingDeadlinesFollower,
          inject: [EventStore, CheckpointStore, MikroORM],
          useFactory: (store: EventStore, checkpoints: CheckpointStore, orm: MikroORM) =>
            new PendingDeadlinesFollower(store, checkpoints, orm),
        },
        DueMessageTicker,
        SeriesDecisions,
        PlanSeriesHandler,
        SeriesPlanningTicker,
        RecallMessageHandler,
        RecallTicker,
      ],
    };
  }
}
