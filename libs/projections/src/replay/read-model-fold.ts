import type { Attachment } from '../../../domain/src/events';
import type { StoredEvent } from '../../../event-store/src/event-store';

/**
 * The read models as a fold of the log, in memory: the same rows the inline projection writes
 * event by event, built in one pass for a replay and written in bulk. Rows are keyed as the tables
 * are, with the tables' column names, timestamps as ISO 8601 (the event's recorded time, to the
 * millisecond, as the inline projection stores it).
 */
export interface SubscriberRow {
  user_id: string;
  chat_id: string;
  chat_name: string;
  status: 'active' | 'unsubscribed';
  unsubscribe_reason: string | null;
  created_at: string;
  updated_at: string;
  last_position: number;
}

export interface MessageRow {
  id: string;
  target_user_ids: readonly string[];
  text: string;
  scheduled_at: string;
  attachments: readonly Attachment[];
  from_sender: string | null;
  status: 'scheduled' | 'due' | 'sent' | 'cancelled';
  is_sent: boolean;
  due_at: string | null;
  sent_at: string | null;
  created_at: string;
  updated_at: string;
  last_position: number;
}

export interface MessageRecipientRow {
  message_id: string;
  user_id: string;
  ordinal: number;
  status: 'pending' | 'delivered' | 'failed';
  chat_id: string | null;
  failure_code: string | null;
  reason: string | null;
  updated_at: string;
}

export interface ReadModelRows {
  readonly subscribers: Map<string, SubscriberRow>;
  readonly messages: Map<string, MessageRow>;
  /** Keyed by `${message_id}/${user_id}`. */
  readonly recipients: Map<string, MessageRecipientRow>;
}

export const emptyReadModels = (): ReadModelRows => ({
  subscribers: new Map(),
  messages: new Map(),
  recipients: new Map(),
});

const recipientKey = (messageId: string, userId: string) => `${messageId}/${userId}`;

/** Applies one event. Mutates `rows` in place: a replay folds millions of events. */
export function foldReadModels(rows: ReadModelRows, event: StoredEvent): void {
  const at = event.recordedAt.toISOString();
  const position = event.position;
  const update = <T extends object>(map: Map<string, T>, key: string, changes: Partial<T>) => {
    const row = map.get(key);
    if (row) Object.assign(row, changes);
  };
  switch (event.type) {
    case 'UserSubscribed': {
      const known = rows.subscribers.get(event.data.userId);
      rows.subscribers.set(event.data.userId, {
        user_id: event.data.userId,
        chat_id: event.data.chatId,
        chat_name: event.data.chatName,
        status: 'active',
        unsubscribe_reason: null,
        // Back after unsubscribing: same user, subscribed since the first time.
        created_at: known?.created_at ?? at,
        updated_at: at,
        last_position: position,
      });
      return;
    }
    case 'UserUnsubscribed':
      update(rows.subscribers, event.data.userId, {
        status: 'unsubscribed',
        unsubscribe_reason: event.data.reason,
        updated_at: at,
        last_position: position,
      });
      return;
    case 'UserChatMigrated':
      update(rows.subscribers, event.data.userId, {
        chat_id: event.data.toChatId,
        updated_at: at,
        last_position: position,
      });
      return;
    case 'MessageScheduled':
      rows.messages.set(event.data.messageId, {
        id: event.data.messageId,
        target_user_ids: [...event.data.recipients],
        text: event.data.text,
        scheduled_at: new Date(event.data.scheduledAt).toISOString(),
        attachments: [...event.data.attachments],
        from_sender: event.data.fromSender,
        status: 'scheduled',
        is_sent: false,
        due_at: null,
        sent_at: null,
        created_at: at,
        updated_at: at,
        last_position: position,
      });
      event.data.recipients.forEach((userId, ordinal) =>
        rows.recipients.set(recipientKey(event.data.messageId, userId), {
          message_id: event.data.messageId,
          user_id: userId,
          ordinal,
          status: 'pending',
          chat_id: null,
          failure_code: null,
          reason: null,
          updated_at: at,
        }),
      );
      return;
    case 'MessageCancelled':
      update(rows.messages, event.data.messageId, {
        status: 'cancelled',
        updated_at: at,
        last_position: position,
      });
      return;
    case 'MessageRescheduled':
      update(rows.messages, event.data.messageId, {
        scheduled_at: new Date(event.data.scheduledAt).toISOString(),
        updated_at: at,
        last_position: position,
      });
      return;
    case 'MessageDue':
      update(rows.messages, event.data.messageId, {
        status: 'due',
        due_at: at,
        updated_at: at,
        last_position: position,
      });
      return;
    case 'RecipientPartSent':
      return;
    case 'RecipientDelivered':
      update(rows.recipients, recipientKey(event.data.messageId, event.data.userId), {
        status: 'delivered',
        chat_id: event.data.chatId,
        updated_at: at,
      });
      return;
    case 'RecipientDeliveryFailed':
      update(rows.recipients, recipientKey(event.data.messageId, event.data.userId), {
        status: 'failed',
        failure_code: event.data.code,
        reason: event.data.reason,
        updated_at: at,
      });
      return;
    case 'MessageSent':
      update(rows.messages, event.data.messageId, {
        status: 'sent',
        is_sent: true,
        sent_at: at,
        updated_at: at,
        last_position: position,
      });
      return;
  }
}

/** The scheduler's pending deadlines as a fold: message id → scheduled time. */
export function foldPendingDeadlines(pending: Map<string, string>, event: StoredEvent): void {
  switch (event.type) {
    case 'MessageScheduled':
      if (!pending.has(event.data.messageId))
        pending.set(event.data.messageId, new Date(event.data.scheduledAt).toISOString());
      return;
    case 'MessageRescheduled':
      if (pending.has(event.data.messageId))
        pending.set(event.data.messageId, new Date(event.data.scheduledAt).toISOString());
      return;
    case 'MessageCancelled':
    case 'MessageDue':
    case 'MessageSent':
      pending.delete(event.data.messageId);
      return;
    case 'UserSubscribed':
    case 'UserUnsubscribed':
    case 'UserChatMigrated':
    case 'RecipientPartSent':
    case 'RecipientDelivered':
    case 'RecipientDeliveryFailed':
      return;
  }
}

/** Keys of the rows an event changes, per table: what a replay writes again for the tail. */
export interface TouchedRows {
  readonly subscribers: Set<string>;
  readonly messages: Set<string>;
  readonly recipients: Set<string>;
  readonly pending: Set<string>;
}

export const noRowsTouched = (): TouchedRows => ({
  subscribers: new Set(),
  messages: new Set(),
  recipients: new Set(),
  pending: new Set(),
});

export function recordTouched(touched: TouchedRows, event: StoredEvent): void {
  switch (event.type) {
    case 'UserSubscribed':
    case 'UserUnsubscribed':
    case 'UserChatMigrated':
      touched.subscribers.add(event.data.userId);
      return;
    case 'MessageScheduled':
      touched.messages.add(event.data.messageId);
      touched.pending.add(event.data.messageId);
      for (const userId of event.data.recipients)
        touched.recipients.add(recipientKey(event.data.messageId, userId));
      return;
    case 'MessageCancelled':
    case 'MessageRescheduled':
    case 'MessageDue':
    case 'MessageSent':
      touched.messages.add(event.data.messageId);
      touched.pending.add(event.data.messageId);
      return;
    case 'RecipientDelivered':
    case 'RecipientDeliveryFailed':
      touched.recipients.add(recipientKey(event.data.messageId, event.data.userId));
      return;
    case 'RecipientPartSent':
      return;
  }
}
