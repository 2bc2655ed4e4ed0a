import { TelegramError } from 'telegraf';
import { TelegramSendError } from '../../application/src/ports/telegram-sender';

export function classifyTelegramError(error: unknown): TelegramSendError {
  if (error instanceof TelegramSendError) return error;
  if (error instanceof TelegramError) {
    const description = error.description || `Telegram error ${error.code}`;
    if (error.code === 429)
      return new TelegramSendError('rate_limited', description, error.parameters?.retry_after ?? 1);
    if (error.code === 403) return new TelegramSendError('blocked', description);
    const migrateTo = error.parameters?.migrate_to_chat_id;
    if (error.code === 400 && migrateTo !== undefined) {
      return new TelegramSendError('chat_migrated', description, undefined, String(migrateTo));
    }
    if (error.code === 400 && /chat not found/i.test(description))
      return new TelegramSendError('chat_not_found', description);
    if (error.code === 400) return new TelegramSendError('rejected', description);
    return new TelegramSendError('transient', description);
  }
  return new TelegramSendError('transient', error instanceof Error ? error.message : String(error));
}
