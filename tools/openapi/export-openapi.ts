/**
 * Writes the API's OpenAPI document to openapi.json (`npm run openapi`). The API is built, not
 * started: only its database must be reachable (DATABASE_URL, the local one by default), since
 * building it applies migrations. A test compares the file with what the API serves, so CI fails
 * when the file is out of date.
 */
import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openApiDocument, createApiApp } from '../../apps/api/src/create-api-app';
import {
  ApiConfig,
  DatabaseConfig,
  loadConfig,
  RabbitMqConfig,
  readEnvironment,
  StorageConfig,
  SeriesConfig,
  TelegramConfig,
} from '../../libs/config/src';

export const OPENAPI_FILE = join(__dirname, '..', '..', '..', 'openapi.json');

async function main(): Promise<void> {
  const [database] = loadConfig(readEnvironment(), [DatabaseConfig]);
  // Nothing is served or sent: the other parts only have to be well-formed.
  const app = await createApiApp(
    [
      database,
      new RabbitMqConfig('amqp://127.0.0.1:5672', 'openapi'),
      new StorageConfig('127.0.0.1', 9000, false, 'openapi', 'openapi', 'openapi'),
      new ApiConfig(8000, [{ name: 'openapi', key: 'openapi-export-only' }], 1024, 1),
      new TelegramConfig('1:openapi', 'http://127.0.0.1:1/', 'polling'),
      new SeriesConfig(),
    ],
    { logger: false },
  );
  try {
    await writeFile(OPENAPI_FILE, `${JSON.stringify(openApiDocument(app), null, 2)}\n`);
    process.stdout.write(`Wrote ${OPENAPI_FILE}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
