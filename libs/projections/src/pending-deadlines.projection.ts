import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '../../domain/src/events';
import {
  eventTimeNotBefore,
  type EventValue,
  insertIfAbsent,
  type Projection,
  remove,
  type RowChange,
  type Table,
  update,
  upsert,
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
 * A message with `delete_after`, until it is recalled: once it fell due (`due_at`: when it was
 * handed to delivery, or its time if that is later), it is recalled `delete_after` seconds later.
 */
export interface RecallDeadlineRow {
  readonly message_id: string;
  readonly delete_after: number;
  readonly due_at: string | EventValue | null;
}

export const SCHEDULER_RECALLS: Table<RecallDeadlineRow, 'message_id'> = {
  name: 'scheduler_recalls',
  key: ['message_id'],
};

/** A series that is active, and when it next plans: when its latest planned occurrence comes (its first zone's time). */
export interface SeriesPlanningRow {
  readonly series_id: string;
  readonly plan_at: string;
}

export const SCHEDULER_SERIES: Table<SeriesPlanningRow, 'series_id'> = {
  name: 'scheduler_series',
  key: ['series_id'],
};

/**
 * The scheduler's projection: one row per message scheduled and not yet due, keyed by its
 * deadline, and one per active series, keyed by when it next plans. Fed from the log by a
 * LogFollower, so it is the scheduler's own and can be rebuilt.
 */
export const pendingDeadlinesProjection: Projection = {
  name: 'scheduler-pending-deadlines',
  tables: [SCHEDULER_PENDING, SCHEDULER_SERIES, SCHEDULER_RECALLS],
  changesOf(event: DomainEvent): readonly RowChange[] {
    switch (event.type) {
      case 'MessageScheduled': {
        const { deleteAfter } = event.data.sendOptions;
        return [
          insertIfAbsent(SCHEDULER_PENDING, {
            message_id: event.data.messageId,
            scheduled_at: new Date(event.data.scheduledAt).toISOString(),
          }),
          ...(deleteAfter === null
            ? []
            : [
                insertIfAbsent(SCHEDULER_RECALLS, {
                  message_id: event.data.messageId,
                  delete_after: deleteAfter,
                  due_at: null,
                }),
              ]),
        ];
      }
      case 'MessageRescheduled':
        return [
          update(
            SCHEDULER_PENDING,
            { message_id: event.data.messageId },
            { scheduled_at: new Date(event.data.scheduledAt).toISOString() },
          ),
        ];
      case 'MessageDue':
        // A message without delete_after has no row: the update changes nothing. delete_after
        // counts from when it is sent: not before its time (it is handed over a lead earlier).
        return [
          remove(SCHEDULER_PENDING, { message_id: event.data.messageId }),
          update(
            SCHEDULER_RECALLS,
            { message_id: event.data.messageId },
            { due_at: eventTimeNotBefore(event.data.scheduledAt) },
          ),
        ];
      case 'MessageCancelled':
      case 'MessageMissed':
        return [
          remove(SCHEDULER_PENDING, { message_id: event.data.messageId }),
          remove(SCHEDULER_RECALLS, { message_id: event.data.messageId }),
        ];
      case 'MessageSent':
        return [remove(SCHEDULER_PENDING, { message_id: event.data.messageId })];
      case 'MessageRecalled':
        return [remove(SCHEDULER_RECALLS, { message_id: event.data.messageId })];
      case 'UserSubscribed':
      case 'UserUnsubscribed':
      case 'UserChatMigrated':
      case 'SubscriberTimeZoneSet':
      case 'SubscriberProfileChanged':
      case 'SubscriberJoinedTopic':
      case 'SubscriberLeftTopic':
      case 'TopicCreated':
      case 'TopicRenamed':
      case 'TopicDeleted':
      case 'RecipientPartSent':
      case 'RecipientDelivered':
      case 'RecipientDeliveryFailed':
      case 'AudienceResolved':
      case 'AudiencePartSent':
      case 'AudienceRevisionDue':
      case 'MessageEdited':
      case 'RecipientEdited':
      case 'RecipientEditFailed':
      case 'RecipientRecalled':
      case 'RecipientRecallFailed':
        return NO_CHANGE;
      case 'OccurrencePlanned':
        // A changed occurrence planned again moves nothing: the series plans on from its latest,
        // when that one's first zone has come.
        return event.data.replanned
          ? NO_CHANGE
          : [planAt(event.data.seriesId, event.data.planNextAt)];
      case 'SeriesResumed':
        return [planAt(event.data.seriesId, event.data.nextPlanningAt)];
      case 'SeriesPaused':
      case 'SeriesEnded':
        return [remove(SCHEDULER_SERIES, { series_id: event.data.seriesId })];
      case 'SeriesCreated':
      case 'SeriesChanged':
      case 'OccurrenceSkipped':
      case 'OccurrenceMoved':
      case 'OccurrenceEdited':
      case 'OccurrencesMissed':
        // Whatever of these needs planning comes with its OccurrencePlanned in the same append.
        return NO_CHANGE;
    }
  },
};

const planAt = (seriesId: string, at: string): RowChange =>
  upsert(SCHEDULER_SERIES, { series_id: seriesId, plan_at: new Date(at).toISOString() }, []);

/** A series whose time to plan has come, and that time: a place in the planner's keyset paging. */
export interface SeriesToPlan {
  readonly seriesId: string;
  readonly planAt: string;
}

/**
 * Series whose time to plan has come, soonest first, after `after` when given (keyset
 * pagination: a tick's next page never returns a series of its earlier pages, even while the
 * projection has not caught up with their planning): an index range scan, however many wait.
 */
export async function findSeriesToPlan(
  em: EntityManager,
  until: Date,
  after: SeriesToPlan | undefined,
  limit: number,
): Promise<SeriesToPlan[]> {
  const rows = await em.execute<{ series_id: string; plan_at: string }[]>(
    `SELECT series_id, to_json(plan_at) #>> '{}' AS plan_at FROM scheduler_series
      WHERE plan_at <= ? ${after ? 'AND (plan_at, series_id) > (?::timestamptz, ?::uuid)' : ''}
      ORDER BY plan_at, series_id LIMIT ?`,
    [until.toISOString(), ...(after ? [after.planAt, after.seriesId] : []), limit],
  );
  return rows.map((row) => ({ seriesId: row.series_id, planAt: row.plan_at }));
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

/**
 * Messages whose `delete_after` has run out by `now` (counted from when each fell due), at most
 * `limit`, the longest overdue first.
 */
export async function findRecallsDue(
  em: EntityManager,
  now: Date,
  limit: number,
): Promise<string[]> {
  const rows = await em.execute<{ message_id: string }[]>(
    `SELECT message_id FROM scheduler_recalls
      WHERE due_at + delete_after * interval '1 second' <= ?
      ORDER BY due_at + delete_after * interval '1 second' LIMIT ?`,
    [now.toISOString(), limit],
  );
  return rows.map((row) => row.message_id);
}

/** A message that can no longer be recalled (past Telegram's window, cancelled): no more tries. */
export async function forgetRecall(em: EntityManager, messageId: string): Promise<void> {
  await em.execute('DELETE FROM scheduler_recalls WHERE message_id = ?', [messageId]);
}
