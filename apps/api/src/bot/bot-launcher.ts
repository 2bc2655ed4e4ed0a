import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectBot } from 'nestjs-telegraf';
import type { Telegraf } from 'telegraf';
import { TelegramConfig } from '../../../../libs/config/src/config';
import {
  CheckpointStore,
  TELEGRAM_POLLING_LEASE as POLLING_LEASE,
} from '../../../../libs/event-store/src/checkpoint-store';
import { Metrics } from '../../../../libs/observability/src/metrics';
import type { ReadinessCheck } from '../../../../libs/observability/src/readiness';
import { countCalls } from '../../../../libs/telegram/src/count-calls';

export type BotStatus =
  | 'starting'
  /** This replica polls Telegram for updates. */
  | 'polling'
  /** Another replica holds the polling lease; this one waits to take over. */
  | 'standby'
  /** Telegram posts updates to the webhook. */
  | 'webhook'
  /** Telegram cannot be reached or refuses the token; retrying. */
  | 'retrying'
  | 'stopped';

// Only one process may poll a token: the one holding POLLING_LEASE.
const LEASE_MS = 30_000;
const MAX_BACKOFF_MS = 60_000;
const ALLOWED_UPDATES = ['message', 'my_chat_member', 'callback_query'] as const;

/**
 * Starts the bot in the background, so that the API serves whatever Telegram does: polling (under
 * a lease, so that one replica of many polls) or webhook (registered with its secret). When the
 * Bot API cannot be reached or the token is refused, it logs why and tries again with backoff.
 */
@Injectable()
export class BotLauncher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Bot');
  private readonly owner = `bot-${process.pid}-${randomUUID()}`;
  private running: Promise<void> | undefined;
  private stopping = false;
  private readonly abort = new AbortController();
  private renewal: NodeJS.Timeout | undefined;
  status: BotStatus = 'starting';
  lastError: string | undefined;

  constructor(
    @InjectBot() private readonly bot: Telegraf,
    private readonly config: TelegramConfig,
    private readonly leases: CheckpointStore,
    metrics: Metrics,
  ) {
    countCalls(bot.telegram, metrics);
    // nestjs-telegraf stops the bot at shutdown, and telegraf throws when it is not running
    // (webhook mode, a standby replica): stopping a bot that is not running is not an error here.
    const stop = bot.stop.bind(bot);
    bot.stop = (reason?: string) => {
      try {
        stop(reason);
      } catch {
        // not running
      }
    };
  }

  /** Telegram is reported, not required: the REST API serves while the Bot API is away. */
  readinessCheck(): ReadinessCheck {
    return {
      key: 'telegram',
      required: false,
      probe: () => {
        switch (this.status) {
          case 'polling':
          case 'webhook':
          case 'standby':
            return Promise.resolve({ mode: this.status });
          case 'retrying':
            return Promise.reject(new Error(`Bot API not reachable: ${this.lastError ?? ''}`));
          case 'starting':
          case 'stopped':
            return Promise.reject(new Error(`The bot is ${this.status}`));
        }
      },
    };
  }

  onApplicationBootstrap(): void {
    this.running = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    clearInterval(this.renewal);
    // telegraf may be between getMe and the start of polling, where stop() finds nothing to stop
    // yet: ask again until the launch has returned.
    let finished = this.running === undefined;
    void this.running?.finally(() => (finished = true));
    for (const deadline = Date.now() + 10_000; !finished && Date.now() < deadline;) {
      this.bot.stop('shutdown');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (this.config.mode === 'polling')
      await this.leases.release(POLLING_LEASE, this.owner).catch(() => undefined);
    this.status = 'stopped';
  }

  /** A pause that shutdown cuts short. */
  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.abort.signal }).catch(() => undefined);
  }

  private async run(): Promise<void> {
    let backoffMs = 1000;
    while (!this.stopping) {
      try {
        if (this.config.mode === 'webhook') {
          await this.registerWebhook();
          return;
        }
        const polled = await this.pollWhileLeaseHeld();
        if (polled) backoffMs = 1000;
        if (!polled && !this.stopping) await this.pause(LEASE_MS / 3);
      } catch (error) {
        clearInterval(this.renewal);
        if (this.stopping) return;
        this.status = 'retrying';
        this.lastError = error instanceof Error ? error.message : String(error);
        this.logger.warn(
          `Telegram not reachable (${this.lastError}); trying again in ${backoffMs / 1000} s`,
        );
        await this.pause(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async registerWebhook(): Promise<void> {
    this.bot.botInfo ??= await this.bot.telegram.getMe();
    await this.bot.telegram.setWebhook(this.config.webhookUrl!, {
      secret_token: this.config.webhookSecret!,
      allowed_updates: [...ALLOWED_UPDATES],
    });
    this.status = 'webhook';
    this.lastError = undefined;
    this.logger.log(`Webhook registered for @${this.bot.botInfo.username}`);
  }

  /** Polls while this replica holds the lease. Returns false at once when another one holds it. */
  private async pollWhileLeaseHeld(): Promise<boolean> {
    if (!(await this.leases.acquire(POLLING_LEASE, this.owner, LEASE_MS))) {
      if (this.status !== 'standby') this.logger.log('Another replica polls Telegram; standing by');
      this.status = 'standby';
      return false;
    }
    if (this.stopping) return false;
    this.renewal = setInterval(() => {
      this.leases.acquire(POLLING_LEASE, this.owner, LEASE_MS).then(
        (held) => {
          if (!held) {
            this.logger.warn('Lost the polling lease; stopping polling');
            this.bot.stop('lease lost');
          }
        },
        (error: unknown) => this.logger.warn(`Could not renew the polling lease: ${String(error)}`),
      );
    }, LEASE_MS / 3);
    // Resolves when polling stops (shutdown, lease lost); rejects when it cannot start or fails.
    await this.bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] }, () => {
      this.status = 'polling';
      this.lastError = undefined;
      this.logger.log(`Polling for @${this.bot.botInfo?.username ?? 'the bot'}`);
    });
    clearInterval(this.renewal);
    return true;
  }
}
