import type { EntityManager } from '@mikro-orm/postgresql';
import type { StoredEvent } from '../../event-store/src/event-store';
import type { PendingDeadline } from '../../application/src/scheduling/due-dispatcher';

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

/**
 * Pending messages due at or before `until`, in deadline order, after `after` when given (keyset
 * pagination): an index range scan over what falls due, however many wait beyond it.
 */
export async function findPendingUntil(
  em: EntityManager,
  until: Date,
  after: PendingDeadline | undefined,
  limit: number,
): Promise<PendingDeadline[]> {
  const rows = await em.execute<{ message_id: string; scheduled_at: string }[]>(
    `SELECT message_id, to_json(scheduled_at) #>> '{}' AS scheduled_at FROM scheduler_pending
      WHERE scheduled_at <= ? ${after ? 'AND (scheduled_at, message_id) > (?::timestamptz, ?::uuid)' : ''}
      ORDER BY scheduled_at, message_id LIMIT ?`,
    after
      ? [until.toISOString(), after.scheduledAt.toISOString(), after.messageId, limit]
      : [until.toISOString(), limit],
  );
  return rows.map((row) => ({
    messageId: row.message_id,
    scheduledAt: new Date(row.scheduled_at),
  }));
}
