import { ConfigError, type Environment, EnvReader } from './env-reader';
import { AUDIENCE_PART_SIZE } from '../../domain/src/scheduled-message';

/**
 * Each part of the configuration is a class, injected by its class. An app names the parts it
 * needs; they are validated together, once, at start.
 */

export class DatabaseConfig {
  constructor(readonly url: string) {}

  static fromEnv(env: EnvReader): DatabaseConfig {
    return new DatabaseConfig(
      env.url('DATABASE_URL', {
        expected: 'a Postgres URL such as postgres://postgres@127.0.0.1:5432/scheduled_messages',
        protocols: ['postgres:', 'postgresql:'],
        default: 'postgres://postgres@127.0.0.1:5432/scheduled_messages',
      }),
    );
  }
}

export class RabbitMqConfig {
  constructor(
    readonly url: string,
    readonly exchange: string,
  ) {}

  static fromEnv(env: EnvReader): RabbitMqConfig {
    return new RabbitMqConfig(
      env.url('RABBITMQ_URL', {
        expected: 'an AMQP URL such as amqp://guest:guest@127.0.0.1:5672 (a vhost may follow)',
        protocols: ['amqp:', 'amqps:'],
        default: 'amqp://guest:guest@127.0.0.1:5672',
      }),
      env.string('RABBITMQ_EXCHANGE', {
        expected: 'an exchange name of letters, digits, ".", "-" or "_"',
        pattern: /^[A-Za-z0-9._-]{1,255}$/,
        default: 'scheduled-messages.events',
      }),
    );
  }
}

export class StorageConfig {
  constructor(
    readonly endPoint: string,
    readonly port: number,
    readonly useSSL: boolean,
    readonly accessKey: string,
    readonly secretKey: string,
    readonly bucket: string,
  ) {}

  static fromEnv(env: EnvReader): StorageConfig {
    return new StorageConfig(
      env.string('MINIO_ENDPOINT', {
        expected: 'the object store host name, such as minio or 127.0.0.1',
        pattern: /^[A-Za-z0-9.-]+$/,
      }),
      env.integer('MINIO_PORT', {
        expected: 'a port number (1-65535)',
        min: 1,
        max: 65535,
        default: 9000,
      }),
      env.boolean('MINIO_USE_SSL', { expected: 'true or false', default: false }),
      env.string('MINIO_ACCESS_KEY', { expected: 'the object store access key' }),
      env.string('MINIO_SECRET_KEY', { expected: 'the object store secret key', secret: true }),
      env.string('MINIO_BUCKET', {
        expected: 'a bucket name: 3-63 lower-case letters, digits, "." or "-"',
        pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        default: 'scheduled-messages',
      }),
    );
  }
}

export interface ApiKey {
  /** Recorded as the actor of every event the key's requests cause. */
  readonly name: string;
  readonly key: string;
}

export class ApiConfig {
  constructor(
    readonly port: number,
    readonly apiKeys: readonly ApiKey[],
    readonly maxFileBytes: number,
    readonly maxFilesPerMessage: number,
    /** How long an Idempotency-Key is remembered. */
    readonly idempotencyKeyTtlSeconds: number = 86_400,
    /** Requests per minute one API key may make; 0 turns the limit off. */
    readonly rateLimitPerMinute: number = 600,
    readonly maxRecipientsPerMessage: number = 1000,
    /** How far ahead a message may be scheduled. */
    readonly scheduleHorizonDays: number = 3650,
  ) {}

  static fromEnv(env: EnvReader): ApiConfig {
    const rawKeys = env.string('API_KEYS', {
      expected:
        'a comma-separated list of API keys, each "key" or "name:key", at least 16 characters',
      secret: true,
    });
    return new ApiConfig(
      env.integer('API_PORT', {
        expected: 'a port number (1-65535), or 0 for any free port',
        min: 0,
        max: 65535,
        default: 8000,
      }),
      rawKeys === undefined ? [] : parseApiKeys(rawKeys, env),
      env.integer('MAX_FILE_SIZE_BYTES', {
        expected: 'a size in bytes up to 52428800 (Telegram bots may send files of at most 50 MB)',
        min: 1,
        max: 50 * 1024 * 1024,
        default: 50 * 1024 * 1024,
      }),
      env.integer('MAX_FILES_PER_MESSAGE', {
        expected: 'a whole number from 0 to 100',
        min: 0,
        max: 100,
        default: 10,
      }),
      env.integer('IDEMPOTENCY_KEY_TTL_SECONDS', {
        expected: 'how long an Idempotency-Key is remembered, 1 to 2592000 seconds (30 days)',
        min: 1,
        max: 2_592_000,
        default: 86_400,
      }),
      env.integer('API_RATE_LIMIT_PER_MINUTE', {
        expected: 'requests per minute per API key, 0 (no limit) to 1000000',
        min: 0,
        max: 1_000_000,
        default: 600,
      }),
      env.integer('MAX_RECIPIENTS_PER_MESSAGE', {
        expected: 'recipients of one message, 1 to 100000',
        min: 1,
        max: 100_000,
        default: 1000,
      }),
      env.integer('SCHEDULE_HORIZON_DAYS', {
        expected: 'how many days ahead a message may be scheduled, 1 to 36500',
        min: 1,
        max: 36_500,
        default: 3650,
      }),
    );
  }
}

function parseApiKeys(raw: string, env: EnvReader): ApiKey[] {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const keys = entries.map((entry, index): ApiKey => {
    const separator = entry.indexOf(':');
    return separator > 0
      ? { name: entry.slice(0, separator), key: entry.slice(separator + 1) }
      : { name: `key-${index + 1}`, key: entry };
  });
  if (keys.length === 0 || keys.some((key) => key.key.length < 16)) {
    env.problems.push(
      'API_KEYS is (hidden): expected a comma-separated list of API keys, each "key" or "name:key", at least 16 characters',
    );
  }
  return keys;
}

/**
 * A message is handed to delivery this long before its time: what comes before a send (marking
 * it due, the broker, delivery's lease and reads) is done by its time, even for thousands due at
 * one instant (bench: series). A second and a half, not a whole number of seconds: most messages
 * are due on a whole second (10:00:00), so those due at one second are handed over and prepared
 * half a second away from the sends of another (bench: series, p50 30 → 13 ms, p99 96 → 60 ms
 * against a 2 s lead in one session).
 */
export const DEFAULT_LEAD_MS = 1500;

export class SchedulerConfig {
  constructor(
    readonly tickMs: number,
    /** Health and metrics; 0 takes any free port. */
    readonly httpPort: number = 8001,
    /**
     * How long before its time a message is handed to delivery (MessageDue), which holds it until
     * its time: from then on it can no longer be cancelled or moved.
     */
    readonly leadMs: number = DEFAULT_LEAD_MS,
  ) {}

  static fromEnv(env: EnvReader): SchedulerConfig {
    return new SchedulerConfig(
      env.integer('SCHEDULER_TICK_MS', {
        expected: 'milliseconds between scheduler ticks, 100 to 3600000',
        min: 100,
        max: 3_600_000,
        default: 5000,
      }),
      env.integer('SCHEDULER_HTTP_PORT', {
        expected: "the scheduler's health and metrics port, 0 (any free port) to 65535",
        min: 0,
        max: 65535,
        default: 8001,
      }),
      env.integer('SCHEDULER_LEAD_MS', {
        expected:
          'milliseconds before its time a message is handed to delivery, 0 (at its time) to 10000',
        min: 0,
        // Held messages go back to the queue on shutdown; the cap keeps a lead short beside
        // the grace period of a rolling restart and the lease of held work.
        max: 10_000,
        default: DEFAULT_LEAD_MS,
      }),
    );
  }
}

/** Recurring series: how often a rule may fire, how many a key may keep, how late downtime may send. */
export class SeriesConfig {
  constructor(
    /** A rule may not fire more often than this. */
    readonly minIntervalMinutes: number = 15,
    /** Series per API key that have not ended. */
    readonly maxActivePerKey: number = 100,
    /** An occurrence that passed while the system was down is sent on recovery up to this late. */
    readonly graceSeconds: number = 3600,
  ) {}

  static fromEnv(env: EnvReader): SeriesConfig {
    return new SeriesConfig(
      env.integer('SERIES_MIN_INTERVAL_MINUTES', {
        expected: 'the fewest minutes between two occurrences of a rule, 1 to 1440',
        min: 1,
        max: 1440,
        default: 15,
      }),
      env.integer('SERIES_MAX_ACTIVE_PER_KEY', {
        expected: 'series per API key that have not ended, 1 to 1000000',
        min: 1,
        max: 1_000_000,
        default: 100,
      }),
      env.integer('SERIES_GRACE_SECONDS', {
        expected:
          'how late an occurrence missed during downtime may still be sent, 0 to 604800 seconds',
        min: 0,
        max: 604_800,
        default: 3600,
      }),
    );
  }
}

export class TelegramConfig {
  constructor(
    readonly botToken: string,
    readonly apiRoot: string,
    readonly mode: 'polling' | 'webhook',
    /** With mode webhook: the public HTTPS URL Telegram posts updates to. */
    readonly webhookUrl: string | undefined = undefined,
    /** With mode webhook: the secret Telegram sends in X-Telegram-Bot-Api-Secret-Token. */
    readonly webhookSecret: string | undefined = undefined,
    /** TELEGRAM_PAID_BROADCAST=on: messages may ask for paid broadcasts (`paid_broadcast`). */
    readonly paidBroadcast: boolean = false,
  ) {}

  static fromEnv(env: EnvReader): TelegramConfig {
    const mode = env.oneOf('TELEGRAM_MODE', ['polling', 'webhook'] as const, {
      expected: 'polling or webhook',
      default: 'polling',
    });
    const webhook = mode === 'webhook';
    return new TelegramConfig(
      env.string('TELEGRAM_BOT_TOKEN', {
        expected: "the bot's token from @BotFather, such as 123456789:AAE…",
        pattern: /^\d+:[A-Za-z0-9_-]+$/,
        secret: true,
      }),
      env.url('TELEGRAM_API_ROOT', {
        expected: 'the Bot API base URL, such as https://api.telegram.org',
        protocols: ['http:', 'https:'],
        default: 'https://api.telegram.org',
      }),
      mode,
      webhook
        ? env.url('TELEGRAM_WEBHOOK_URL', {
            expected:
              'with TELEGRAM_MODE=webhook, the public URL of POST /telegram/webhook, such as https://bot.example.com/telegram/webhook',
            protocols: ['https:', 'http:'],
          })
        : undefined,
      webhook
        ? env.string('TELEGRAM_WEBHOOK_SECRET', {
            expected:
              'with TELEGRAM_MODE=webhook, a secret of 16 to 256 letters, digits, "_" or "-"',
            pattern: /^[A-Za-z0-9_-]{16,256}$/,
            secret: true,
          })
        : undefined,
      env.oneOf('TELEGRAM_PAID_BROADCAST', ['on', 'off'] as const, {
        expected:
          'on to let messages be sent as paid broadcasts (allow_paid_broadcast, for a fee in Telegram Stars), off by default',
        default: 'off',
      }) === 'on',
    );
  }
}

/** How delivery paces and retries its sends. */
export class DeliveryConfig {
  constructor(
    readonly maxSendAttempts: number,
    readonly recipientConcurrency: number,
    readonly perSecond: number,
    readonly chatIntervalMs: number,
    readonly groupPerMinute: number,
    /** Health and metrics; 0 takes any free port. */
    readonly httpPort: number = 8002,
    /** False only in front of a Bot API double: no pacing to Telegram's limits at all. */
    readonly pacing: boolean = true,
    /** Recipients per part of a resolved audience: the unit one delivery process takes. */
    readonly audiencePartSize: number = AUDIENCE_PART_SIZE,
    /** Sends per second of every kind for the bot once paid broadcasts are on (Telegram: 1000). */
    readonly paidPerSecond: number = 1000,
  ) {}

  static fromEnv(env: EnvReader): DeliveryConfig {
    return new DeliveryConfig(
      env.integer('DELIVERY_MAX_ATTEMPTS', {
        expected: 'attempts of one send through transient failures (5xx, network), 1 to 20',
        min: 1,
        max: 20,
        default: 5,
      }),
      env.integer('DELIVERY_CONCURRENCY', {
        expected: 'recipients of one message served at once, 1 to 64',
        min: 1,
        max: 64,
        default: 8,
      }),
      env.integer('TELEGRAM_MAX_PER_SECOND', {
        expected: 'sends per second for the bot, 1 to 30 (Telegram allows about 30)',
        min: 1,
        max: 30,
        default: 30,
      }),
      env.integer('TELEGRAM_CHAT_INTERVAL_MS', {
        expected:
          'milliseconds between two sends to one chat, 1000 or more (Telegram: one a second)',
        min: 1000,
        max: 60_000,
        default: 1000,
      }),
      env.integer('TELEGRAM_GROUP_MAX_PER_MINUTE', {
        expected: 'sends per minute to one group chat, 1 to 20 (Telegram allows 20)',
        min: 1,
        max: 20,
        default: 20,
      }),
      env.integer('DELIVERY_HTTP_PORT', {
        expected: "the delivery app's health and metrics port, 0 (any free port) to 65535",
        min: 0,
        max: 65535,
        default: 8002,
      }),
      DeliveryConfig.pacing(env),
      env.integer('AUDIENCE_PART_SIZE', {
        expected: `recipients per part of a resolved audience, 1 to ${AUDIENCE_PART_SIZE}`,
        min: 1,
        max: AUDIENCE_PART_SIZE,
        default: AUDIENCE_PART_SIZE,
      }),
      env.integer('TELEGRAM_PAID_MAX_PER_SECOND', {
        expected:
          'sends per second of every kind with paid broadcasts on, 31 to 1000 (Telegram allows 1000)',
        min: 31,
        max: 1000,
        default: 1000,
      }),
    );
  }

  /** TELEGRAM_PACING: off is refused in front of Telegram's own Bot API, whose limits are real. */
  private static pacing(env: EnvReader): boolean {
    const pacing = env.oneOf('TELEGRAM_PACING', ['on', 'off'] as const, {
      expected:
        'on, or off for a Bot API double without limits (benchmarks); never off for Telegram',
      default: 'on',
    });
    const root = env.optionalString('TELEGRAM_API_ROOT') ?? 'https://api.telegram.org';
    if (pacing === 'off' && /^https?:\/\/api\.telegram\.org(\/|$)/i.test(root)) {
      env.problems.push(
        "TELEGRAM_PACING is off while TELEGRAM_API_ROOT is Telegram's own: expected on (Telegram's limits are real)",
      );
    }
    return pacing === 'on';
  }
}

export interface ConfigPart<T = object> {
  readonly name: string;
  fromEnv(env: EnvReader): T;
}

type Parts<T extends readonly ConfigPart[]> = { [K in keyof T]: ReturnType<T[K]['fromEnv']> };

/** Validates the named parts together; throws one ConfigError listing every problem. */
export function loadConfig<const T extends readonly ConfigPart[]>(
  environment: Environment,
  parts: T,
): Parts<T> {
  const reader = new EnvReader(environment);
  const values = parts.map((part) => part.fromEnv(reader));
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return values as Parts<T>;
}
