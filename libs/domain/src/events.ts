/**
 * The event catalogue. Event data is plain JSON: timestamps are ISO 8601 strings so that an event
 * reads back from the store exactly as it was written.
 */

export interface Attachment {
  /** Object key in the bucket; the seed's `file_paths` entries. */
  readonly objectKey: string;
  readonly fileName: string;
  readonly contentType: string;
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

export type UnsubscribeReason = 'requested' | 'blocked';

export interface UserUnsubscribed {
  readonly type: 'UserUnsubscribed';
  readonly data: {
    readonly userId: string;
    readonly chatId: string;
    readonly reason: UnsubscribeReason;
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
  };
}

export type SubscriberEvent = UserSubscribed | UserUnsubscribed;
export type ScheduledMessageEvent = MessageScheduled;
export type DomainEvent = SubscriberEvent | ScheduledMessageEvent;
export type DomainEventType = DomainEvent['type'];

export const subscriberStreamId = (userId: string): string => `subscriber-${userId}`;
export const messageStreamId = (messageId: string): string => `message-${messageId}`;
