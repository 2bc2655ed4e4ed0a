import 'reflect-metadata';
import {
  DatabaseConfig,
  RabbitMqConfig,
  StorageConfig,
  TelegramConfig,
  DeliveryConfig,
  loadConfig,
  readEnvironment,
} from '../../../libs/config/src';
import { runApp } from '../../../libs/runtime/src/run-app';
import { startWorkerApp } from '../../../libs/runtime/src/worker-app';
import { DeliveryModule } from './delivery.module';
import { DeliveryQueues } from './delivery-queues';

runApp('delivery', async () => {
  const config = loadConfig(readEnvironment(), [
    DatabaseConfig,
    RabbitMqConfig,
    StorageConfig,
    TelegramConfig,
    DeliveryConfig,
  ]);
  await startWorkerApp('delivery', DeliveryModule.forRoot(config), config[4].httpPort, (app) => {
    for (const server of app.get(DeliveryQueues).servers)
      app.connectMicroservice({ strategy: server });
  });
});
