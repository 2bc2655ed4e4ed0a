import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import { Agent, type ClientRequest } from 'node:http';
import type { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { Telegram } from 'telegraf';
import { TelegramConfig } from '../../config/src/config';
import type { ButtonRows, MessageSendOptions } from '../../domain/src/events';
import type { FileKind } from '../../domain/src/media';
import type { Metrics } from '../../observability/src/metrics';
import type { ReadinessCheck } from '../../observability/src/readiness';
import {
  type DocumentToSend,
  type SendOptions,
  TelegramSendError,
  TelegramSender,
} from '../../application/src/ports/telegram-sender';
import { countCalls } from './count-calls';
import { classifyTelegramError } from './telegram-error';
import type { SendBudget } from './send-budget';

const REQUEST_TIMEOUT_MS = 60_000;
/** Messages one deleteMessages call may name (Bot API). */
const DELETE_MESSAGES_MAX = 100;

type CallSignal = NonNullable<Parameters<Telegram['callApi']>[2]>['signal'];

/** Node's AbortSignal works with telegraf's fetch; only its declared type differs. */
const timeoutSignal = (): CallSignal =>
  AbortSignal.timeout(REQUEST_TIMEOUT_MS) as unknown as CallSignal;

/** The send whose HTTP request is being made, told when the request has left. */
const departures = new AsyncLocalStorage<() => void>();

/*
 * Telegram counts a request when it arrives; a request may leave well after its send took a slot
 * (a busy event loop, an upload's stream being opened). Node announces each HTTP request on this
 * channel, in the async context of the code that made it, once the request has been ended (for
 * an upload: once its body has been written); the pacer counts the bot's second from the moment
 * the request is handed to the network ('finish') — for an upload later than it arrives, which
 * only makes the count stricter.
 */
subscribe('http.client.request.start', (message) => {
  const departing = departures.getStore();
  if (departing) (message as { request: ClientRequest }).request.once('finish', departing);
});

/** Sends through the Bot API with telegraf's client, set up from TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT. */
export class TelegrafSender extends TelegramSender {
  private readonly logger = new Logger('TelegrafSender');
  private readonly telegram: Telegram;
  /** The last send's failure when it was transient (network, 5xx); cleared by a success. */
  private lastTransientFailure: string | undefined;

  constructor(
    config: TelegramConfig,
    private readonly pacer: SendBudget,
    private readonly metrics: Metrics,
    /** The budget of paid broadcasts, where this bot has them on; none: every send is free. */
    private readonly paidPacer?: SendBudget,
  ) {
    super();
    // telegraf joins paths onto the root: a root with a path needs its trailing slash.
    const apiRoot =
      new URL(config.apiRoot).pathname === '/'
        ? config.apiRoot
        : `${config.apiRoot.replace(/\/+$/, '')}/`;
    this.telegram = new Telegram(config.botToken, { apiRoot });
    // telegraf keeps connections alive to an https root only; a self-hosted Bot API server (or a
    // double) on http would get a new connection for every send.
    if (apiRoot.startsWith('http:'))
      this.telegram.options.agent = new Agent({ keepAlive: true, keepAliveMsecs: 10_000 });
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
  async sendText(chatId: string, text: string, options: SendOptions = {}): Promise<number> {
    const paid = this.paid(options);
    const message = await this.paced(
      chatId,
      () =>
        this.telegram.callApi(
          'sendMessage',
          {
            chat_id: chatId,
            text,
            ...(paid ? { allow_paid_broadcast: true } : {}),
            ...displayParameters(options.display),
            ...linkPreviewParameters(options.display),
            ...parseModeParameters(options.display),
            ...buttonParameters(options.buttons),
          },
          { signal: timeoutSignal() },
        ),
      paid,
    );
    return message.message_id;
  }

  /**
   * Sends a file: a stream (uploaded under its file name) or the file_id of an earlier upload of
   * the same kind (nothing uploaded again), with the Bot API method of its kind. Returns
   * Telegram's message id and the file's file_id (a photo's: of its largest size).
   */
  async sendFile(
    chatId: string,
    kind: FileKind,
    file: DocumentToSend,
    options: SendOptions = {},
  ): Promise<{ messageId: number; fileId: string | undefined }> {
    const paid = this.paid(options);
    const opened = new OpenedFiles([file]);
    const message = await opened.closingAfter(() =>
      this.paced(
        chatId,
        async () => {
          const [stream] = await opened.take();
          const input =
            'fileId' in file ? file.fileId : { source: stream!, filename: file.fileName };
          try {
            return await this.callSendFile(kind, input, chatId, paid, options);
          } catch (error) {
            // A call that failed before reading the file leaves no stream open behind it.
            stream?.destroy();
            throw error;
          }
        },
        paid,
        1,
        () => opened.ready(),
      ),
    );
    return { messageId: message.id, fileId: message.fileId };
  }

  /** The Bot API method of the file's kind, and the file_id Telegram answered for it. */
  private async callSendFile(
    kind: FileKind,
    input: string | { source: Readable; filename: string },
    chatId: string,
    paid: boolean,
    options: SendOptions,
  ): Promise<{ id: number; fileId: string | undefined }> {
    const common = {
      chat_id: chatId,
      ...(paid ? { allow_paid_broadcast: true as const } : {}),
      ...displayParameters(options.display),
    };
    const signal = { signal: timeoutSignal() };
    switch (kind) {
      case 'photo': {
        const sent = await this.telegram.callApi('sendPhoto', { ...common, photo: input }, signal);
        // Telegram may answer with another kind than asked (a silent MP4 as an animation).
        return { id: sent.message_id, fileId: sent.photo?.at(-1)?.file_id };
      }
      case 'video': {
        const sent = await this.telegram.callApi('sendVideo', { ...common, video: input }, signal);
        return { id: sent.message_id, fileId: sent.video?.file_id };
      }
      case 'audio': {
        const sent = await this.telegram.callApi('sendAudio', { ...common, audio: input }, signal);
        return { id: sent.message_id, fileId: sent.audio?.file_id };
      }
      case 'document': {
        const sent = await this.telegram.callApi(
          'sendDocument',
          { ...common, document: input },
          signal,
        );
        return { id: sent.message_id, fileId: sent.document?.file_id };
      }
    }
  }

  /**
   * Sends an album (sendMediaGroup): files by file_id or uploaded (telegraf attaches each stream
   * to the request), the caption on the first item. Takes as many of the bot's slots as it has
   * items, as Telegram counts them; one send for the chat.
   */
  async sendAlbum(
    chatId: string,
    items: readonly { readonly kind: FileKind; readonly file: DocumentToSend }[],
    caption: string | undefined,
    options: SendOptions = {},
  ): Promise<{ messageId: number; fileId: string | undefined }[]> {
    const paid = this.paid(options);
    const opened = new OpenedFiles(items.map(({ file }) => file));
    const sent = await opened.closingAfter(() =>
      this.paced(
        chatId,
        async () => {
          const streams = await opened.take();
          const media = items.map(({ kind, file }, index) => {
            const stream = streams[index];
            return {
              type: kind,
              media: 'fileId' in file ? file.fileId : { source: stream!, filename: file.fileName },
              ...(index === 0 && caption !== undefined
                ? { caption, ...parseModeParameters(options.display) }
                : {}),
            };
          });
          try {
            return await this.telegram.callApi(
              'sendMediaGroup',
              {
                chat_id: chatId,
                media,
                ...(paid ? { allow_paid_broadcast: true } : {}),
                ...displayParameters(options.display),
              },
              { signal: timeoutSignal() },
            );
          } catch (error) {
            // A call that failed before reading every file leaves no stream open behind it.
            for (const stream of streams) stream?.destroy();
            throw error;
          }
        },
        paid,
        items.length,
        () => opened.ready(),
      ),
    );
    return sent.map((message) => ({ messageId: message.message_id, fileId: fileIdOf(message) }));
  }

  async editText(
    chatId: string,
    telegramMessageId: number,
    text: string,
    options: SendOptions = {},
  ): Promise<void> {
    // "Not modified": the chat shows this text already (an edit done before a crash, done again).
    await this.revising(chatId, /message is not modified/i, () =>
      this.telegram.callApi(
        'editMessageText',
        {
          chat_id: chatId,
          message_id: telegramMessageId,
          text,
          ...linkPreviewParameters(options.display),
          ...parseModeParameters(options.display),
          ...buttonParameters(options.buttons),
        },
        { signal: timeoutSignal() },
      ),
    );
  }

  async editCaption(
    chatId: string,
    telegramMessageId: number,
    caption: string,
    options: SendOptions = {},
  ): Promise<void> {
    await this.revising(chatId, /message is not modified/i, () =>
      this.telegram.callApi(
        'editMessageCaption',
        {
          chat_id: chatId,
          message_id: telegramMessageId,
          caption,
          ...parseModeParameters(options.display),
        },
        { signal: timeoutSignal() },
      ),
    );
  }

  async deleteMessages(chatId: string, telegramMessageIds: readonly number[]): Promise<void> {
    for (let first = 0; first < telegramMessageIds.length; first += DELETE_MESSAGES_MAX) {
      const ids = telegramMessageIds.slice(first, first + DELETE_MESSAGES_MAX);
      // "Not found": deleted already (a recall done before a crash, or by the user); Telegram
      // skips those of several not found, and answers so when none is.
      await this.revising(chatId, /message to delete not found/i, () =>
        this.telegram.callApi(
          'deleteMessages',
          { chat_id: chatId, message_ids: ids },
          { signal: timeoutSignal() },
        ),
      );
    }
  }

  /**
   * A change to a message sent earlier, paced like a send; Telegram's answer that it is done
   * already (`done`, matched against its description) is not a failure.
   */
  private async revising(
    chatId: string,
    done: RegExp,
    call: () => Promise<unknown>,
  ): Promise<void> {
    try {
      await this.paced(chatId, call, false);
    } catch (error) {
      if (error instanceof TelegramSendError && done.test(error.description)) return;
      throw error;
    }
  }

  /** A paid broadcast where this bot has them on; else a free send. */
  private paid(options: SendOptions): boolean {
    return options.paidBroadcast === true && this.paidPacer !== undefined;
  }

  /**
   * One send within Telegram's limits (the budget every delivery process shares). A 429 pauses
   * every send of the bot, in every process, for its retry_after and then sends again: flood
   * control is never a failure, and never retried sooner.
   */
  private async paced<T>(
    chatId: string,
    send: () => Promise<T>,
    paid: boolean,
    /** The sends Telegram counts this request as (an album: its items). */
    weight = 1,
    /** Done once the chat is this send's, before it asks for the bot's slot (files opened). */
    beforeSlot?: () => Promise<void>,
  ): Promise<T> {
    const pacer = (paid ? this.paidPacer : undefined) ?? this.pacer;
    for (;;) {
      const slot = await pacer.acquire(chatId, weight, beforeSlot);
      try {
        const sent = await departures.run(() => slot.departing(), send);
        this.lastTransientFailure = undefined;
        return sent;
      } catch (error) {
        const failure = classifyTelegramError(error);
        this.lastTransientFailure = failure.kind === 'transient' ? failure.description : undefined;
        if (failure.kind !== 'rate_limited') throw failure;
        const waitMs = (failure.retryAfterSeconds ?? 1) * 1000;
        this.metrics.floodWaitSeconds.inc(waitMs / 1000);
        this.logger.warn(`Telegram flood control: every send waits ${waitMs / 1000} s`);
        // Flood control is the bot's: both budgets wait.
        await Promise.all([this.pacer.pauseAll(waitMs), this.paidPacer?.pauseAll(waitMs)]);
      } finally {
        await slot.release();
      }
    }
  }
}

/** The file_id of a file Telegram answered with (a photo's: of its largest size). */
function fileIdOf(message: {
  photo?: readonly { file_id: string }[];
  video?: { file_id: string };
  audio?: { file_id: string };
  document?: { file_id: string };
}): string | undefined {
  return (
    message.photo?.at(-1)?.file_id ??
    message.video?.file_id ??
    message.audio?.file_id ??
    message.document?.file_id
  );
}

/** The Bot API's parameters for how a message is shown; only those set away from the defaults. */
function displayParameters(display: MessageSendOptions | undefined): {
  disable_notification?: true;
  protect_content?: true;
  message_thread_id?: number;
} {
  if (!display) return {};
  return {
    ...(display.disableNotification ? { disable_notification: true } : {}),
    ...(display.protectContent ? { protect_content: true } : {}),
    ...(display.messageThreadId !== null ? { message_thread_id: display.messageThreadId } : {}),
  };
}

/** A text's link preview: none (`is_disabled`), of a given page (`url`), or Telegram's own. */
function linkPreviewParameters(display: MessageSendOptions | undefined): {
  link_preview_options?: { is_disabled: true } | { url: string };
} {
  const preview = display?.linkPreview ?? 'on';
  if (preview === 'on') return {};
  return {
    link_preview_options: preview === 'off' ? { is_disabled: true } : { url: preview.url },
  };
}

/** How Telegram reads the text's markup; nothing for plain text (Telegram's default). */
function parseModeParameters(display: MessageSendOptions | undefined): {
  parse_mode?: 'HTML' | 'MarkdownV2';
} {
  const mode = display?.parseMode ?? 'plain';
  return mode === 'plain' ? {} : { parse_mode: mode };
}

/** URL buttons under the text, as an inline keyboard; nothing for none. */
function buttonParameters(buttons: ButtonRows | undefined): {
  reply_markup?: { inline_keyboard: { text: string; url: string }[][] };
} {
  if (!buttons || buttons.length === 0) return {};
  return {
    reply_markup: {
      inline_keyboard: buttons.map((row) => row.map(({ text, url }) => ({ text, url }))),
    },
  };
}

/**
 * The streams of files to upload, opened once their send has its chat and before it asks for the
 * bot's slot (`ready`, called by the budget): an upload that opened them once its slot had come
 * would leave late by an object-store round trip (long when the store is busy: seen in the bench,
 * 300 downloads asked at once, sends leaving 0.7 s after their slots, among the slots of those
 * after them, and a 429); opened earlier, they would sit through the chat's wait. An attempt after
 * a 429 opens them again. Streams never taken are closed.
 */
class OpenedFiles {
  private pending: Promise<PromiseSettledResult<Readable | undefined>[]> | undefined;

  constructor(private readonly files: readonly DocumentToSend[]) {}

  /** Opens the files unless open already; resolves once each opened or failed to (never throws). */
  async ready(): Promise<void> {
    if (!this.files.some((file) => !('fileId' in file))) return;
    this.pending ??= this.open();
    await this.pending;
  }

  /** The streams, one per file (none for a file sent by file_id); throws if one failed to open. */
  async take(): Promise<(Readable | undefined)[]> {
    const opening = this.pending ?? this.open();
    this.pending = undefined;
    const opened = await opening;
    const failed = opened.find((result) => result.status === 'rejected');
    // Should one file fail to open, those opened already are closed rather than left hanging.
    if (failed) {
      destroyAll(opened);
      throw failed.reason;
    }
    return opened.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
  }

  /** Runs the send, then closes what it opened and never took (its slot never came). */
  async closingAfter<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } finally {
      const left = this.pending;
      this.pending = undefined;
      if (left) void left.then(destroyAll);
    }
  }

  private open(): Promise<PromiseSettledResult<Readable | undefined>[]> {
    // The object store's own requests are not the send's.
    return Promise.allSettled(
      this.files.map((file) =>
        'fileId' in file ? Promise.resolve(undefined) : departures.exit(() => file.content()),
      ),
    );
  }
}

function destroyAll(opened: readonly PromiseSettledResult<Readable | undefined>[]): void {
  for (const result of opened) if (result.status === 'fulfilled') result.value?.destroy();
}
