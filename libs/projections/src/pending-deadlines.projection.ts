import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '../../domain/src/events';
import {
  insertIfAbsent,
  type Projection,
  remove,
  type RowChange,
  type Table,
  update,
  NO_CHANGE,
} from './projection';
import type { PendingDeadline } from '../../application/src/scheduling/due-dispatcher';

export interface PendingDeadlineRow {
  readonly message_id: string;
  readonly scheduled_at: string;
}

export const SCHEDULER_PENDING: Table<PendingDeadlineRow, 'message_id'> = {
  name: 'scheduler_pending',
  key: ['message_id'],
};

/**
 * The scheduler's projection: one row per message scheduled and not yet due, keyed by its
 * deadline. Fed from the log by a LogFollower, so it is the scheduler's own and can be rebuilt.
 */
export const pendingDeadlinesProjection: Projection = {
  name: 'scheduler-pending-deadlines',
  tables: [SCHEDULER_PENDING],
  changesOf(event: DomainEvent): readonly RowChange[] {
    switch (event.type) {
      case 'MessageScheduled':
        return [
          insertIfAbsent(SCHEDULER_PENDING, {
            message_id: event.data.messageId,
            scheduled_at: new Date(event.data.scheduledAt).toISOString(),
          }),
        ];
      case 'MessageRescheduled':
        return [
          update(
            SCHEDULER_PENDING,
            { message_id: event.data.messageId },
            { scheduled_at: new Date(event.data.scheduledAt).toISOString() },
          ),
        ];
      case 'MessageCancelled':
      case 'MessageDue':
      case 'MessageSent':
        return [remove(SCHEDULER_PENDING, { message_id: event.data.messageId })];
      case 'UserSubscribed':
      case 'UserUnsubscribed':
      case 'UserChatMigrated':
      case 'RecipientPartSent':
      case 'RecipientDelivered':
      case 'RecipientDeliveryFailed':
        return NO_CHANGE;
    }
  },
};

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
