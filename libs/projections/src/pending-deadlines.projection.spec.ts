import type { StoredEvent } from '../../event-store/src/event-store';
import { SCHEDULER_RECALLS, pendingDeadlinesProjection } from './pending-deadlines.projection';
import { MemoryTables } from './projection-memory';
import { appliedStatements, inlineStatements } from './projection-sql';

const SCHEDULED_AT = '2027-01-04T09:00:00.000Z';

function stored(type: string, data: object, position: number, recordedAt: string): StoredEvent {
  return {
    type,
    data,
    eventId: `e-${position}`,
    streamId: 'message-m1',
    streamVersion: position,
    position,
    transactionId: String(position),
    schemaVersion: 1,
    metadata: { correlationId: 'c', causationId: null, actor: 'test' },
    recordedAt: new Date(recordedAt),
  } as StoredEvent;
}

// Only what this projection reads of a MessageScheduled: its id, time and delete_after.
const scheduled = stored(
  'MessageScheduled',
  { messageId: 'm1', scheduledAt: SCHEDULED_AT, sendOptions: { deleteAfter: 60 } },
  1,
  '2027-01-04T08:00:00.000Z',
);

const messageDue = (recordedAt: string) =>
  stored('MessageDue', { messageId: 'm1', scheduledAt: SCHEDULED_AT }, 2, recordedAt);

/** What the projection writes as the recall's due_at for a MessageDue, in each of its forms. */
function dueAtWritten(recordedAt: string): { applied: unknown; replayed: unknown } {
  const event = messageDue(recordedAt);
  const [, recall] = appliedStatements(pendingDeadlinesProjection, [event]);
  const applied = (JSON.parse(String(recall!.params[0])) as { due_at: unknown }).due_at;
  const tables = new MemoryTables(pendingDeadlinesProjection);
  tables.apply(scheduled);
  tables.apply(event);
  return { applied, replayed: tables.row(SCHEDULER_RECALLS, 'm1')?.due_at };
}

describe('pendingDeadlinesProjection: when delete_after starts counting', () => {
  it('given a message handed to delivery before its time, counts from its time', () => {
    expect(dueAtWritten('2027-01-04T08:59:58.000Z')).toEqual({
      applied: SCHEDULED_AT,
      replayed: SCHEDULED_AT,
    });
  });

  it('given a message handed over late (the system was down), counts from the hand-over', () => {
    expect(dueAtWritten('2027-01-04T09:20:00.000Z')).toEqual({
      applied: '2027-01-04T09:20:00.000Z',
      replayed: '2027-01-04T09:20:00.000Z',
    });
  });

  it('in the append transaction, takes the later of the event row time and its time', () => {
    const [, recall] = inlineStatements(pendingDeadlinesProjection, [messageDue(SCHEDULED_AT)]);
    expect(recall!.sql).toContain(
      `greatest(date_trunc('milliseconds', e.recorded_at), '${SCHEDULED_AT}'::timestamptz)`,
    );
  });
});
