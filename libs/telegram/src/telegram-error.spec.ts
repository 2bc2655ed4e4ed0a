import { TelegramError } from 'telegraf';
import { classifyTelegramError } from './telegram-error';

const telegramError = (error_code: number, description: string, parameters?: object) =>
  new TelegramError({ error_code, description, ...(parameters ? { parameters } : {}) });

describe('classifyTelegramError', () => {
  it.each([
    [telegramError(403, 'Forbidden: bot was blocked by the user'), 'blocked'],
    [telegramError(403, 'Forbidden: user is deactivated'), 'blocked'],
    [telegramError(400, 'Bad Request: chat not found'), 'chat_not_found'],
    [telegramError(400, 'Bad Request: message text is empty'), 'rejected'],
    [telegramError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }), 'rate_limited'],
    [
      telegramError(400, 'Bad Request: group chat was upgraded to a supergroup chat', {
        migrate_to_chat_id: -1009,
      }),
      'chat_migrated',
    ],
    [telegramError(502, 'Bad Gateway'), 'transient'],
    [new Error('connect ECONNREFUSED 127.0.0.1:8081'), 'transient'],
  ])('classifies %p as %s', (error, kind) => {
    expect(classifyTelegramError(error).kind).toBe(kind);
  });

  it('keeps what the sender needs: the wait and the new chat id', () => {
    expect(
      classifyTelegramError(telegramError(429, 'x', { retry_after: 7 })).retryAfterSeconds,
    ).toBe(7);
    expect(
      classifyTelegramError(telegramError(400, 'x', { migrate_to_chat_id: -1009 })).newChatId,
    ).toBe('-1009');
  });
});
