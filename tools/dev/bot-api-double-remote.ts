import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type BotApiDouble,
  botViolationWindowsIn,
  deliveredIn,
  type InjectedFailure,
  limitViolationsIn,
  PAID_PER_SECOND,
  type RecordedCall,
} from './bot-api-double';

/** The double's entry point, built: beside this file in dist/, or in dist/ when this runs from source. */
function entryPoint(): string {
  const beside = join(__dirname, 'bot-api-double-process.js');
  if (existsSync(beside)) return beside;
  const built = join(
    resolve(__dirname, '..', '..'),
    'dist',
    'tools',
    'dev',
    'bot-api-double-process.js',
  );
  if (!existsSync(built)) throw new Error(`${built} is missing: \`npm run build\` first`);
  return built;
}

/**
 * The Bot API double in a process of its own (`bot-api-double-process.ts`), driven over its HTTP
 * control routes: for measures taken from the double's arrival stamps, which a busy test or
 * benchmark process would stamp late.
 */
export class BotApiDoubleProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(
    options: { latencyMs?: number; limits?: BotApiDouble['enforcedLimits'] } = {},
  ): Promise<BotApiDoubleProcess> {
    const child = spawn(process.execPath, [entryPoint()], {
      env: {
        PATH: process.env.PATH ?? '',
        DOUBLE_LATENCY_MS: String(options.latencyMs ?? 0),
        ...(options.limits ? { DOUBLE_LIMITS: JSON.stringify(options.limits) } : {}),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const listening = /listening (\S+)/.exec(out);
        if (listening) resolveUrl(listening[1]!);
      });
      child.once('exit', (code) => reject(new Error(`The double's process exited (${code})`)));
    });
    return new BotApiDoubleProcess(child, url);
  }

  /** Every call received so far. */
  async calls(): Promise<RecordedCall[]> {
    return (await this.get('/_calls')) as RecordedCall[];
  }

  async delivered(chatId?: string): Promise<RecordedCall[]> {
    return deliveredIn(await this.calls(), chatId);
  }

  async limitViolations(
    perSecond = 30,
    groupPerMinute = 20,
    paidPerSecond = PAID_PER_SECOND,
  ): Promise<{ bot: number; chat: number; group: number }> {
    return limitViolationsIn(await this.calls(), perSecond, groupPerMinute, paidPerSecond);
  }

  async botViolationWindows(perSecond = 30): Promise<string[]> {
    return botViolationWindowsIn(await this.calls(), perSecond, await this.loopMaxMs(false));
  }

  /** The longest stall of the double's event loop since the last reset (and resets it if asked). */
  async loopMaxMs(reset = true): Promise<number> {
    return ((await this.get(`/_loop?keep=${String(!reset)}`)) as { maxMs: number }).maxMs;
  }

  async failNext(count: number, failure: InjectedFailure): Promise<void> {
    await this.post('/_fail', { count, failure });
  }

  /** The chat blocked the bot: its sends are refused with 403 from now on. */
  async block(chatId: string): Promise<void> {
    await this.post('/_blocked', { chat_id: chatId });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((done) => this.child.once('exit', done));
    this.child.kill('SIGTERM');
    await exited;
  }

  private async get(path: string): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    return response.json();
  }

  private async post(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status}`);
    await response.arrayBuffer();
  }
}
