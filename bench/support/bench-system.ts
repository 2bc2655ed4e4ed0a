import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { migrate } from '../../libs/database/src/migrate';
import { withAppHeapLimit } from '../../libs/runtime/src/heap-limit';
import { BotApiDouble } from '../../tools/dev/bot-api-double';
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from '../../tools/dev/local-s3';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..', '..');

export const POSTGRES_ADMIN_URL =
  process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RABBITMQ_BASE_URL = process.env.BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const BOT_TOKEN = '123456789:bench-bot-api-double';
export const BENCH_API_KEY = 'bench-api-key-for-this-run';

export type AppName = 'api' | 'scheduler' | 'delivery';

export interface BenchApp {
  readonly name: AppName;
  readonly pid: number;
  /** The app's health and metrics (for the API: everything) base URL. */
  readonly url: string;
  readonly logFile: string;
  /** SIGTERM, then wait for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
}

export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('No port');
  return address.port;
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * The whole system for a benchmark, as a deployment runs it: a database and a RabbitMQ vhost of
 * its own, a local S3 endpoint, the Bot API double in this process, and each app as a process
 * started from dist/ and logging (JSON, level info) to a file. `stop()` removes all of it.
 */
export class BenchSystem {
  readonly telegram = new BotApiDouble();
  readonly apps = new Set<BenchApp>();
  private readonly running = new Map<AppName, { app: BenchApp; key: string }>();
  private readonly name = `sm_bench_${process.pid}_${Date.now().toString(36)}`;
  private s3: LocalS3 | undefined;
  private directory = '';
  private env: Record<string, string> = {};
  private apiPort = 0;
  private admin: Client | undefined;

  async start(): Promise<void> {
    if (!existsSync(join(ROOT, 'dist', 'apps', 'delivery', 'src', 'main.js'))) {
      throw new Error('dist/ is missing: run `npm run build` first');
    }
    this.directory = await mkdtemp(join(tmpdir(), 'sm-bench-'));
    await withAdminClient((client) => client.query(`CREATE DATABASE "${this.name}"`));
    await migrate(databaseUrl(this.name));
    await run('rabbitmqctl', ['-q', 'add_vhost', this.name]);
    await run('rabbitmqctl', ['-q', 'set_permissions', '-p', this.name, 'guest', '.*', '.*', '.*']);
    this.s3 = await startLocalS3({ directory: join(this.directory, 's3') });
    await this.telegram.start();
    this.apiPort = await freePort();
    this.env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl(this.name),
      RABBITMQ_URL: `${RABBITMQ_BASE_URL}/${this.name}`,
      RABBITMQ_EXCHANGE: 'events',
      MINIO_ENDPOINT: this.s3.host,
      MINIO_PORT: String(this.s3.port),
      MINIO_USE_SSL: 'false',
      MINIO_ACCESS_KEY: LOCAL_S3_CREDENTIALS.accessKey,
      MINIO_SECRET_KEY: LOCAL_S3_CREDENTIALS.secretKey,
      MINIO_BUCKET: 'bench',
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_ROOT: this.telegram.url,
      API_KEYS: BENCH_API_KEY,
      API_PORT: String(this.apiPort),
      // Throughput is what is measured: the per-key limit (a policy, not a capacity) is off.
      API_RATE_LIMIT_PER_MINUTE: '0',
      SCHEDULER_HTTP_PORT: '0',
      DELIVERY_HTTP_PORT: '0',
    };
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  get databaseUrl(): string {
    return databaseUrl(this.name);
  }

  private appsStarted = 0;

  /** Starts an app from dist/ and waits until it says it is ready. */
  private async startApp(name: AppName, extraEnv: Record<string, string>): Promise<BenchApp> {
    // Numbered by start, not by the apps running: an app that replaces a stopped one gets a log
    // of its own (in the other's, its readiness would be read from the first app's lines).
    const logFile = join(this.directory, `${name}-${this.appsStarted++}.log`);
    // BENCH_CPU_PROFILE=delivery (say): that app writes a .cpuprofile into BENCH_PROFILE_DIR when it stops.
    const profile =
      process.env.BENCH_CPU_PROFILE === name
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${resolve(process.env.BENCH_PROFILE_DIR ?? 'bench-profiles')}`,
          ]
        : [];
    // BENCH_COUNT_QUERIES=/tmp/counts: every app writes the count of each SQL statement it sent.
    const countQueries = process.env.BENCH_COUNT_QUERIES
      ? ['--require', join(ROOT, 'dist', 'bench', 'support', 'count-queries.js')]
      : [];
    const fd = openSync(logFile, 'a');
    const child: ChildProcess = spawn(
      process.execPath,
      [...profile, ...countQueries, join(ROOT, 'dist', 'apps', name, 'src', 'main.js')],
      {
        cwd: ROOT,
        env: {
          ...this.env,
          ...(process.env.BENCH_COUNT_QUERIES
            ? { BENCH_COUNT_QUERIES: process.env.BENCH_COUNT_QUERIES }
            : {}),
          ...extraEnv,
          // As in its container, unless the scenario sets its own (e.g. a lower heap limit).
          NODE_OPTIONS: withAppHeapLimit(extraEnv.NODE_OPTIONS),
        },
        stdio: ['ignore', fd, fd],
      },
    );
    closeSync(fd);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const app: BenchApp = {
      name,
      pid: child.pid!,
      logFile,
      url: '',
      stop: async () => {
        this.apps.delete(app);
        if (child.exitCode !== null || child.signalCode !== null) return;
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(timer);
      },
      kill: async () => {
        this.apps.delete(app);
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGKILL');
        await exited;
      },
    };
    this.apps.add(app);
    let url: string | undefined;
    await waitFor(
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`${name} exited: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
        }
        if (name === 'api') {
          // The API's port is known: ready when it answers (whatever LOG_LEVEL says).
          const live = await fetch(`${this.apiUrl}/health/live`).catch(() => undefined);
          if (live?.ok) url = this.apiUrl;
        } else {
          url = /metrics at (http:\/\/localhost:\d+)\/metrics/.exec(
            readFileSync(logFile, 'utf8'),
          )?.[1];
        }
        return url !== undefined;
      },
      30_000,
      `${name} to be ready`,
    );
    return { ...app, url: url!.replace('/localhost:', '/127.0.0.1:') };
  }

  /**
   * The app running with exactly this extra environment: the one already running, or a new one
   * (stopping one started with other settings). `fresh` always starts a new process.
   */
  async ensureApp(
    name: AppName,
    extraEnv: Record<string, string> = {},
    options: { fresh?: boolean } = {},
  ): Promise<BenchApp> {
    const key = JSON.stringify(extraEnv);
    const current = this.running.get(name);
    if (current && current.key === key && !options.fresh) return current.app;
    this.running.delete(name);
    await current?.app.stop();
    const app = await this.startApp(name, extraEnv);
    this.running.set(name, { app, key });
    return app;
  }

  /** One more process of an app (a second delivery replica), stopped with the system. */
  async startAnother(name: AppName, extraEnv: Record<string, string> = {}): Promise<BenchApp> {
    return this.startApp(name, extraEnv);
  }

  /** Stops the running app of that name, if any (the next ensureApp starts a new one). */
  async stopApp(name: AppName): Promise<void> {
    const current = this.running.get(name);
    this.running.delete(name);
    await current?.app.stop();
  }

  /** The system's RabbitMQ (its own vhost) and exchange. */
  get rabbitMq(): { url: string; exchange: string } {
    return { url: `${RABBITMQ_BASE_URL}/${this.name}`, exchange: 'events' };
  }

  /** Subscribes `count` chats (ids from 10,000,001) through the API; returns their user ids. */
  async subscribe(
    count: number,
    firstChatId = 10_000_001,
  ): Promise<{ userId: string; chatId: string }[]> {
    const subscribed: { userId: string; chatId: string }[] = [];
    for (let n = 0; n < count; n++) {
      const chatId = String(firstChatId + n);
      const answer = await this.request('POST', '/subscribe-user', {
        chat_id: chatId,
        chat_name: `bench-${chatId}`,
      });
      subscribed.push({ userId: (answer as { user_id: string }).user_id, chatId });
    }
    return subscribed;
  }

  /** Schedules a message through the API (multipart, as clients do); returns its id. */
  async schedule(message: {
    recipients: readonly string[];
    text: string;
    at: Date;
    file?: { readonly name: string; readonly content: Buffer };
    /** More files, after `file`. */
    files?: readonly { readonly name: string; readonly content: Buffer }[];
    /** Other form fields (send options). */
    fields?: Readonly<Record<string, string>>;
  }): Promise<string> {
    const form = new FormData();
    form.set('target_user_id', message.recipients.join(','));
    form.set('message', message.text);
    form.set('scheduled_timestamp', message.at.toISOString());
    for (const [name, value] of Object.entries(message.fields ?? {})) form.set(name, value);
    for (const file of [...(message.file ? [message.file] : []), ...(message.files ?? [])])
      form.append('files', new Blob([file.content]), file.name);
    const response = await fetch(`${this.apiUrl}/schedule-message`, {
      method: 'POST',
      headers: { 'X-API-Key': BENCH_API_KEY },
      body: form,
    });
    const body = (await response.json()) as { id: string };
    if (!response.ok)
      throw new Error(`schedule-message: ${response.status} ${JSON.stringify(body)}`);
    return body.id;
  }

  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { 'X-API-Key': BENCH_API_KEY, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer: unknown = await response.json();
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  }

  /** One query on the system's database. */
  async query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (!this.admin) {
      this.admin = new Client({ connectionString: this.databaseUrl });
      await this.admin.connect();
    }
    return (await this.admin.query<T>(sql, params)).rows;
  }

  /** Waits until every message has its MessageSent. */
  async waitUntilSent(messageIds: readonly string[], timeoutMs: number): Promise<void> {
    await waitFor(
      async () => {
        const [row] = await this.query<{ sent: string }>(
          `SELECT count(*) AS sent FROM events WHERE type = 'MessageSent' AND data->>'messageId' = ANY($1)`,
          [messageIds],
        );
        return Number(row?.sent) === messageIds.length;
      },
      timeoutMs,
      `${messageIds.length} message(s) to be sent`,
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.apps].map((app) => app.stop()));
    await this.admin?.end().catch(() => undefined);
    await this.telegram.stop();
    await this.s3?.close();
    await withAdminClient((client) =>
      client.query(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`),
    ).catch(() => undefined);
    await run('rabbitmqctl', ['-q', 'delete_vhost', this.name]).catch(() => undefined);
    // BENCH_KEEP_LOGS=/tmp/logs: each app's log is copied there before the rest is removed.
    const keep = process.env.BENCH_KEEP_LOGS;
    if (keep && this.directory) {
      await mkdir(keep, { recursive: true });
      for (const file of await readdir(this.directory)) {
        if (file.endsWith('.log')) await copyFile(join(this.directory, file), join(keep, file));
      }
    }
    if (this.directory) await rm(this.directory, { recursive: true, force: true });
  }
}

/** A small JPEG's bytes (its signature and JFIF header), told apart by `fill`: a photo to send. */
export function jpegBytes(fill: number): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]),
    Buffer.alloc(256, fill),
  ]);
}

/** The longest event-loop stall of an app since the last call (prom-client resets it per scrape). */
export async function loopLagMaxMs(baseUrl: string): Promise<number> {
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = /^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? (\S+)/m.exec(metrics);
  return line ? Number(line[1]) * 1000 : Number.NaN;
}
