/**
 * The event catalogue. Event data is plain JSON: timestamps are ISO 8601 strings so that an event
 * reads back from the store exactly as it was written.
 */

export interface Attachment {
  /** Object key in the bucket; the seed's `file_paths` entries. */
  readonly objectKey: string;
  readonly fileName: string;
  /** The type the system decided for the file, sent to Telegram and shown to clients. */
  readonly contentType: string;
  /**
   * What the client said the file is (its multipart part's Content-Type), kept apart from
   * `contentType` for the audit trail. Added in MessageScheduled schema version 2: a version 1
   * event reads it as its contentType, which was the client's word then.
   */
  readonly declaredContentType: string;
  readonly size: number;
  readonly sha256: string;
}

export interface UserSubscribed {
  readonly type: 'UserSubscribed';
  readonly data: {
    readonly userId: string;
    readonly chatId: string;
    readonly chatName: string;
  };
}

/**
 * Why a subscription ended: the user asked (/stop), the user blocked the bot, or the user's group
 * became a supergroup that is subscribed already (as another user), which now stands for the chat.
 */
export type UnsubscribeReason = 'requested' | 'blocked' | 'chat_merged';

export interface UserUnsubscribed {
  readonly type: 'UserUnsubscribed';
  readonly data: {
    readonly userId: string;
    readonly chatId: string;
    readonly reason: UnsubscribeReason;
  };
}

/** A group became a supergroup: Telegram moved the chat to a new id. */
export interface UserChatMigrated {
  readonly type: 'UserChatMigrated';
  readonly data: {
    readonly userId: string;
    readonly fromChatId: string;
    readonly toChatId: string;
  };
}

export interface MessageScheduled {
  readonly type: 'MessageScheduled';
  readonly data: {
    readonly messageId: string;
    readonly recipients: readonly string[];
    readonly text: string;
    readonly scheduledAt: string;
    readonly attachments: readonly Attachment[];
    /**
     * The client's label for who sends the message (the seed's clients send `from_sender`), for
     * finding one sender's messages; null when none was given. Added in schema version 3: older
     * events read it as null.
     */
    readonly fromSender: string | null;
  };
}

export interface MessageCancelled {
  readonly type: 'MessageCancelled';
  readonly data: { readonly messageId: string };
}

export interface MessageRescheduled {
  readonly type: 'MessageRescheduled';
  readonly data: {
    readonly messageId: string;
    readonly scheduledAt: string;
    readonly previousScheduledAt: string;
  };
}

export interface MessageDue {
  readonly type: 'MessageDue';
  readonly data: {
    readonly messageId: string;
    /** The time the message was scheduled for. */
    readonly scheduledAt: string;
  };
}

/**
 * One part of a message reached a recipient's chat: part 0 is the text, part n the n-th
 * attachment. Recorded right after each send, so that a delivery resumed after a crash sends
 * only the parts not yet recorded.
 */
export interface RecipientPartSent {
  readonly type: 'RecipientPartSent';
  readonly data: {
    readonly messageId: string;
    readonly userId: string;
    readonly chatId: string;
    readonly part: number;
    readonly telegramMessageId: number;
    /** For an attachment: Telegram's file_id, by which it can be sent again without uploading. */
    readonly telegramFileId?: string;
  };
}

/** Every part reached the recipient. */
export interface RecipientDelivered {
  readonly type: 'RecipientDelivered';
  readonly data: {
    readonly messageId: string;
    readonly userId: string;
    readonly chatId: string;
    /** Telegram's ids of the messages sent: the text, then one per attachment. */
    readonly telegramMessageIds: readonly number[];
  };
}

/** Why a recipient will not get a message; stable, for code to act on. */
export type DeliveryFailureCode =
  | 'unknown_recipient'
  | 'unsubscribed'
  | 'blocked'
  | 'chat_not_found'
  | 'rejected'
  | 'attachment_missing'
  /** Transient failures (5xx, network, timeouts) past the configured number of attempts. */
  | 'send_failed';

export interface RecipientDeliveryFailed {
  readonly type: 'RecipientDeliveryFailed';
  readonly data: {
    readonly messageId: string;
    readonly userId: string;
    readonly code: DeliveryFailureCode;
    /** For people: what Telegram (or the system) said. */
    readonly reason: string;
  };
}

export interface MessageSent {
  readonly type: 'MessageSent';
  readonly data: {
    readonly messageId: string;
    readonly delivered: number;
    readonly failed: number;
  };
}

export type SubscriberEvent = UserSubscribed | UserUnsubscribed | UserChatMigrated;
export type ScheduledMessageEvent =
  | MessageScheduled
  | MessageCancelled
  | MessageRescheduled
  | MessageDue
  | RecipientPartSent
  | RecipientDelivered
  | RecipientDeliveryFailed
  | MessageSent;
export type DomainEvent = SubscriberEvent | ScheduledMessageEvent;
export type DomainEventType = DomainEvent['type'];

/** Every event type; a new one must be added (the record's type makes the compiler ask). */
const EVENT_TYPES: Record<DomainEventType, true> = {
  UserSubscribed: true,
  UserUnsubscribed: true,
  UserChatMigrated: true,
  MessageScheduled: true,
  MessageCancelled: true,
  MessageRescheduled: true,
  MessageDue: true,
  RecipientPartSent: true,
  RecipientDelivered: true,
  RecipientDeliveryFailed: true,
  MessageSent: true,
};
export const DOMAIN_EVENT_TYPES = Object.keys(EVENT_TYPES) as DomainEventType[];

export const subscriberStreamId = (userId: string): string => `subscriber-${userId}`;
export const messageStreamId = (messageId: string): string => `message-${messageId}`;

/** Which aggregate an event belongs to; exhaustive, so a new event type must be placed here. */
export function isSubscriberEvent(event: DomainEvent): event is SubscriberEvent {
  switch (event.type) {
    case 'UserSubscribed':
    case 'UserUnsubscribed':
    case 'UserChatMigrated':
      return true;
    case 'MessageScheduled':
    case 'MessageCancelled':
    case 'MessageRescheduled':
    case 'MessageDue':
    case 'RecipientPartSent':
    case 'RecipientDelivered':
    case 'RecipientDeliveryFailed':
    case 'MessageSent':
      return false;
  }
}
