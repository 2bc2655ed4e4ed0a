import type { AppendingEvent, SqlStatement } from '../../event-store/src/postgres-event-store';

/**
 * Folds events into the read models: the statements the event store runs in each append's
 * transaction (an inline projection), so a request that wrote can read its own write. Plain SQL,
 * one statement per event, sent with the append in one round trip: this runs on every append,
 * where the query builder and the extra round trips showed in the benchmarks. Every write depends
 * on the event alone (times are the event's recorded time, read with its position from the
 * events row, found by id among the rows this transaction inserted), so a replay (libs/projections/src/replay)
 * yields the same rows.
 */
export function projectToReadModels(events: readonly AppendingEvent[]): SqlStatement[] {
  return events.flatMap((event) => {
    const statement = project(event);
    return statement ? [statement] : [];
  });
}

/**
 * The event's row, by its id, among the rows this transaction inserted: an append that inserted
 * nothing (its version check failed) must not find an event of the same id stored by an earlier
 * append, and apply it again.
 */
const EVENT = 'events e WHERE e.event_id = ? AND e.transaction_id = pg_current_xact_id()';

/**
 * The event's recorded time as the read models keep it: to the millisecond, as a JavaScript Date
 * holds it (the replay's fold reads it into one).
 */
const AT = "date_trunc('milliseconds', e.recorded_at)";

function project(event: AppendingEvent): SqlStatement | undefined {
  switch (event.type) {
    case 'UserSubscribed':
      // Back after unsubscribing: same user, subscribed since the first time.
      return {
        sql: `INSERT INTO subscribers (user_id, chat_id, chat_name, status, unsubscribe_reason,
                created_at, updated_at, last_position)
              SELECT ?, ?, ?, 'active', NULL, ${AT}, ${AT}, e.position
                FROM ${EVENT}
              ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id,
                chat_name = excluded.chat_name, status = 'active', unsubscribe_reason = NULL,
                updated_at = excluded.updated_at, last_position = excluded.last_position`,
        params: [event.data.userId, event.data.chatId, event.data.chatName, event.eventId],
      };
    case 'UserUnsubscribed':
      return {
        sql: `UPDATE subscribers s SET status = 'unsubscribed', unsubscribe_reason = ?,
                updated_at = ${AT}, last_position = e.position
                FROM ${EVENT} AND s.user_id = ?`,
        params: [event.data.reason, event.eventId, event.data.userId],
      };
    case 'UserChatMigrated':
      return {
        sql: `UPDATE subscribers s SET chat_id = ?, updated_at = ${AT},
                last_position = e.position
                FROM ${EVENT} AND s.user_id = ?`,
        params: [event.data.toChatId, event.eventId, event.data.userId],
      };
    case 'MessageScheduled':
      // The message and its recipients in one statement.
      return {
        sql: `WITH e AS (SELECT position, ${AT} AS recorded_at FROM ${EVENT}),
              message AS (
                INSERT INTO messages (id, target_user_ids, text, scheduled_at, attachments,
                  from_sender, status, is_sent, due_at, sent_at, created_at, updated_at,
                  last_position)
                SELECT ?, ?::jsonb, ?, ?, ?::jsonb, ?, 'scheduled', false, NULL, NULL,
                       ${AT}, ${AT}, e.position
                  FROM e
                RETURNING id, updated_at)
              INSERT INTO message_recipients (message_id, user_id, ordinal, status, chat_id,
                failure_code, reason, updated_at)
              SELECT message.id, recipient.user_id::uuid, recipient.ordinal - 1, 'pending', NULL,
                     NULL, NULL, message.updated_at
                FROM message, jsonb_array_elements_text(?::jsonb) WITH ORDINALITY
                     AS recipient (user_id, ordinal)`,
        params: [
          event.eventId,
          event.data.messageId,
          JSON.stringify(event.data.recipients),
          event.data.text,
          event.data.scheduledAt,
          JSON.stringify(event.data.attachments),
          event.data.fromSender,
          JSON.stringify(event.data.recipients),
        ],
      };
    case 'MessageCancelled':
      return messageUpdate(event.eventId, event.data.messageId, "status = 'cancelled'");
    case 'MessageRescheduled':
      return messageUpdate(event.eventId, event.data.messageId, 'scheduled_at = ?', [
        event.data.scheduledAt,
      ]);
    case 'MessageDue':
      return messageUpdate(event.eventId, event.data.messageId, `status = 'due', due_at = ${AT}`);
    case 'MessageSent':
      return messageUpdate(
        event.eventId,
        event.data.messageId,
        `status = 'sent', is_sent = true, sent_at = ${AT}`,
      );
    case 'RecipientPartSent':
      // Progress within a recipient's delivery: the read models show outcomes only.
      return undefined;
    case 'RecipientDelivered':
      return {
        sql: `UPDATE message_recipients r SET status = 'delivered', chat_id = ?,
                updated_at = ${AT}
                FROM ${EVENT} AND r.message_id = ? AND r.user_id = ?`,
        params: [event.data.chatId, event.eventId, event.data.messageId, event.data.userId],
      };
    case 'RecipientDeliveryFailed':
      return {
        sql: `UPDATE message_recipients r SET status = 'failed', failure_code = ?, reason = ?,
                updated_at = ${AT}
                FROM ${EVENT} AND r.message_id = ? AND r.user_id = ?`,
        params: [
          event.data.code,
          event.data.reason,
          event.eventId,
          event.data.messageId,
          event.data.userId,
        ],
      };
  }
}

/** An update of the message's row, stamped with the event's time and position. */
function messageUpdate(
  eventId: string,
  messageId: string,
  assignments: string,
  params: readonly unknown[] = [],
): SqlStatement {
  return {
    sql: `UPDATE messages m SET ${assignments}, updated_at = ${AT},
            last_position = e.position
            FROM ${EVENT} AND m.id = ?`,
    params: [...params, eventId, messageId],
  };
}
