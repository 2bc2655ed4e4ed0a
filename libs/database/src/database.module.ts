import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { DatabaseConfig } from '../../config/src/config';
import { SnapshotStore } from '../../application/src/ports/snapshot-store';
import { migrate } from './migrate';
import { PostgresSnapshotStore } from './postgres-snapshot-store';
import { ormOptions } from './orm-options';

@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(MikroORM) private readonly orm: MikroORM) {}

  async onApplicationShutdown(): Promise<void> {
    await this.orm.close(true);
  }
}

/** The ORM, connected after the schema has been brought up to date; and the snapshots kept in it. */
@Global()
@Module({
  providers: [
    {
      provide: MikroORM,
      inject: [DatabaseConfig],
      useFactory: async (config: DatabaseConfig): Promise<MikroORM> => {
        const applied = await migrate(config.url);
        if (applied.length > 0)
          new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
        return MikroORM.init(ormOptions(config.url));
      },
    },
    DatabaseLifecycle,
    { provide: SnapshotStore, useClass: PostgresSnapshotStore },
  ],
  exports: [MikroORM, SnapshotStore],
})
export class DatabaseModule {}
