import { type DynamicModule, Logger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/** Starts an app without HTTP (scheduler, delivery) that stops cleanly on SIGTERM/SIGINT. */
export async function startWorkerApp(name: string, module: Type | DynamicModule): Promise<void> {
  const app = await NestFactory.createApplicationContext(module);
  app.enableShutdownHooks();
  await app.init();
  new Logger(name).log('Started');
}
