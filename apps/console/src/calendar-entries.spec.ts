import type { MessageSummary } from './api';
import { audienceOf, calendarEntryOf, toLocalInputValue } from './calendar-entries';

const message = (overrides: Partial<MessageSummary> = {}): MessageSummary => ({
  id: 'a',
  status: 'scheduled',
  message: 'Hello',
  scheduled_timestamp: '2030-01-01T10:00:00.000Z',
  target_user_id: ['1'],
  target_topic: null,
  target_all: false,
  file_paths: null,
  from_sender: null,
  created_at: '2029-12-31T10:00:00.000Z',
  series_id: null,
  ...overrides,
});

describe('the calendar entries of messages', () => {
  it('lets only a message not yet due be moved', () => {
    expect(calendarEntryOf(message()).startEditable).toBe(true);
    for (const status of ['due', 'sent', 'cancelled', 'missed'] as const)
      expect(calendarEntryOf(message({ status })).startEditable).toBe(false);
  });

  it('titles an entry with its text on one line, shortened, and classes it by status', () => {
    const entry = calendarEntryOf(message({ message: `first\nsecond ${'x'.repeat(80)}` }));
    expect(entry.title.startsWith('first second x')).toBe(true);
    expect(entry.title).toHaveLength(60);
    expect(entry.title.endsWith('…')).toBe(true);
    expect(entry.classNames).toEqual(['status-scheduled']);
  });

  it('marks an occurrence of a recurring series', () => {
    const entry = calendarEntryOf(message({ series_id: 's' }));
    expect(entry.title).toBe('↻ Hello');
    expect(entry.classNames).toEqual(['status-scheduled', 'from-series']);
    expect(calendarEntryOf(message()).title).toBe('Hello');
  });

  it('says who a message goes to', () => {
    expect(audienceOf(message())).toBe('user 1');
    expect(audienceOf(message({ target_user_id: ['1', '2'] }))).toBe('2 users');
    expect(audienceOf(message({ target_user_id: [], target_topic: ['news'] }))).toBe('topic news');
    expect(audienceOf(message({ target_user_id: [], target_all: true }))).toBe(
      'everyone subscribed',
    );
  });

  it('gives a datetime-local value in the local zone, to the second', () => {
    const at = new Date(2030, 0, 2, 3, 4, 5);
    expect(toLocalInputValue(at)).toBe('2030-01-02T03:04:05');
  });
});
