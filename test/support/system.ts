import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
import { withAppHeapLimit } from '../../libs/runtime/src/heap-limit';
import { ObjectStorage } from '../../libs/storage/src/object-storage';
import { BotApiDouble } from '../../tools/dev/bot-api-double';
import { BotApiDoubleProcess } from '../../tools/dev/bot-api-double-remote';
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from '../../tools/dev/local-s3';
import { TEST_API_KEY, TEST_BOT_TOKEN } from './api-harness';
import { rabbitMqUrl } from './services';
import { createTestDatabase, type TestDatabase, testVhost } from './test-database';

const ROOT = resolve(__dirname, '..', '..');

export interface AppProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<number | null>;
  /** SIGTERM, and wait for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/**
 * The whole system for an end-to-end test: its own database, the run's RabbitMQ vhost with an
 * exchange of its own, a local S3 endpoint, the Bot API double, the API in this process and the
 * scheduler and delivery apps as real processes, run from the build in dist/.
 */
export class TestSystem {
  readonly telegram = new BotApiDouble();
  readonly processes: AppProcess[] = [];
  api!: INestApplication;
  orm!: MikroORM;
  storage!: ObjectStorage;
  private database!: TestDatabase;
  private s3!: LocalS3;
  private s3Directory!: string;
  private env: Record<string, string> = {};
  private doubleProcess: BotApiDoubleProcess | undefined;

  constructor(
    private readonly tickMs = 1000,
    /** TELEGRAM_PAID_BROADCAST for the API (apps spawned take it from their environment). */
    private readonly paidBroadcast = false,
    /**
     * The Bot API double in a process of its own (`remoteTelegram`) instead of this one
     * (`telegram`): for a test that judges the bot's limits by the double's arrival stamps, which
     * this process — serving the API and the local S3 as well — would stamp late when busy.
     */
    private readonly doubleInOwnProcess = false,
    /**
     * SCHEDULER_LEAD_MS: 0 unless a suite asks, as most suites change or cancel messages shortly
     * before their time and would race the hand-over; the lead has tests of its own.
     */
    private readonly schedulerLeadMs = 0,
  ) {}

  /** The double in its own process, for a system started with `doubleInOwnProcess`. */
  get remoteTelegram(): BotApiDoubleProcess {
    if (!this.doubleProcess) throw new Error('The double runs in this process: use `telegram`');
    return this.doubleProcess;
  }

  async start(): Promise<void> {
    if (!existsSync(join(ROOT, 'dist', 'apps', 'delivery', 'src', 'main.js'))) {
      throw new Error('dist/ is missing: `npm run build` first (npm test does)');
    }
    this.database = await createTestDatabase();
    this.s3Directory = await mkdtemp(join(tmpdir(), 'system-s3-'));
    this.s3 = await startLocalS3({ directory: this.s3Directory });
    let telegramUrl: string;
    if (this.doubleInOwnProcess) {
      this.doubleProcess = await BotApiDoubleProcess.start();
      telegramUrl = this.doubleProcess.url;
    } else {
      telegramUrl = await this.telegram.start();
    }
    const exchange = `events-${this.database.name}`;
    this.env = {
      DATABASE_URL: this.database.url,
      RABBITMQ_URL: rabbitMqUrl(testVhost()),
      RABBITMQ_EXCHANGE: exchange,
      MINIO_ENDPOINT: this.s3.host,
      MINIO_PORT: String(this.s3.port),
      MINIO_USE_SSL: 'false',
      MINIO_ACCESS_KEY: LOCAL_S3_CREDENTIALS.accessKey,
      MINIO_SECRET_KEY: LOCAL_S3_CREDENTIALS.secretKey,
      MINIO_BUCKET: 'system-test',
      TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_API_ROOT: telegramUrl,
      SCHEDULER_TICK_MS: String(this.tickMs),
      SCHEDULER_LEAD_MS: String(this.schedulerLeadMs),
      // Several schedulers and delivery apps run at once: each takes a free port.
      SCHEDULER_HTTP_PORT: '0',
      DELIVERY_HTTP_PORT: '0',
      DELIVERY_MAX_ATTEMPTS: '3',
      NO_COLOR: '1',
    };
    this.api = await createApiApp(
      [
        new DatabaseConfig(this.database.url),
        new RabbitMqConfig(rabbitMqUrl(testVhost()), exchange),
        new StorageConfig(
          this.s3.host,
          this.s3.port,
          false,
          LOCAL_S3_CREDENTIALS.accessKey,
          LOCAL_S3_CREDENTIALS.secretKey,
          'system-test',
        ),
        new ApiConfig(
          8000,
          [{ name: 'tester', key: TEST_API_KEY }],
          50 * 1024 * 1024,
          // More than Telegram's ten to an album (MAX_FILES_PER_MESSAGE goes up to 100).
          20,
          86_400,
          0,
        ),
        new TelegramConfig(
          TEST_BOT_TOKEN,
          telegramUrl,
          'polling',
          undefined,
          undefined,
          this.paidBroadcast,
        ),
        // Series as often as every minute, so that a test sees several occurrences.
        new SeriesConfig(1),
      ],
      { logger: false },
    );
    await this.api.init();
    this.orm = this.api.get<MikroORM>(MikroORM);
    this.storage = this.api.get(ObjectStorage);
  }

  get server() {
    return this.api.getHttpServer() as Parameters<typeof import('supertest')>[0];
  }

  /** Starts an app from dist/ with the system's environment. */
  spawn(name: 'scheduler' | 'delivery' | 'api', extraEnv: Record<string, string> = {}): AppProcess {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', name, 'src', 'main.js')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...this.env,
        ...extraEnv,
        NODE_OPTIONS: withAppHeapLimit(extraEnv.NODE_OPTIONS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const handle: AppProcess = {
      name,
      child,
      output,
      exited,
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(timer);
      },
      kill: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGKILL');
        await exited;
      },
    };
    this.processes.push(handle);
    return handle;
  }

  get databaseUrl(): string {
    return this.database.url;
  }

  /** The base URL of an app's health and metrics port, once it said it is ready. */
  async httpUrl(app: AppProcess, timeoutMs = 20_000): Promise<string> {
    let url: string | undefined;
    await waitUntil(
      () => {
        url = /metrics at (http:\/\/localhost:\d+)\/metrics/.exec(app.output.join(''))?.[1];
        return url !== undefined;
      },
      timeoutMs,
      `${app.name} to be ready`,
    );
    return url!;
  }

  /** Every event in the log, in position order. */
  async events(
    streamId?: string,
  ): Promise<
    { type: string; stream_id: string; data: Record<string, unknown>; recorded_at: Date }[]
  > {
    return this.orm.em
      .fork()
      .execute(
        `SELECT type, stream_id, data, recorded_at FROM events ${streamId ? 'WHERE stream_id = ?' : ''} ORDER BY position`,
        streamId ? [streamId] : [],
      );
  }

  /** The output of every app process, for a failing test's message. */
  logs(): string {
    return this.processes
      .map((process) => `--- ${process.name}\n${process.output.join('')}`)
      .join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((process) => process.stop()));
    await this.api?.close();
    await this.telegram.stop();
    await this.doubleProcess?.stop();
    await this.s3?.close();
    await rm(this.s3Directory, { recursive: true, force: true });
    await this.database?.drop();
  }
}

export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
