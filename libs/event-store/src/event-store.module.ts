import { type DynamicModule, Module } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Metrics } from '../../observability/src/metrics';
import { EventStore } from './event-store';
import { type InlineProjection, PostgresEventStore } from './postgres-event-store';

@Module({})
export class EventStoreModule {
  /** The Postgres event store, applying `inlineProjection` in every append's transaction. */
  static forRoot(inlineProjection: InlineProjection): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      providers: [
        {
          provide: EventStore,
          inject: [MikroORM, Metrics],
          useFactory: (orm: MikroORM, metrics: Metrics) =>
            new PostgresEventStore(orm, inlineProjection, (events) =>
              metrics.recordAppended(events),
            ),
        },
      ],
      exports: [EventStore],
    };
  }
}
