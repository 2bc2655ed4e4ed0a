import {
  instantInZone,
  Recurrence,
  RecurrenceError,
  type RecurrenceErrorCode,
  timeZoneNamed,
} from './recurrence';

const LIMITS = { minIntervalMinutes: 15 };

/** The next `count` occurrences after the start of `from` (UTC), as ISO strings. */
function occurrences(
  rrule: string,
  dtstart: string,
  timeZone: string,
  from: string,
  count: number,
): string[] {
  return Recurrence.parse({ rrule, dtstart, timeZone }, LIMITS)
    .next(new Date(from), count)
    .map((instant) => instant.toISOString());
}

const refusal = (run: () => unknown): RecurrenceErrorCode | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof RecurrenceError) return error.code;
    throw error;
  }
};

describe('Recurrence across the 2027 daylight saving changes', () => {
  it('keeps 09:00 Europe/Berlin at 09:00 local through spring forward and fall back', () => {
    expect(
      occurrences('FREQ=DAILY', '2027-03-26T09:00', 'Europe/Berlin', '2027-03-26T00:00:00Z', 4),
    ).toEqual([
      '2027-03-26T08:00:00.000Z',
      '2027-03-27T08:00:00.000Z',
      '2027-03-28T07:00:00.000Z',
      '2027-03-29T07:00:00.000Z',
    ]);
    expect(
      occurrences('FREQ=DAILY', '2027-03-26T09:00', 'Europe/Berlin', '2027-10-30T00:00:00Z', 3),
    ).toEqual(['2027-10-30T07:00:00.000Z', '2027-10-31T08:00:00.000Z', '2027-11-01T08:00:00.000Z']);
  });

  it('reads a local time in the spring-forward gap with the offset before the gap', () => {
    // 02:30 does not exist in Berlin on 28 March 2027: 02:30 at +01:00, which is 03:30 summer time.
    expect(
      occurrences('FREQ=DAILY', '2027-03-27T02:30', 'Europe/Berlin', '2027-03-27T00:00:00Z', 3),
    ).toEqual(['2027-03-27T01:30:00.000Z', '2027-03-28T01:30:00.000Z', '2027-03-29T00:30:00.000Z']);
    // And in New York on 14 March 2027: 02:30 at -05:00.
    expect(
      occurrences('FREQ=DAILY', '2027-03-13T02:30', 'America/New_York', '2027-03-14T00:00:00Z', 2),
    ).toEqual(['2027-03-14T07:30:00.000Z', '2027-03-15T06:30:00.000Z']);
  });

  it('reads an ambiguous local time in the fall-back hour as the first of the two', () => {
    // 02:30 happens twice in Berlin on 31 October 2027: the first is summer time (+02:00).
    expect(
      occurrences('FREQ=DAILY', '2027-10-30T02:30', 'Europe/Berlin', '2027-10-30T12:00:00Z', 2),
    ).toEqual(['2027-10-31T00:30:00.000Z', '2027-11-01T01:30:00.000Z']);
    // 01:30 happens twice in New York on 7 November 2027: the first is daylight time (-04:00).
    expect(
      occurrences('FREQ=DAILY', '2027-11-06T01:30', 'America/New_York', '2027-11-07T00:00:00Z', 2),
    ).toEqual(['2027-11-07T05:30:00.000Z', '2027-11-08T06:30:00.000Z']);
  });

  it('follows Australia/Sydney, whose summer is the other half of the year', () => {
    // Daylight time ends on 4 April 2027 (03:00 → 02:00) and begins on 3 October (02:00 → 03:00).
    expect(
      occurrences('FREQ=DAILY', '2027-04-02T09:00', 'Australia/Sydney', '2027-04-01T00:00:00Z', 4),
    ).toEqual([
      '2027-04-01T22:00:00.000Z',
      '2027-04-02T22:00:00.000Z',
      '2027-04-03T23:00:00.000Z',
      '2027-04-04T23:00:00.000Z',
    ]);
    expect(
      occurrences('FREQ=DAILY', '2027-10-02T02:30', 'Australia/Sydney', '2027-10-01T00:00:00Z', 3),
    ).toEqual(['2027-10-01T16:30:00.000Z', '2027-10-02T16:30:00.000Z', '2027-10-03T15:30:00.000Z']);
    // The fall-back hour: 02:30 on 4 April happens twice; the first is daylight time (+11:00).
    expect(
      occurrences('FREQ=DAILY', '2027-04-03T02:30', 'Australia/Sydney', '2027-04-03T12:00:00Z', 1),
    ).toEqual(['2027-04-03T15:30:00.000Z']);
  });

  it('keeps Asia/Kolkata, without daylight saving and half an hour off, at +05:30 all year', () => {
    const times = [
      '2027-01-15T00:00:00Z',
      '2027-03-28T00:00:00Z',
      '2027-07-01T00:00:00Z',
      '2027-10-31T00:00:00Z',
    ].map((from) => occurrences('FREQ=DAILY', '2027-01-01T09:00', 'Asia/Kolkata', from, 1)[0]);
    expect(times).toEqual([
      '2027-01-15T03:30:00.000Z',
      '2027-03-28T03:30:00.000Z',
      '2027-07-01T03:30:00.000Z',
      '2027-10-31T03:30:00.000Z',
    ]);
  });
});

describe('Recurrence rules', () => {
  it('fires every Monday and Friday at 10:00 local', () => {
    expect(
      occurrences(
        'FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=10;BYMINUTE=0',
        '2027-03-22T10:00',
        'Europe/Berlin',
        '2027-03-22T00:00:00Z',
        4,
      ),
    ).toEqual([
      '2027-03-22T09:00:00.000Z',
      '2027-03-26T09:00:00.000Z',
      '2027-03-29T08:00:00.000Z',
      '2027-04-02T08:00:00.000Z',
    ]);
  });

  it('takes the last Friday and the last day of the month, COUNT and a UTC UNTIL', () => {
    expect(
      occurrences(
        'FREQ=MONTHLY;BYDAY=-1FR;COUNT=3',
        '2027-01-01T09:00',
        'Europe/Berlin',
        '2026-12-01T00:00:00Z',
        10,
      ),
    ).toEqual(['2027-01-29T08:00:00.000Z', '2027-02-26T08:00:00.000Z', '2027-03-26T08:00:00.000Z']);
    expect(
      occurrences(
        'FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20270430T070000Z',
        '2027-01-01T09:00',
        'Europe/Berlin',
        '2026-12-01T00:00:00Z',
        10,
      ),
    ).toEqual([
      '2027-01-31T08:00:00.000Z',
      '2027-02-28T08:00:00.000Z',
      '2027-03-31T07:00:00.000Z',
      '2027-04-30T07:00:00.000Z',
    ]);
  });

  it('finds the next occurrences of an unbounded rule far into its future', () => {
    const recurrence = Recurrence.parse(
      {
        rrule: 'FREQ=DAILY;BYHOUR=9;BYMINUTE=0',
        dtstart: '2027-01-01T09:00',
        timeZone: 'Asia/Kolkata',
      },
      LIMITS,
    );
    expect(
      recurrence.next(new Date('2040-06-01T12:00:00Z'), 2).map((d) => d.toISOString()),
    ).toEqual(['2040-06-02T03:30:00.000Z', '2040-06-03T03:30:00.000Z']);
  });

  it.each<
    [string, Partial<{ rrule: string; dtstart: string; timeZone: string }>, RecurrenceErrorCode]
  >([
    ['seconds', { rrule: 'FREQ=SECONDLY' }, 'UNSUPPORTED_RRULE'],
    ['an unknown part', { rrule: 'FREQ=DAILY;BYWEEKNO=3' }, 'UNSUPPORTED_RRULE'],
    ['no FREQ', { rrule: 'INTERVAL=2' }, 'INVALID_RRULE'],
    ['nonsense', { rrule: 'every day' }, 'INVALID_RRULE'],
    ['a rule every 5 minutes', { rrule: 'FREQ=MINUTELY;INTERVAL=5' }, 'RRULE_TOO_FREQUENT'],
    ['two minutes 10 apart', { rrule: 'FREQ=HOURLY;BYMINUTE=0,10' }, 'RRULE_TOO_FREQUENT'],
    ['an unknown zone', { timeZone: 'Mars/Olympus' }, 'UNKNOWN_TIME_ZONE'],
    ['a start with an offset', { dtstart: '2027-01-01T09:00+01:00' }, 'INVALID_DTSTART'],
    ['an impossible start', { dtstart: '2027-02-30T09:00' }, 'INVALID_DTSTART'],
    ['COUNT and UNTIL', { rrule: 'FREQ=DAILY;COUNT=3;UNTIL=20270301T000000Z' }, 'COUNT_AND_UNTIL'],
    [
      'UNTIL before the start',
      { rrule: 'FREQ=DAILY;UNTIL=20261231T000000Z' },
      'UNTIL_BEFORE_START',
    ],
    [
      'a rule that never fires',
      { rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' },
      'RULE_NEVER_FIRES',
    ],
  ])('refuses %s', (_name, overrides, code) => {
    const spec = {
      rrule: 'FREQ=DAILY',
      dtstart: '2027-01-01T09:00',
      timeZone: 'Europe/Berlin',
      ...overrides,
    };
    expect(refusal(() => Recurrence.parse(spec, LIMITS))).toBe(code);
  });

  it('lets a rule fire as often as the configured minimum allows', () => {
    const every = { rrule: 'FREQ=MINUTELY', dtstart: '2027-01-01T09:00', timeZone: 'UTC' };
    expect(refusal(() => Recurrence.parse(every, { minIntervalMinutes: 1 }))).toBeUndefined();
    expect(refusal(() => Recurrence.parse(every, { minIntervalMinutes: 2 }))).toBe(
      'RRULE_TOO_FREQUENT',
    );
  });
});

describe('Recurrence walked from a cursor', () => {
  /** Every occurrence, walked `step` at a time from the previous walk's last one. */
  function walk(recurrence: Recurrence, total: number, step: number) {
    const walked = [];
    let cursor = null;
    while (walked.length < total) {
      const next = recurrence.following(cursor, step);
      if (next.length === 0) break;
      walked.push(...next);
      cursor = next.at(-1)!;
    }
    return walked.slice(0, total);
  }

  it.each([
    [
      'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;BYHOUR=10;BYMINUTE=0',
      '2027-01-04T10:00',
      'Europe/Berlin',
    ],
    ['FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=17;BYMINUTE=30', '2027-01-01T00:00', 'America/New_York'],
    ['FREQ=MONTHLY;INTERVAL=2', '2027-01-31T09:00', 'Australia/Sydney'],
    ['FREQ=DAILY;BYHOUR=2;BYMINUTE=30', '2027-03-01T02:30', 'Europe/Berlin'],
    ['FREQ=MINUTELY;INTERVAL=45', '2027-03-27T23:10', 'Europe/Berlin'],
    ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', '2027-01-01T12:00', 'Asia/Kolkata'],
  ])('gives what one walk from the start gives, step by step: %s', (rrule, dtstart, timeZone) => {
    const recurrence = Recurrence.parse({ rrule, dtstart, timeZone }, LIMITS);
    const whole = recurrence.following(null, 60);
    expect(whole).toHaveLength(60);
    expect(walk(recurrence, 60, 1)).toEqual(whole);
    expect(walk(recurrence, 60, 7)).toEqual(whole);
    // Indexes count the rule's sequence: one only skips a local time whose instant an earlier
    // one (read forward out of a gap) passed already.
    expect(whole.every((occurrence, n) => n === 0 || occurrence.index > whole[n - 1]!.index)).toBe(
      true,
    );
    expect(whole.slice(0, 10).map((occurrence) => new Date(occurrence.at))).toEqual(
      recurrence.next(new Date(Date.parse(whole[0]!.at) - 1), 10),
    );
  });

  it('keeps COUNT across restarts and ends with it', () => {
    const recurrence = Recurrence.parse(
      { rrule: 'FREQ=DAILY;COUNT=5', dtstart: '2027-01-01T09:00', timeZone: 'Europe/Berlin' },
      LIMITS,
    );
    const walked = walk(recurrence, 100, 2);
    expect(walked.map((occurrence) => occurrence.local)).toEqual([
      '2027-01-01T09:00:00',
      '2027-01-02T09:00:00',
      '2027-01-03T09:00:00',
      '2027-01-04T09:00:00',
      '2027-01-05T09:00:00',
    ]);
    expect(recurrence.following(walked.at(-1)!, 10)).toEqual([]);
  });

  it('gives a local time in the spring-forward gap with the offset before it, once', () => {
    const recurrence = Recurrence.parse(
      { rrule: 'FREQ=DAILY', dtstart: '2027-03-27T02:30', timeZone: 'Europe/Berlin' },
      LIMITS,
    );
    const [, gap, after] = recurrence.following(null, 3);
    expect(gap).toEqual({ at: '2027-03-28T01:30:00.000Z', local: '2027-03-28T02:30:00', index: 1 });
    expect(after?.at).toBe('2027-03-29T00:30:00.000Z');
  });

  it('says the rule in words, with its local times and zone', () => {
    const words = (rrule: string, dtstart = '2027-01-04T10:00') =>
      Recurrence.parse({ rrule, dtstart, timeZone: 'Europe/Berlin' }, LIMITS).describe();
    expect(words('FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=10;BYMINUTE=0')).toBe(
      'every week on Monday, Friday at 10:00 (Europe/Berlin)',
    );
    expect(words('FREQ=DAILY;COUNT=30', '2027-01-04T09:15')).toBe(
      'every day at 09:15 for 30 times (Europe/Berlin)',
    );
    expect(words('FREQ=MINUTELY;INTERVAL=15')).toBe('every 15 minutes (Europe/Berlin)');
  });
});

describe('Zones by name, and a local time in another zone', () => {
  it('knows a zone in any letter case and spells it as the zone database does', () => {
    expect(timeZoneNamed('europe/berlin')).toBe('Europe/Berlin');
    expect(timeZoneNamed(' America/New_York ')).toBe('America/New_York');
    expect(timeZoneNamed('UTC')).toBe('UTC');
    // Names the platform's data knows under another (Asia/Calcutta, Europe/Kiev) stay as given.
    expect(timeZoneNamed('asia/kolkata')).toBe('Asia/Kolkata');
    expect(timeZoneNamed('Europe/Kyiv')).toBe('Europe/Kyiv');
    expect(timeZoneNamed('america/port-au-prince')).toBe('America/Port-au-Prince');
    expect(timeZoneNamed('Mars/Olympus_Mons')).toBeNull();
    expect(timeZoneNamed('')).toBeNull();
    expect(timeZoneNamed('+02:00')).toBeNull();
  });

  it('reads a local time in a zone as the rules do, gap and fold included', () => {
    expect(instantInZone('2027-01-04T09:00:00', 'Asia/Kathmandu')).toBe('2027-01-04T03:15:00.000Z');
    expect(instantInZone('2027-07-05T09:00:00', 'America/New_York')).toBe(
      '2027-07-05T13:00:00.000Z',
    );
    // Spring forward in Berlin, 28 March 2027: 02:30 does not exist and becomes 03:30 summer time.
    expect(instantInZone('2027-03-28T02:30:00', 'Europe/Berlin')).toBe('2027-03-28T01:30:00.000Z');
    // Fall back, 31 October 2027: 02:30 comes twice; the first (summer time) is meant.
    expect(instantInZone('2027-10-31T02:30:00', 'Europe/Berlin')).toBe('2027-10-31T00:30:00.000Z');
  });

  it('says which rules keep a time of day', () => {
    const keeps = (rrule: string) =>
      Recurrence.parse({ rrule, dtstart: '2027-01-04T09:00', timeZone: 'UTC' }, LIMITS)
        .keepsTimeOfDay;
    expect(keeps('FREQ=DAILY')).toBe(true);
    expect(keeps('FREQ=WEEKLY;BYDAY=MO')).toBe(true);
    expect(keeps('FREQ=MONTHLY;BYMONTHDAY=-1')).toBe(true);
    expect(keeps('FREQ=HOURLY')).toBe(false);
    expect(keeps('FREQ=MINUTELY;INTERVAL=30')).toBe(false);
  });
});
