import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import {
  ApiConfig,
  DatabaseConfig,
  RabbitMqConfig,
  StorageConfig,
  TelegramConfig,
  loadConfig,
  readEnvironment,
} from '../../../libs/config/src';
import { runApp } from '../../../libs/runtime/src/run-app';
import { createApiApp } from './create-api-app';

runApp('api', async () => {
  const config = loadConfig(readEnvironment(), [
    DatabaseConfig,
    RabbitMqConfig,
    StorageConfig,
    ApiConfig,
    TelegramConfig,
  ]);
  const app = await createApiApp(config);
  await app.listen(config[3].port, '0.0.0.0');
  new Logger('api').log(`Listening on port ${config[3].port}; documentation at /docs`);
});
