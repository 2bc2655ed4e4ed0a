import type { EntityManager } from '@mikro-orm/postgresql';
import type { StoredEvent } from '../../../event-store/src/event-store';

/**
 * The scheduler's projection: one row per message scheduled and not yet due, keyed by its
 * deadline. Fed from the log by a LogFollower, so it is the scheduler's own and can be rebuilt.
 */
export async function projectPendingDeadlines(
  em: EntityManager,
  events: readonly StoredEvent[],
): Promise<void> {
  for (const event of events) {
    switch (event.type) {
      case 'MessageScheduled':
        await em.execute(
          'INSERT INTO scheduler_pending (message_id, scheduled_at) VALUES (?, ?) ON CONFLICT (message_id) DO NOTHING',
          [event.data.messageId, event.data.scheduledAt],
        );
        break;
      case 'MessageRescheduled':
        await em.execute('UPDATE scheduler_pending SET scheduled_at = ? WHERE message_id = ?', [
          event.data.scheduledAt,
          event.data.messageId,
        ]);
        break;
      case 'MessageCancelled':
      case 'MessageDue':
      case 'MessageSent':
        await em.execute('DELETE FROM scheduler_pending WHERE message_id = ?', [
          event.data.messageId,
        ]);
        break;
      case 'UserSubscribed':
      case 'UserUnsubscribed':
      case 'UserChatMigrated':
      case 'RecipientPartSent':
      case 'RecipientDelivered':
      case 'RecipientDeliveryFailed':
        break;
    }
  }
}

/** Messages whose deadline has passed, oldest first: an index range scan over what is due. */
export async function findDueMessageIds(
  em: EntityManager,
  now: Date,
  limit: number,
): Promise<string[]> {
  const rows = await em.execute<{ message_id: string }[]>(
    'SELECT message_id FROM scheduler_pending WHERE scheduled_at <= ? ORDER BY scheduled_at LIMIT ?',
    [now.toISOString(), limit],
  );
  return rows.map((row) => row.message_id);
}
