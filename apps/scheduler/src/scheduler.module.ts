import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ScheduleModule } from '@nestjs/schedule';
import { MikroORM } from '@mikro-orm/postgresql';
import { MarkMessageDueHandler } from '../../../libs/application/src/commands/mark-message-due/mark-message-due.handler';
import { ConfigModule } from '../../../libs/config/src/config.module';
import { DatabaseModule } from '../../../libs/database/src/database.module';
import { CheckpointStore } from '../../../libs/event-store/src/checkpoint-store';
import { EventStore } from '../../../libs/event-store/src/event-store';
import { EventStoreModule } from '../../../libs/event-store/src/event-store.module';
import { MessagingModule } from '../../../libs/messaging/src/messaging.module';
import { projectToReadModels } from '../../../libs/projections/src/read-model-projector';
import { Clock, SystemClock } from '../../../libs/runtime/src/clock';
import { DueMessageTicker } from './due-message-ticker';
import { PendingDeadlinesFollower } from './pending-deadlines.follower';

/** The scheduler: keeps its pending-deadlines projection and marks messages due on time. */
@Module({})
export class SchedulerModule {
  static forRoot(config: readonly object[], clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        EventStoreModule.forRoot(projectToReadModels),
        MessagingModule,
        CqrsModule.forRoot(),
        ScheduleModule.forRoot(),
      ],
      providers: [
        { provide: Clock, useValue: clock },
        MarkMessageDueHandler,
        {
          provide: PendingDeadlinesFollower,
          inject: [EventStore, CheckpointStore, MikroORM],
          useFactory: (store: EventStore, checkpoints: CheckpointStore, orm: MikroORM) =>
            new PendingDeadlinesFollower(store, checkpoints, orm),
        },
        DueMessageTicker,
      ],
    };
  }
}
