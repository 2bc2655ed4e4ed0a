import type { Readable } from 'node:stream';
import { Telegram, TelegramError } from 'telegraf';
import { TelegramConfig } from '../../config/src/config';

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
  /** 5xx, a network error, a timeout, or anything unknown: may succeed later. */
  | 'transient';

export class TelegramSendError extends Error {
  constructor(
    readonly kind: SendFailureKind,
    readonly description: string,
    readonly retryAfterSeconds?: number,
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
    if (error.code === 400 && /chat not found/i.test(description))
      return new TelegramSendError('chat_not_found', description);
    if (error.code === 400) return new TelegramSendError('rejected', description);
    return new TelegramSendError('transient', description);
  }
  return new TelegramSendError('transient', error instanceof Error ? error.message : String(error));
}

const REQUEST_TIMEOUT_MS = 60_000;

type CallSignal = NonNullable<Parameters<Telegram['callApi']>[2]>['signal'];

/** Node's AbortSignal works with telegraf's fetch; only its declared type differs. */
const timeoutSignal = (): CallSignal =>
  AbortSignal.timeout(REQUEST_TIMEOUT_MS) as unknown as CallSignal;

/** Sends through the Bot API with telegraf's client, set up from TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT. */
export class TelegramSender {
  private readonly telegram: Telegram;

  constructor(config: TelegramConfig) {
    // telegraf joins paths onto the root: a root with a path needs its trailing slash.
    const apiRoot =
      new URL(config.apiRoot).pathname === '/'
        ? config.apiRoot
        : `${config.apiRoot.replace(/\/+$/, '')}/`;
    this.telegram = new Telegram(config.botToken, { apiRoot });
  }

  /** Sends a text; returns Telegram's message id. */
  async sendText(chatId: string, text: string): Promise<number> {
    try {
      const message = await this.telegram.callApi(
        'sendMessage',
        { chat_id: chatId, text },
        { signal: timeoutSignal() },
      );
      return message.message_id;
    } catch (error) {
      throw classifyTelegramError(error);
    }
  }

  /**
   * Sends a file as a document, streamed, under its file name; returns Telegram's message id and
   * the file_id by which the file can be sent again.
   */
  async sendDocument(
    chatId: string,
    content: Readable,
    fileName: string,
  ): Promise<{ messageId: number; fileId: string | undefined }> {
    try {
      const message = await this.telegram.callApi(
        'sendDocument',
        { chat_id: chatId, document: { source: content, filename: fileName } },
        { signal: timeoutSignal() },
      );
      return { messageId: message.message_id, fileId: message.document?.file_id };
    } catch (error) {
      throw classifyTelegramError(error);
    }
  }
}
