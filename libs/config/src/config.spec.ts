import {
  DeliveryConfig,
  ApiConfig,
  ConfigError,
  DatabaseConfig,
  loadConfig,
  StorageConfig,
  TelegramConfig,
} from './index';

const storageEnv = {
  MINIO_ENDPOINT: 'minio',
  MINIO_ACCESS_KEY: 'access',
  MINIO_SECRET_KEY: 'secret',
};

describe('loadConfig', () => {
  it('applies the defaults that work on a development machine', () => {
    const [database, api] = loadConfig({ API_KEYS: 'a-long-enough-api-key' }, [
      DatabaseConfig,
      ApiConfig,
    ]);
    expect(database.url).toBe('postgres://postgres@127.0.0.1:5432/scheduled_messages');
    expect(api.port).toBe(8000);
    expect(api.apiKeys).toEqual([{ name: 'key-1', key: 'a-long-enough-api-key' }]);
    expect(api.maxFilesPerMessage).toBe(10);
  });

  it('turns pacing off only in front of a Bot API other than Telegram', () => {
    const [delivery] = loadConfig(
      { TELEGRAM_PACING: 'off', TELEGRAM_API_ROOT: 'http://127.0.0.1:8081' },
      [DeliveryConfig],
    );
    expect(delivery.pacing).toBe(false);
    expect(() => loadConfig({ TELEGRAM_PACING: 'off' }, [DeliveryConfig])).toThrow(
      /TELEGRAM_PACING is off while TELEGRAM_API_ROOT is Telegram's own/,
    );
    expect(loadConfig({}, [DeliveryConfig])[0].pacing).toBe(true);
  });

  it('reads named keys', () => {
    const [api] = loadConfig({ API_KEYS: 'billing:0123456789abcdef, 0123456789abcdeg' }, [
      ApiConfig,
    ]);
    expect(api.apiKeys).toEqual([
      { name: 'billing', key: '0123456789abcdef' },
      { name: 'key-2', key: '0123456789abcdeg' },
    ]);
  });

  it('names every missing or malformed variable and what it expects', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', API_PORT: 'eighty', MINIO_USE_SSL: 'maybe' }, [
        DatabaseConfig,
        ApiConfig,
        StorageConfig,
      ]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('expected a Postgres URL');
    expect(message).toContain("API_PORT is 'eighty': expected a port number");
    expect(message).toContain('API_KEYS is not set');
    expect(message).toContain('MINIO_ENDPOINT is not set');
    expect(message).toContain("MINIO_USE_SSL is 'maybe': expected true or false");
    expect((error as ConfigError).problems).toHaveLength(7);
  });

  it('never prints a secret value', () => {
    expect(() =>
      loadConfig({ ...storageEnv, API_KEYS: 'short-secret', MINIO_PORT: '70000' }, [
        ApiConfig,
        StorageConfig,
      ]),
    ).toThrow(/API_KEYS is \(hidden\)/);
    try {
      loadConfig({ API_KEYS: 'short-secret' }, [ApiConfig]);
    } catch (error) {
      expect((error as Error).message).not.toContain('short-secret');
    }
  });

  it('hides the password of a malformed URL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'http://u:pw@host/db' }, [DatabaseConfig])).toThrow(
      /\*\*\*/,
    );
  });

  it('asks for the webhook URL and secret only in webhook mode', () => {
    const [polling] = loadConfig({ TELEGRAM_BOT_TOKEN: '123:abc' }, [TelegramConfig]);
    expect(polling).toMatchObject({ mode: 'polling', webhookUrl: undefined });
    expect(() =>
      loadConfig({ TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_MODE: 'webhook' }, [TelegramConfig]),
    ).toThrow(/TELEGRAM_WEBHOOK_URL is not set[\s\S]*TELEGRAM_WEBHOOK_SECRET is not set/);
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: 'not-a-token' }, [TelegramConfig])).toThrow(
      /TELEGRAM_BOT_TOKEN is \(hidden\)/,
    );
  });
});
