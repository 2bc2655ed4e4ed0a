import type { EntityManager } from '@mikro-orm/postgresql';
import type { StoredEvent } from '../../event-store/src/event-store';
import type { MessageScheduled } from '../../domain/src/events';
import { MessageView } from './message.view';

/**
 * Folds events into the read models. Runs inside the append's transaction (an inline
 * projection), so a request that wrote can read its own write; replaying the log through the same
 * function rebuilds the tables. Every write depends on the event alone (times are the event's
 * recorded time), so a replay yields the same rows. Plain SQL, one statement per event: this runs
 * on every append, where the query builder's cost showed in the benchmarks.
 */
export async function projectToReadModels(
  em: EntityManager,
  events: readonly StoredEvent[],
): Promise<void> {
  for (const event of events) await apply(em, event);
}

/** The messages row a MessageScheduled makes; also what the API answers with. */
export function messageViewOf(event: StoredEvent<MessageScheduled>): MessageView {
  return Object.assign(new MessageView(), {
    id: event.data.messageId,
    targetUserIds: [...event.data.recipients],
    text: event.data.text,
    scheduledAt: new Date(event.data.scheduledAt),
    attachments: [...event.data.attachments],
    status: 'scheduled' as const,
    isSent: false,
    dueAt: null,
    sentAt: null,
    createdAt: event.recordedAt,
    updatedAt: event.recordedAt,
    lastPosition: String(event.position),
  });
}

async function apply(em: EntityManager, event: StoredEvent): Promise<void> {
  const lastPosition = String(event.position);
  const at = event.recordedAt.toISOString();
  switch (event.type) {
    case 'UserSubscribed':
      if (event.streamVersion > 1) {
        // Back after unsubscribing: same user, subscribed since the first time.
        await em.execute(
          `UPDATE subscribers SET chat_id = ?, chat_name = ?, status = 'active',
             unsubscribe_reason = NULL, updated_at = ?, last_position = ? WHERE user_id = ?`,
          [event.data.chatId, event.data.chatName, at, lastPosition, event.data.userId],
        );
        return;
      }
      await em.execute(
        `INSERT INTO subscribers (user_id, chat_id, chat_name, status, unsubscribe_reason,
           created_at, updated_at, last_position) VALUES (?, ?, ?, 'active', NULL, ?, ?, ?)`,
        [event.data.userId, event.data.chatId, event.data.chatName, at, at, lastPosition],
      );
      return;
    case 'UserUnsubscribed':
      await em.execute(
        `UPDATE subscribers SET status = 'unsubscribed', unsubscribe_reason = ?, updated_at = ?,
           last_position = ? WHERE user_id = ?`,
        [event.data.reason, at, lastPosition, event.data.userId],
      );
      return;
    case 'UserChatMigrated':
      await em.execute(
        'UPDATE subscribers SET chat_id = ?, updated_at = ?, last_position = ? WHERE user_id = ?',
        [event.data.toChatId, at, lastPosition, event.data.userId],
      );
      return;
    case 'MessageScheduled': {
      const view = messageViewOf(event);
      // The message and its recipients in one statement.
      await em.execute(
        `WITH message AS (
           INSERT INTO messages (id, target_user_ids, text, scheduled_at, attachments, status,
             is_sent, due_at, sent_at, created_at, updated_at, last_position)
           VALUES (?, ?::jsonb, ?, ?, ?::jsonb, 'scheduled', false, NULL, NULL, ?, ?, ?)
           RETURNING id)
         INSERT INTO message_recipients (message_id, user_id, ordinal, status, chat_id,
           failure_code, reason, updated_at)
         SELECT message.id, recipient.user_id::uuid, recipient.ordinal - 1, 'pending', NULL,
                NULL, NULL, ?
           FROM message, jsonb_array_elements_text(?::jsonb) WITH ORDINALITY
                AS recipient (user_id, ordinal)`,
        [
          view.id,
          JSON.stringify(view.targetUserIds),
          view.text,
          view.scheduledAt.toISOString(),
          JSON.stringify(view.attachments),
          at,
          at,
          lastPosition,
          at,
          JSON.stringify(view.targetUserIds),
        ],
      );
      return;
    }
    case 'MessageCancelled':
      await em.execute(
        `UPDATE messages SET status = 'cancelled', updated_at = ?, last_position = ? WHERE id = ?`,
        [at, lastPosition, event.data.messageId],
      );
      return;
    case 'MessageRescheduled':
      await em.execute(
        'UPDATE messages SET scheduled_at = ?, updated_at = ?, last_position = ? WHERE id = ?',
        [event.data.scheduledAt, at, lastPosition, event.data.messageId],
      );
      return;
    case 'MessageDue':
      await em.execute(
        `UPDATE messages SET status = 'due', due_at = ?, updated_at = ?, last_position = ?
          WHERE id = ?`,
        [at, at, lastPosition, event.data.messageId],
      );
      return;
    case 'RecipientPartSent':
      // Progress within a recipient's delivery: the read models show outcomes only.
      return;
    case 'RecipientDelivered':
      await em.execute(
        `UPDATE message_recipients SET status = 'delivered', chat_id = ?, updated_at = ?
          WHERE message_id = ? AND user_id = ?`,
        [event.data.chatId, at, event.data.messageId, event.data.userId],
      );
      return;
    case 'RecipientDeliveryFailed':
      await em.execute(
        `UPDATE message_recipients SET status = 'failed', failure_code = ?, reason = ?,
           updated_at = ? WHERE message_id = ? AND user_id = ?`,
        [event.data.code, event.data.reason, at, event.data.messageId, event.data.userId],
      );
      return;
    case 'MessageSent':
      await em.execute(
        `UPDATE messages SET status = 'sent', is_sent = true, sent_at = ?, updated_at = ?,
           last_position = ? WHERE id = ?`,
        [at, at, lastPosition, event.data.messageId],
      );
      return;
  }
}
