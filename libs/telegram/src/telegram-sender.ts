import type { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { Telegram, TelegramError } from 'telegraf';
import { TelegramConfig } from '../../config/src/config';
import type { SendPacer } from './send-pacer';

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

const REQUEST_TIMEOUT_MS = 60_000;

type CallSignal = NonNullable<Parameters<Telegram['callApi']>[2]>['signal'];

/** Node's AbortSignal works with telegraf's fetch; only its declared type differs. */
const timeoutSignal = (): CallSignal =>
  AbortSignal.timeout(REQUEST_TIMEOUT_MS) as unknown as CallSignal;

/** Sends through the Bot API with telegraf's client, set up from TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT. */
export class TelegramSender {
  private readonly logger = new Logger('TelegramSender');
  private readonly telegram: Telegram;

  constructor(
    config: TelegramConfig,
    private readonly pacer: SendPacer,
  ) {
    // telegraf joins paths onto the root: a root with a path needs its trailing slash.
    const apiRoot =
      new URL(config.apiRoot).pathname === '/'
        ? config.apiRoot
        : `${config.apiRoot.replace(/\/+$/, '')}/`;
    this.telegram = new Telegram(config.botToken, { apiRoot });
  }

  /** Sends a text; returns Telegram's message id. */
  async sendText(chatId: string, text: string): Promise<number> {
    const message = await this.paced(chatId, () =>
      this.telegram.callApi('sendMessage', { chat_id: chatId, text }, { signal: timeoutSignal() }),
    );
    return message.message_id;
  }

  /**
   * Sends a document: a stream (uploaded under its file name) or the file_id of an earlier
   * upload (nothing uploaded again). Returns Telegram's message id and the document's file_id.
   */
  async sendDocument(
    chatId: string,
    document:
      | { readonly content: () => Promise<Readable>; readonly fileName: string }
      | { readonly fileId: string },
  ): Promise<{ messageId: number; fileId: string | undefined }> {
    const message = await this.paced(chatId, async () =>
      this.telegram.callApi(
        'sendDocument',
        {
          chat_id: chatId,
          document:
            'fileId' in document
              ? document.fileId
              : { source: await document.content(), filename: document.fileName },
        },
        { signal: timeoutSignal() },
      ),
    );
    return { messageId: message.message_id, fileId: message.document?.file_id };
  }

  /**
   * One send within Telegram's limits. A 429 pauses every send of the bot for its retry_after and
   * then sends again: flood control is never a failure, and never retried sooner.
   */
  private async paced<T>(chatId: string, send: () => Promise<T>): Promise<T> {
    for (;;) {
      const release = await this.pacer.acquire(chatId);
      try {
        return await send();
      } catch (error) {
        const failure = classifyTelegramError(error);
        if (failure.kind !== 'rate_limited') throw failure;
        const waitMs = (failure.retryAfterSeconds ?? 1) * 1000;
        this.logger.warn(`Telegram flood control: every send waits ${waitMs / 1000} s`);
        this.pacer.pauseAll(waitMs);
      } finally {
        release();
      }
    }
  }
}
