import 'reflect-metadata';
import type { AddressInfo, Server } from 'node:net';
import { Logger } from '@nestjs/common';
import {
  ApiConfig,
  DatabaseConfig,
  DeliveryConfig,
  RabbitMqConfig,
  SeriesConfig,
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
    SeriesConfig,
    // The limits previews are sent within: delivery's (TELEGRAM_PACING, the rates).
    DeliveryConfig,
  ]);
  const app = await createApiApp(config);
  await app.listen(config[3].port, '0.0.0.0');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const url = `http://localhost:${port}`;
  new Logger('api').log(
    `Ready; API at ${url}, docs at ${url}/docs, health at ${url}/health/ready, metrics at ${url}/metrics`,
  );
});
