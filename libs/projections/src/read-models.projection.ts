import type { Attachment, DomainEvent } from '../../domain/src/events';
import {
  EVENT_POSITION,
  EVENT_TIME,
  insert,
  type Projection,
  type RowChange,
  type Table,
  update,
  upsert,
  type Written,
  NO_CHANGE,
} from './projection';

/**
 * The read models the API serves, kept in each append's own transaction (so a client reads its
 * own writes) and rebuilt by a replay. Their rows as the tables hold them (column names; times as
 * ISO 8601; `last_position` the position of the last event applied): the one description of
 * their shape besides the migrations' DDL.
 */
export interface SubscriberRow {
  readonly user_id: string;
  /** Unique among active subscribers (a partial unique index): one chat, one subscription. */
  readonly chat_id: string;
  readonly chat_name: string;
  readonly status: 'active' | 'unsubscribed';
  readonly unsubscribe_reason: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly last_position: number;
}

export interface MessageRow {
  readonly id: string;
  readonly target_user_ids: readonly string[];
  readonly text: string;
  readonly scheduled_at: string;
  readonly attachments: readonly Attachment[];
  readonly from_sender: string | null;
  readonly status: 'scheduled' | 'due' | 'sent' | 'cancelled';
  readonly is_sent: boolean;
  readonly due_at: string | null;
  readonly sent_at: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly last_position: number;
}

export interface MessageRecipientRow {
  readonly message_id: string;
  readonly user_id: string;
  /** The recipient's place in target_user_id. */
  readonly ordinal: number;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly chat_id: string | null;
  readonly failure_code: string | null;
  readonly reason: string | null;
  readonly updated_at: string;
}

export const SUBSCRIBERS: Table<SubscriberRow, 'user_id'> = {
  name: 'subscribers',
  key: ['user_id'],
};
export const MESSAGES: Table<MessageRow, 'id'> = { name: 'messages', key: ['id'] };
export const MESSAGE_RECIPIENTS: Table<MessageRecipientRow, 'message_id' | 'user_id'> = {
  name: 'message_recipients',
  key: ['message_id', 'user_id'],
};

/** The stamp of every change of a message's row: the event's time and position. */
const STAMPED = { updated_at: EVENT_TIME, last_position: EVENT_POSITION } as const;

export const readModelsProjection: Projection = {
  name: 'read-models',
  tables: [SUBSCRIBERS, MESSAGES, MESSAGE_RECIPIENTS],
  changesOf(event: DomainEvent): readonly RowChange[] {
    switch (event.type) {
      case 'UserSubscribed':
        return [
          upsert(
            SUBSCRIBERS,
            {
              user_id: event.data.userId,
              chat_id: event.data.chatId,
              chat_name: event.data.chatName,
              status: 'active',
              unsubscribe_reason: null,
              created_at: EVENT_TIME,
              updated_at: EVENT_TIME,
              last_position: EVENT_POSITION,
            },
            // Back after unsubscribing: same user, subscribed since the first time.
            ['created_at'],
          ),
        ];
      case 'UserUnsubscribed':
        return [
          update(
            SUBSCRIBERS,
            { user_id: event.data.userId },
            {
              status: 'unsubscribed',
              unsubscribe_reason: event.data.reason,
              updated_at: EVENT_TIME,
              last_position: EVENT_POSITION,
            },
          ),
        ];
      case 'UserChatMigrated':
        return [
          update(
            SUBSCRIBERS,
            { user_id: event.data.userId },
            { chat_id: event.data.toChatId, updated_at: EVENT_TIME, last_position: EVENT_POSITION },
          ),
        ];
      case 'MessageScheduled':
        return [
          insert(MESSAGES, {
            id: event.data.messageId,
            target_user_ids: event.data.recipients,
            text: event.data.text,
            scheduled_at: new Date(event.data.scheduledAt).toISOString(),
            attachments: event.data.attachments,
            from_sender: event.data.fromSender,
            status: 'scheduled',
            is_sent: false,
            due_at: null,
            sent_at: null,
            created_at: EVENT_TIME,
            updated_at: EVENT_TIME,
            last_position: EVENT_POSITION,
          }),
          // A message always has recipients (the domain refuses one without).
          insert(
            MESSAGE_RECIPIENTS,
            ...event.data.recipients.map((userId, ordinal): Written<MessageRecipientRow> => ({
              message_id: event.data.messageId,
              user_id: userId,
              ordinal,
              status: 'pending',
              chat_id: null,
              failure_code: null,
              reason: null,
              updated_at: EVENT_TIME,
            })),
          ),
        ];
      case 'MessageCancelled':
        return [
          update(MESSAGES, { id: event.data.messageId }, { status: 'cancelled', ...STAMPED }),
        ];
      case 'MessageRescheduled':
        return [
          update(
            MESSAGES,
            { id: event.data.messageId },
            { scheduled_at: new Date(event.data.scheduledAt).toISOString(), ...STAMPED },
          ),
        ];
      case 'MessageDue':
        return [
          update(
            MESSAGES,
            { id: event.data.messageId },
            { status: 'due', due_at: EVENT_TIME, ...STAMPED },
          ),
        ];
      case 'MessageSent':
        return [
          update(
            MESSAGES,
            { id: event.data.messageId },
            { status: 'sent', is_sent: true, sent_at: EVENT_TIME, ...STAMPED },
          ),
        ];
      case 'RecipientPartSent':
        // Progress within a recipient's delivery: the read models show outcomes only.
        return NO_CHANGE;
      case 'RecipientDelivered':
        return [
          update(
            MESSAGE_RECIPIENTS,
            { message_id: event.data.messageId, user_id: event.data.userId },
            { status: 'delivered', chat_id: event.data.chatId, updated_at: EVENT_TIME },
          ),
        ];
      case 'RecipientDeliveryFailed':
        return [
          update(
            MESSAGE_RECIPIENTS,
            { message_id: event.data.messageId, user_id: event.data.userId },
            {
              status: 'failed',
              failure_code: event.data.code,
              reason: event.data.reason,
              updated_at: EVENT_TIME,
            },
          ),
        ];
    }
  },
};
