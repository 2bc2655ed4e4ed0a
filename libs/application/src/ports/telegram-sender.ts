import type { Readable } from 'node:stream';
import type { ButtonRows, MessageSendOptions } from '../../../domain/src/events';
import type { FileKind } from '../../../domain/src/media';

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

export interface SendOptions {
  /**
   * A paid broadcast (`allow_paid_broadcast`): within the paid limit (1000 a second) rather than
   * the free one, where this bot has paid broadcasts on; a free send where it has not.
   */
  readonly paidBroadcast?: boolean;
  /**
   * How Telegram shows the message: silent, protected, in a forum topic, and (for a text) with
   * or without a link preview. Telegram's defaults when not given.
   */
  readonly display?: MessageSendOptions;
  /** URL buttons under a text (`reply_markup.inline_keyboard`); none when empty or not given. */
  readonly buttons?: ButtonRows;
}

/** A document to send: a stream uploaded under its file name, or an earlier upload's file_id. */
export type DocumentToSend =
  | { readonly content: () => Promise<Readable>; readonly fileName: string }
  | { readonly fileId: string };

/**
 * Sends to Telegram chats within Telegram's limits (flood control is waited out inside, never a
 * failure); a refusal or a transient failure is a TelegramSendError.
 */
export abstract class TelegramSender {
  /** Sends a text; returns Telegram's message id. */
  abstract sendText(chatId: string, text: string, options?: SendOptions): Promise<number>;
  /**
   * Sends a file as a document, a photo, a video or audio (sendDocument, sendPhoto, sendVideo,
   * sendAudio); returns Telegram's message id and the file's file_id, by which it is sent again
   * as the same kind.
   */
  abstract sendFile(
    chatId: string,
    kind: FileKind,
    file: DocumentToSend,
    options?: SendOptions,
  ): Promise<{ messageId: number; fileId: string | undefined }>;
  /**
   * Sends two to ten files as one album (sendMediaGroup), the caption (in the message's parse
   * mode) on the first; returns each item's message id and file_id, in order. Telegram counts
   * each item as a send against the bot's limit.
   */
  abstract sendAlbum(
    chatId: string,
    items: readonly { readonly kind: FileKind; readonly file: DocumentToSend }[],
    caption: string | undefined,
    options?: SendOptions,
  ): Promise<{ messageId: number; fileId: string | undefined }[]>;
  /**
   * Changes the text of a message sent earlier, with its parse mode, link preview and buttons
   * (an edit without its keyboard would take the buttons away). A text the chat shows already
   * is not a failure.
   */
  abstract editText(
    chatId: string,
    telegramMessageId: number,
    text: string,
    options?: SendOptions,
  ): Promise<void>;
  /**
   * Changes the caption of a file (an album's first item) sent earlier, with its parse mode. A
   * caption the chat shows already is not a failure.
   */
  abstract editCaption(
    chatId: string,
    telegramMessageId: number,
    caption: string,
    options?: SendOptions,
  ): Promise<void>;
  /**
   * Deletes messages sent earlier to one chat (Telegram's deleteMessages: up to 100 in one call,
   * more in several); those already gone are not a failure.
   */
  abstract deleteMessages(chatId: string, telegramMessageIds: readonly number[]): Promise<void>;
}
