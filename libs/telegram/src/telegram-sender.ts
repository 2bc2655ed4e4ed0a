import type { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { Telegram } from 'telegraf';
import { TelegramConfig } from '../../config/src/config';
import type { Metrics } from '../../observability/src/metrics';
import type { ReadinessCheck } from '../../observability/src/readiness';
import { countCalls } from './count-calls';
import { classifyTelegramError } from './telegram-error';
import type { SendPacer } from './send-pacer';

const REQUEST_TIMEOUT_MS = 60_000;

type CallSignal = NonNullable<Parameters<Telegram['callApi']>[2]>['signal'];

/** Node's AbortSignal works with telegraf's fetch; only its declared type differs. */
const timeoutSignal = (): CallSignal =>
  AbortSignal.timeout(REQUEST_TIMEOUT_MS) as unknown as CallSignal;

/** Sends through the Bot API with telegraf's client, set up from TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT. */
export class TelegramSender {
  private readonly logger = new Logger('TelegramSender');
  private readonly telegram: Telegram;
  /** The last send's failure when it was transient (network, 5xx); cleared by a success. */
  private lastTransientFailure: string | undefined;

  constructor(
    config: TelegramConfig,
    private readonly pacer: SendPacer,
    private readonly metrics: Metrics,
  ) {
    // telegraf joins paths onto the root: a root with a path needs its trailing slash.
    const apiRoot =
      new URL(config.apiRoot).pathname === '/'
        ? config.apiRoot
        : `${config.apiRoot.replace(/\/+$/, '')}/`;
    this.telegram = new Telegram(config.botToken, { apiRoot });
    countCalls(this.telegram, metrics);
  }

  /** Reported, not required: delivery waits and retries while the Bot API is away. */
  readinessCheck(): ReadinessCheck {
    return {
      key: 'telegram',
      required: false,
      probe: () =>
        this.lastTransientFailure === undefined
          ? Promise.resolve()
          : Promise.reject(new Error(`Last send failed: ${this.lastTransientFailure}`)),
    };
  }

  /** Sends a text; returns Telegram's message id. */
  async sendText(chatId: string, text: string): Promise<number> {
    const message = await this.paced(chatId, (departing) => {
      departing();
      return this.telegram.callApi(
        'sendMessage',
        { chat_id: chatId, text },
        { signal: timeoutSignal() },
      );
    });
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
    const message = await this.paced(chatId, async (departing) => {
      const content =
        'fileId' in document
          ? document.fileId
          : { source: await document.content(), filename: document.fileName };
      departing();
      return this.telegram.callApi(
        'sendDocument',
        { chat_id: chatId, document: content },
        { signal: timeoutSignal() },
      );
    });
    return { messageId: message.message_id, fileId: message.document?.file_id };
  }

  /**
   * One send within Telegram's limits. A 429 pauses every send of the bot for its retry_after and
   * then sends again: flood control is never a failure, and never retried sooner.
   */
  private async paced<T>(chatId: string, send: (departing: () => void) => Promise<T>): Promise<T> {
    for (;;) {
      const slot = await this.pacer.acquire(chatId);
      try {
        const sent = await send(() => slot.departing());
        this.lastTransientFailure = undefined;
        return sent;
      } catch (error) {
        const failure = classifyTelegramError(error);
        this.lastTransientFailure = failure.kind === 'transient' ? failure.description : undefined;
        if (failure.kind !== 'rate_limited') throw failure;
        const waitMs = (failure.retryAfterSeconds ?? 1) * 1000;
        this.metrics.floodWaitSeconds.inc(waitMs / 1000);
        this.logger.warn(`Telegram flood control: every send waits ${waitMs / 1000} s`);
        this.pacer.pauseAll(waitMs);
      } finally {
        slot.release();
      }
    }
  }
}
