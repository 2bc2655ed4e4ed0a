import type { AddressInfo, Server } from 'node:net';
import { type DynamicModule, Logger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { useJsonLogs } from '../../observability/src/json-logs';

/**
 * Starts a worker app (scheduler, delivery): its work runs in the background; a small HTTP port
 * serves /health and /metrics. It stops cleanly on SIGTERM/SIGINT.
 */
export async function startWorkerApp(
  name: string,
  module: Type | DynamicModule,
  httpPort: number,
): Promise<void> {
  const app = await NestFactory.create(module, { abortOnError: false, bufferLogs: true });
  useJsonLogs(app);
  app.enableShutdownHooks();
  await app.listen(httpPort, '0.0.0.0');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  new Logger(name).log(
    `Ready; health at http://localhost:${port}/health/ready, metrics at http://localhost:${port}/metrics`,
  );
}
