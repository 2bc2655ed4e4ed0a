import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseConfig, loadConfig, readEnvironment } from '../../libs/config/src';
import { migrate } from '../../libs/database/src/migrate';
import { withAppHeapLimit } from '../../libs/runtime/src/heap-limit';
import { EXIT_CONFIG_ERROR } from '../../libs/runtime/src/run-app';
import { BotApiDouble } from './bot-api-double';
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from './local-s3';

/**
 * `npm start`: every app of the system in one terminal, as the seed's main.py ran its parts.
 * Restarts an app that crashes (with backoff), stops all of them on Ctrl+C. For a local run it
 * fills in what this machine lacks: an S3 endpoint when MINIO_ENDPOINT is not set, a Bot API
 * double when TELEGRAM_BOT_TOKEN is not set, and a development API key when API_KEYS is not set.
 */

const APPS = ['api', 'scheduler', 'delivery'] as const;
const DEVELOPMENT_API_KEY = 'local-development-key';
const LOCAL_TELEGRAM_TOKEN = '123456789:local-bot-api-double';
const STOP_TIMEOUT_MS = 10_000;
const root = resolve(__dirname, '..', '..', '..');

function say(source: string, line: string): void {
  process.stdout.write(`${source.padEnd(9)} | ${line}\n`);
}

interface Supervised {
  child: ChildProcess | undefined;
  startedAt: number;
  backoffMs: number;
  timer: NodeJS.Timeout | undefined;
}

async function main(): Promise<void> {
  const env: Record<string, string | undefined> = { ...readEnvironment() };
  // Readable lines in the terminal; deployments log JSON (LOG_FORMAT=json to see it here).
  env.LOG_FORMAT ??= 'text';
  // The heap limit the apps have in their containers (deploy/, compose), here too.
  env.NODE_OPTIONS = withAppHeapLimit(env.NODE_OPTIONS);
  let localS3: LocalS3 | undefined;
  if (!env.MINIO_ENDPOINT) {
    const directory = join(root, '.data', 's3');
    mkdirSync(directory, { recursive: true });
    localS3 = await startLocalS3({ directory, port: Number(env.LOCAL_S3_PORT ?? 9000) });
    Object.assign(env, {
      MINIO_ENDPOINT: localS3.host,
      MINIO_PORT: String(localS3.port),
      MINIO_USE_SSL: 'false',
      MINIO_ACCESS_KEY: LOCAL_S3_CREDENTIALS.accessKey,
      MINIO_SECRET_KEY: LOCAL_S3_CREDENTIALS.secretKey,
    });
    say(
      'start',
      `MINIO_ENDPOINT not set: local S3 endpoint on ${localS3.host}:${localS3.port}, data in .data/s3`,
    );
  }
  let telegramDouble: BotApiDouble | undefined;
  if (!env.TELEGRAM_BOT_TOKEN) {
    telegramDouble = new BotApiDouble();
    const url = await telegramDouble.start(Number(env.LOCAL_TELEGRAM_PORT ?? 8081));
    const quiet = new Set(['getUpdates', 'getMe', 'deleteWebhook', 'setWebhook']);
    telegramDouble.onCall = (call) =>
      (!quiet.has(call.method) || call.status !== 200) &&
      say(
        'telegram',
        `${call.method}${call.chatId ? ` to chat ${call.chatId}` : ''}${call.text ? `: ${JSON.stringify(call.text)}` : ''}${
          call.fileName
            ? `: ${call.fileName} (${call.fileSize} bytes, sha256 ${call.sha256?.slice(0, 12)}…)`
            : ''
        } → ${call.status}`,
      );
    Object.assign(env, { TELEGRAM_BOT_TOKEN: LOCAL_TELEGRAM_TOKEN, TELEGRAM_API_ROOT: url });
    say(
      'start',
      `TELEGRAM_BOT_TOKEN not set: sends go to a local Bot API double at ${url} (calls listed at ${url}/_calls)`,
    );
  }
  if (!env.API_KEYS) {
    env.API_KEYS = DEVELOPMENT_API_KEY;
    say('start', `API_KEYS not set: using the development key '${DEVELOPMENT_API_KEY}'`);
  }

  const [database] = loadConfig(env, [DatabaseConfig]);
  const applied = await migrate(database.url);
  say(
    'start',
    applied.length > 0
      ? `migrations applied: ${applied.join(', ')}`
      : 'database schema is up to date',
  );

  const supervised = new Map<string, Supervised>(
    APPS.map((app) => [app, { child: undefined, startedAt: 0, backoffMs: 1000, timer: undefined }]),
  );
  let stopping = false;

  const launch = (app: string) => {
    const state = supervised.get(app)!;
    // A process group of its own: Ctrl+C reaches the launcher alone, which stops the apps in order.
    const child = spawn(process.execPath, [join(root, 'dist', 'apps', app, 'src', 'main.js')], {
      cwd: root,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    state.child = child;
    state.startedAt = Date.now();
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => say(app, line));
    }
    child.on('exit', (code, signal) => {
      state.child = undefined;
      if (stopping) return;
      if (code === EXIT_CONFIG_ERROR) {
        say('start', `${app} refused its configuration; fix it and run npm start again`);
        void shutdown(EXIT_CONFIG_ERROR);
        return;
      }
      // A process that ran for a minute starts again quickly; one that keeps crashing, slower.
      if (Date.now() - state.startedAt > 60_000) state.backoffMs = 1000;
      say(
        'start',
        `${app} exited (${signal ?? `code ${code}`}); restarting in ${state.backoffMs / 1000} s`,
      );
      state.timer = setTimeout(() => launch(app), state.backoffMs);
      state.backoffMs = Math.min(state.backoffMs * 2, 30_000);
    });
  };

  const shutdown = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    say('start', 'stopping every app…');
    const exits = [...supervised.values()].map((state) => {
      clearTimeout(state.timer);
      const child = state.child;
      if (!child || child.exitCode !== null) return Promise.resolve();
      return new Promise<void>((done) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        child.once('exit', () => {
          clearTimeout(kill);
          done();
        });
        child.kill('SIGTERM');
      });
    });
    await Promise.all(exits);
    await localS3?.close();
    await telegramDouble?.stop();
    say('start', 'stopped');
    process.exit(exitCode);
  };

  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  for (const app of APPS) launch(app);
  say(
    'start',
    `API on http://localhost:${env.API_PORT ?? 8000} (docs at /docs, the web console at /console); Ctrl+C stops everything`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `npm start failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
