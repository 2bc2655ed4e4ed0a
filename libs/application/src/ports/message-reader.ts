import type {
  Attachment,
  Audience,
  ButtonRows,
  MessageSendOptions,
} from '../../../domain/src/events';

export type MessageStatus = 'scheduled' | 'due' | 'sent' | 'cancelled' | 'missed';

/** A message as the messages read model holds it. */
export interface MessageRecord {
  readonly id: string;
  readonly targetUserIds: readonly string[];
  readonly text: string;
  readonly scheduledAt: Date;
  readonly attachments: readonly Attachment[];
  /** The client's sender label (`from_sender`), if it gave one. */
  readonly fromSender: string | null;
  /** The series occurrence the message is: the series and the occurrence's nominal time. */
  readonly seriesId: string | null;
  readonly occurrenceAt: Date | null;
  /** The topics or everyone it was scheduled for; null for a message to user ids. */
  readonly audience: Audience | null;
  /** Sent as a paid broadcast (`paid_broadcast`). */
  readonly paidBroadcast: boolean;
  /** How Telegram shows it (`disable_notification`, `protect_content`, `message_thread_id`, `link_preview`). */
  readonly sendOptions: MessageSendOptions;
  /** Rows of URL buttons under the text (`buttons`); empty for none. */
  readonly buttons: ButtonRows;
  readonly status: MessageStatus;
  readonly isSent: boolean;
  readonly dueAt: Date | null;
  readonly sentAt: Date | null;
  /** When its text last changed; null: never. */
  readonly editedAt: Date | null;
  /** When it was recalled from every chat; null: not. */
  readonly recalledAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type RecipientDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One recipient's outcome, as the read model holds it. */
export interface MessageRecipientRecord {
  readonly messageId: string;
  readonly userId: string;
  /** The recipient's place in target_user_id. */
  readonly ordinal: number;
  readonly status: RecipientDeliveryStatus;
  readonly chatId: string | null;
  readonly failureCode: string | null;
  readonly reason: string | null;
  /** What became of it in the chat after it was sent: edited, recalled, or either failed. */
  readonly revision: 'edited' | 'edit_failed' | 'recalled' | 'recall_failed' | null;
  readonly revisionReason: string | null;
  readonly updatedAt: Date;
}

/** How many recipients of a message are where: waiting, delivered, failed. */
export type RecipientCounts = Readonly<Record<RecipientDeliveryStatus, number>>;

export interface MessageWithRecipients {
  readonly message: MessageRecord;
  /** The first recipients in target_user_id order (for an audience, in the order resolved). */
  readonly recipients: readonly MessageRecipientRecord[];
  readonly counts: RecipientCounts;
  /** The ordinal after which the next page of recipients starts; null when all are shown. */
  readonly next: number | null;
}

export interface RecipientPage {
  readonly items: readonly MessageRecipientRecord[];
  /** The ordinal after which the next page starts; null on the last page. */
  readonly next: number | null;
}

/** Where a page of messages in (scheduledAt, id) order starts. */
export interface MessageKey {
  readonly scheduledAt: Date;
  readonly id: string;
}

export interface MessageFilter {
  readonly status?: MessageStatus;
  /** Only the messages scheduled with this sender label. */
  readonly fromSender?: string;
  /** Scheduled at or after. */
  readonly from?: Date;
  /** Scheduled before. */
  readonly to?: Date;
}

export interface MessagePage {
  readonly items: readonly MessageRecord[];
  /** Where the next page starts; null on the last page. */
  readonly next: MessageKey | null;
}

/** Every way the use cases read messages; implemented over the read model. */
export abstract class MessageReader {
  /**
   * The message with its recipients' counts by outcome and the first `limit` recipients' outcomes
   * in target_user_id order; null when unknown.
   */
  abstract withRecipients(messageId: string, limit: number): Promise<MessageWithRecipients | null>;
  /** The message without its recipients; null when unknown. */
  abstract byId(messageId: string): Promise<MessageRecord | null>;
  /** A page of a message's recipients in order, after an ordinal, optionally of one outcome. */
  abstract recipients(
    messageId: string,
    options: {
      readonly after: number | null;
      readonly limit: number;
      readonly status?: RecipientDeliveryStatus;
    },
  ): Promise<RecipientPage>;
  /** Messages by scheduled time, filtered, after `after` (keyset pagination). */
  abstract page(
    filter: MessageFilter,
    limit: number,
    after: MessageKey | null,
  ): Promise<MessagePage>;
  /** Messages not yet sent (nor cancelled), soonest first. */
  abstract pending(fromSender: string | null): Promise<MessageRecord[]>;
}
