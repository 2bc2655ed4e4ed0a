import type { AddressInfo, Server } from 'node:net';
import { type DynamicModule, type INestApplication, Logger, type Type } from '@nestjs/common';
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
  /** Connects the app's microservice (the transport it consumes from), if it has one. */
  connect?: (app: INestApplication) => void,
): Promise<void> {
  const app = await NestFactory.create(module, { abortOnError: false, bufferLogs: true });
  useJsonLogs(app);
  app.enableShutdownHooks();
  if (connect) {
    connect(app);
    // Consuming starts once the broker answers; meanwhile the app serves its health (the broker
    // reported down) rather than waiting for it.
    app
      .startAllMicroservices()
      .catch((error: unknown) =>
        new Logger(name).error(`The microservice did not start: ${String(error)}`),
      );
  }
  await app.listen(httpPort, '0.0.0.0');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  new Logger(name).log(
    `Ready; health at http://localhost:${port}/health/ready, metrics at http://localhost:${port}/metrics`,
  );
}
