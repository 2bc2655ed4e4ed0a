import type { DomainEvent } from '../../domain/src/events';
import type { StoredEvent } from '../../event-store/src/event-store';
import { MemoryTables, TouchedRows } from './projection-memory';
import { MESSAGE_RECIPIENTS, readModelsProjection } from './read-models.projection';

let position = 0;
function stored(event: DomainEvent): StoredEvent {
  position += 1;
  return {
    ...event,
    eventId: `e-${position}`,
    streamId: 'message-m1',
    streamVersion: position,
    position,
    transactionId: String(position),
    schemaVersion: 1,
    metadata: { correlationId: 'c', causationId: null, actor: 'test' },
    recordedAt: new Date('2027-01-04T09:00:00.000Z'),
  };
}

describe('MemoryTables replaying a resolved audience', () => {
  it('makes a pending recipient row per id of each part, numbered on from the part before', () => {
    const tables = new MemoryTables(readModelsProjection);
    const touched = new TouchedRows();
    for (const [part, recipients] of [
      [1, ['u1', 'u2']],
      [2, ['u3']],
    ] as const) {
      tables.apply(
        stored({
          type: 'AudienceResolved',
          data: { messageId: 'm1', recipients: [...recipients], part, parts: 2 },
        }),
        touched,
      );
    }
    const rows = [...tables.rows(MESSAGE_RECIPIENTS)].map((row) => [
      row.user_id,
      row.ordinal,
      row.status,
      row.updated_at,
    ]);
    // A part holds up to 1,000 recipients: the second part's first is number 1000.
    expect(rows).toEqual([
      ['u1', 0, 'pending', '2027-01-04T09:00:00.000Z'],
      ['u2', 1, 'pending', '2027-01-04T09:00:00.000Z'],
      ['u3', 1000, 'pending', '2027-01-04T09:00:00.000Z'],
    ]);
    expect(touched.of(MESSAGE_RECIPIENTS).map(([key]) => key)).toEqual(['m1/u1', 'm1/u2', 'm1/u3']);
  });
});
