import 'reflect-metadata';
import {
  DatabaseConfig,
  RabbitMqConfig,
  SchedulerConfig,
  SeriesConfig,
  loadConfig,
  readEnvironment,
} from '../../../libs/config/src';
import { runApp } from '../../../libs/runtime/src/run-app';
import { startWorkerApp } from '../../../libs/runtime/src/worker-app';
import { SchedulerModule } from './scheduler.module';

runApp('scheduler', async () => {
  const config = loadConfig(readEnvironment(), [
    DatabaseConfig,
    RabbitMqConfig,
    SchedulerConfig,
    SeriesConfig,
  ]);
  await startWorkerApp('scheduler', SchedulerModule.forRoot(config), config[2].httpPort);
});
