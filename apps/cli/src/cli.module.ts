import { type DynamicModule, Module } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { ConfigModule } from '../../../libs/config/src/config.module';
import { DatabaseModule } from '../../../libs/database/src/database.module';
import { PostgresEventStore } from '../../../libs/event-store/src/postgres-event-store';
import { ProjectionReplayer } from '../../../libs/projections/src/replay/projection-replayer';
import {
  AuditCommand,
  AuditMessageCommand,
  AuditSeriesCommand,
  AuditSubscriberCommand,
} from './audit.command';
import { EventsCommand, EventsExportCommand, EventsTailCommand } from './events.command';
import { ReplayCommand } from './replay.command';
import { VerifyCommand } from './verify.command';

/** The operators' tools: the database and the log, nothing that serves or sends. */
@Module({})
export class CliModule {
  static forRoot(config: readonly object[]): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule],
      providers: [
        {
          // Reads only: the CLI never appends, so no projection runs with it.
          provide: PostgresEventStore,
          inject: [MikroORM],
          useFactory: (orm: MikroORM) => new PostgresEventStore(orm),
        },
        {
          provide: ProjectionReplayer,
          inject: [MikroORM, PostgresEventStore],
          useFactory: (orm: MikroORM, store: PostgresEventStore) =>
            new ProjectionReplayer(orm, store),
        },
        ReplayCommand,
        VerifyCommand,
        AuditCommand,
        AuditMessageCommand,
        AuditSubscriberCommand,
        AuditSeriesCommand,
        EventsCommand,
        EventsTailCommand,
        EventsExportCommand,
      ],
    };
  }
}
