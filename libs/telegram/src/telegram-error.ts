import { TelegramError } from 'telegraf';

/** What a failed send means for the recipient and for the sender. */
export type SendFailureKind =
  /** 403: the user blocked the bot, was kicked, or deleted the account. Final. */
  | 'blocked'
  /** 400 "chat not found". Final. */
  | 'chat_not_found'
  /** 400 for another reason: Telegram refused this content for this chat. Final. */
  | 'rejected'
  /** 429 flood control: wait `retryAfterSeconds`, for the whole bot, then send again. */
  | 'rate_limited'
  /** 400 with migrate_to_chat_id: the group became a supergroup; send to `newChatId`. */
  | 'chat_migrated'
  /** 5xx, a network error, a timeout, or anything unknown: may succeed later. */
  | 'transient';

export class TelegramSendError extends Error {
  constructor(
    readonly kind: SendFailureKind,
    readonly description: string,
    readonly retryAfterSeconds?: number,
    readonly newChatId?: string,
  ) {
    super(description);
    this.name = 'TelegramSendError';
  }
}

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
