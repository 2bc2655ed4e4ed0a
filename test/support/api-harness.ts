import type { LoggerService } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { createApiApp } from '../../apps/api/src/create-api-app';
import {
  ApiConfig,
  DatabaseConfig,
  RabbitMqConfig,
  StorageConfig,
  SeriesConfig,
  TelegramConfig,
} from '../../libs/config/src/config';
import { ObjectStorage } from '../../libs/storage/src/object-storage';
import { BotApiDouble } from '../../tools/dev/bot-api-double';
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from '../../tools/dev/local-s3';
import { rabbitMqUrl } from './services';
import { createTestDatabase, type TestDatabase, testVhost } from './test-database';

export const TEST_API_KEY = 'test-key-0123456789abcdef';
export const TEST_BOT_TOKEN = '123456789:test-token';
export const TEST_WEBHOOK_SECRET = 'webhook-secret-0123456789';

export interface ApiHarness {
  readonly app: INestApplication;
  readonly server: Parameters<typeof import('supertest')>[0];
  readonly storage: ObjectStorage;
  readonly database: TestDatabase;
  readonly telegram: BotApiDouble;
  /** Every event in the log, in position order. */
  events(): Promise<
    {
      type: string;
      stream_id: string;
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
    }[]
  >;
  /** Every object key in the bucket. */
  objects(): Promise<string[]>;
  close(): Promise<void>;
}

/** The API wired to a database of its own, the run's vhost and a local S3 endpoint. */
export async function startApi(
  overrides: {
    maxFileBytes?: number;
    maxFiles?: number;
    telegramMode?: 'polling' | 'webhook';
    /** The Bot API double refuses the token (401) until a test says otherwise. */
    telegramRejectsToken?: boolean;
    idempotencyKeyTtlSeconds?: number;
    /** Off (0) unless a test asks: the suites send many requests a minute. */
    rateLimitPerMinute?: number;
    /** More keys than the tester's. */
    extraKeys?: { name: string; key: string }[];
    maxRecipients?: number;
    scheduleHorizonDays?: number;
    seriesMinIntervalMinutes?: number;
    seriesMaxActivePerKey?: number;
    /** Receives the API's log lines instead of silence. */
    logger?: LoggerService;
  } = {},
): Promise<ApiHarness> {
  const database = await createTestDatabase();
  const directory = await mkdtemp(join(tmpdir(), 'api-s3-'));
  const s3: LocalS3 = await startLocalS3({ directory });
  const telegram = new BotApiDouble();
  if (overrides.telegramRejectsToken) telegram.acceptedToken = 'another-token';
  await telegram.start();
  const storageConfig = new StorageConfig(
    s3.host,
    s3.port,
    false,
    LOCAL_S3_CREDENTIALS.accessKey,
    LOCAL_S3_CREDENTIALS.secretKey,
    'attachments-test',
  );
  const app = await createApiApp(
    [
      new DatabaseConfig(database.url),
      new RabbitMqConfig(rabbitMqUrl(testVhost()), `events-${database.name}`),
      storageConfig,
      new ApiConfig(
        8000,
        [{ name: 'tester', key: TEST_API_KEY }, ...(overrides.extraKeys ?? [])],
        overrides.maxFileBytes ?? 50 * 1024 * 1024,
        overrides.maxFiles ?? 10,
        overrides.idempotencyKeyTtlSeconds ?? 86_400,
        overrides.rateLimitPerMinute ?? 0,
        overrides.maxRecipients ?? 1000,
        overrides.scheduleHorizonDays ?? 3650,
      ),
      new TelegramConfig(
        TEST_BOT_TOKEN,
        telegram.url,
        overrides.telegramMode ?? 'polling',
        overrides.telegramMode === 'webhook'
          ? 'https://bot.example.com/telegram/webhook'
          : undefined,
        overrides.telegramMode === 'webhook' ? TEST_WEBHOOK_SECRET : undefined,
      ),
      new SeriesConfig(
        overrides.seriesMinIntervalMinutes ?? 15,
        overrides.seriesMaxActivePerKey ?? 100,
      ),
    ],
    { logger: overrides.logger ?? (process.env.TEST_LOGS ? undefined : false) },
  );
  await app.init();
  const orm = app.get<MikroORM>(MikroORM);
  const storage = app.get(ObjectStorage);
  return {
    app,
    server: app.getHttpServer(),
    storage,
    database,
    telegram,
    events: async () =>
      orm.em.fork().execute('SELECT type, stream_id, data, metadata FROM events ORDER BY position'),
    objects: async () => storage.list(),
    close: async () => {
      await app.close();
      await telegram.stop();
      await s3.close();
      await rm(directory, { recursive: true, force: true });
      await database.drop();
    },
  };
}
