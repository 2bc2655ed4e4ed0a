import { deciderSpec } from './decider-spec';
import { DomainError, DomainErrorCode } from './errors';
import { DEFAULT_SEND_OPTIONS, type Occurrence, type SeriesEvent } from './events';
import {
  type ChangeSeries,
  type CreateSeries,
  decideSeries,
  evolveSeries,
  initialSeriesState,
  type OccurrenceSchedule,
  type Planning,
  type SeriesCommand,
  type SeriesState,
} from './series';

const spec = deciderSpec<SeriesCommand, SeriesState, SeriesEvent>({
  decide: decideSeries,
  evolve: evolveSeries,
  initialState: initialSeriesState,
});

const refusedWith = (code: DomainErrorCode) => (error: unknown) =>
  error instanceof DomainError && error.code === code;

const HOUR = 3_600_000;
const T0 = Date.parse('2027-01-04T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Fixed offsets (hours east of UTC) of the zones the specs use besides UTC. */
const OFFSETS: Record<string, number> = { 'Test/East': 2, 'Test/West': -3 };
const instantIn = (local: string, zone: string) =>
  iso(Date.parse(`${local}Z`) - (OFFSETS[zone] ?? 0) * HOUR);

/** A rule firing every hour from T0 (COUNT when given): what the recurrence library would give. */
function hourly(count = Infinity): OccurrenceSchedule {
  return {
    instantIn,
    following(cursor, limit) {
      const first = cursor ? cursor.index + 1 : 0;
      const out: Occurrence[] = [];
      for (let index = first; index < Math.min(first + limit, count); index++) {
        out.push(occurrence(index));
      }
      return out;
    },
  };
}

const occurrence = (index: number): Occurrence => ({
  at: iso(T0 + index * HOUR),
  local: iso(T0 + index * HOUR).slice(0, 19),
  index,
});

/** Planning at `now` with message ids m-1, m-2, … */
function planning(
  now: number,
  schedule = hourly(),
  recipientZones: ReadonlyMap<string, string> = new Map(),
): Planning {
  let next = 0;
  return {
    now: new Date(now),
    schedule,
    graceMs: HOUR,
    newMessageId: () => `m-${++next}`,
    recipientZones,
  };
}

const RULE = { rrule: 'FREQ=HOURLY', dtstart: '2027-01-04T09:00', timeZone: 'UTC' };
const LIMITS = { maxRecipients: 10, maxCount: 10, maxBytes: 1000 };

const created = (createdAt = T0 - HOUR / 2): SeriesEvent => ({
  type: 'SeriesCreated',
  data: {
    seriesId: 's-1',
    recipients: ['u-1'],
    text: 'Standup',
    attachments: [],
    fromSender: null,
    rule: RULE,
    createdAt: iso(createdAt),
    owner: 'tester',
    atRecipientLocalTime: false,
    audience: null,
    sendOptions: DEFAULT_SEND_OPTIONS,
    buttons: [],
  },
});

const planned = (
  index: number,
  messageId: string,
  extra: Partial<{ scheduledAt: string; text: string; replanned: boolean }> = {},
): SeriesEvent => ({
  type: 'OccurrencePlanned',
  data: {
    seriesId: 's-1',
    occurrence: occurrence(index),
    messageId,
    scheduledAt: extra.scheduledAt ?? occurrence(index).at,
    text: extra.text ?? 'Standup',
    replanned: extra.replanned ?? false,
    zone: null,
    recipients: null,
    planNextAt: occurrence(index).at,
  },
});

/** A series to u-1 on RULE, with what the test sets. */
const createCommand = (extra: Partial<CreateSeries> & Planning): CreateSeries => ({
  type: 'CreateSeries',
  seriesId: 's-1',
  recipients: ['u-1'],
  text: 'Standup',
  attachments: [],
  fromSender: null,
  rule: RULE,
  atRecipientLocalTime: false,
  owner: 'tester',
  recipientStatus: new Map([['u-1', 'active']]),
  limits: LIMITS,
  ...extra,
});

describe('Series', () => {
  it('given nothing, when a series is created, then it plans its first occurrence after now', () => {
    spec
      .given([])
      .when({
        type: 'CreateSeries',
        seriesId: 's-1',
        recipients: ['u-1'],
        text: 'Standup',
        attachments: [],
        fromSender: '',
        rule: RULE,
        atRecipientLocalTime: false,
        owner: 'tester',
        recipientStatus: new Map([['u-1', 'active']]),
        limits: LIMITS,
        ...planning(T0 - HOUR / 2),
      })
      .then([created(), planned(0, 'm-1')]);
  });

  it('refuses a series for an unknown recipient, and an empty text', () => {
    const create = (recipients: string[], text: string) =>
      createCommand({ recipients, text, ...planning(T0) });
    spec
      .given([])
      .when(create(['u-9'], 'x'))
      .thenThrows(refusedWith(DomainErrorCode.UnknownRecipients));
    spec
      .given([])
      .when(create(['u-1'], ' '))
      .thenThrows(refusedWith(DomainErrorCode.MissingMessage));
  });

  it('given nothing, when a series is created with send options and buttons, then it records them; one Telegram would refuse is refused', () => {
    const sendOptions = { ...DEFAULT_SEND_OPTIONS, disableNotification: true, messageThreadId: 9 };
    const buttons = [[{ text: 'Agenda', url: 'https://example.com/agenda' }]];
    const create = (extra: Partial<CreateSeries>) =>
      createCommand({ ...planning(T0 - HOUR / 2), ...extra });
    const withOptions = created();
    if (withOptions.type !== 'SeriesCreated') throw new Error('created() makes a SeriesCreated');
    spec
      .given([])
      .when(create({ sendOptions, buttons }))
      .then([
        { ...withOptions, data: { ...withOptions.data, sendOptions, buttons } },
        planned(0, 'm-1'),
      ]);
    spec
      .given([])
      .when(create({ buttons: [[{ text: 'Agenda', url: 'mailto:a@example.com' }]] }))
      .thenThrows(refusedWith(DomainErrorCode.InvalidButtons));
    spec
      .given([])
      .when(create({ sendOptions: { ...sendOptions, messageThreadId: -1 } }))
      .thenThrows(refusedWith(DomainErrorCode.InvalidSendOption));
  });

  describe('to an audience', () => {
    const TOPIC = { kind: 'topics', topics: [{ id: 't-1', name: 'news' }] } as const;
    const toAudience = (
      audience: typeof TOPIC | { kind: 'all' },
      atRecipientLocalTime = false,
    ): SeriesCommand => ({
      type: 'CreateSeries',
      seriesId: 's-1',
      recipients: [],
      audience,
      text: 'Standup',
      attachments: [],
      fromSender: null,
      rule: RULE,
      atRecipientLocalTime,
      owner: 'tester',
      recipientStatus: new Map(),
      limits: LIMITS,
      ...planning(T0 - HOUR / 2),
    });
    const createdFor = (audience: typeof TOPIC | { kind: 'all' }): SeriesEvent => {
      const event = created();
      if (event.type !== 'SeriesCreated') throw new Error('created() makes a SeriesCreated');
      return { ...event, data: { ...event.data, recipients: [], audience } };
    };

    it('given nothing, when a series to a topic or to everyone is created, then it records the audience and plans its first occurrence', () => {
      spec
        .given([])
        .when(toAudience(TOPIC))
        .then([createdFor(TOPIC), planned(0, 'm-1')]);
      spec
        .given([])
        .when(toAudience({ kind: 'all' }))
        .then([createdFor({ kind: 'all' }), planned(0, 'm-1')]);
    });

    it('refuses a series to an audience at each recipient’s local time: the zones are not known when it plans', () => {
      spec
        .given([])
        .when(toAudience({ kind: 'all' }, true))
        .thenThrows(refusedWith(DomainErrorCode.LocalTimeNeedsUserIds));
    });

    it('given a series to user ids, when it changes to a topic, then its occurrences let go of come back for the topic', () => {
      spec
        .given([created(), planned(0, 'm-0')])
        .when({
          type: 'ChangeSeries',
          seriesId: 's-1',
          recipients: [],
          audience: TOPIC,
          recipientStatus: new Map(),
          limits: LIMITS,
          ...planning(T0 - HOUR / 4),
        })
        .then([
          {
            type: 'SeriesChanged',
            data: {
              seriesId: 's-1',
              recipients: [],
              text: 'Standup',
              rule: RULE,
              ruleChanged: false,
              atRecipientLocalTime: false,
              audience: TOPIC,
              sendOptions: DEFAULT_SEND_OPTIONS,
              buttons: [],
              changedAt: iso(T0 - HOUR / 4),
              released: ['m-0'],
            },
          },
          { ...planned(0, 'm-1', { replanned: true }) },
        ]);
    });

    it('given a series to a topic, when user ids are given, then it is for them and no longer for the topic', () => {
      const state = [createdFor(TOPIC), planned(0, 'm-0')].reduce(evolveSeries, initialSeriesState);
      const events = decideSeries(
        {
          type: 'ChangeSeries',
          seriesId: 's-1',
          recipients: ['u-1'],
          recipientStatus: new Map([['u-1', 'active']]),
          limits: LIMITS,
          ...planning(T0 - HOUR / 4),
        },
        state,
      );
      const after = events.reduce(evolveSeries, state);
      expect(after).toMatchObject({ recipients: ['u-1'], audience: null });
    });
  });

  it('given a planned occurrence still ahead, when planning runs, then nothing happens', () => {
    spec
      .given([created(), planned(0, 'm-0')])
      .when({ type: 'PlanSeries', seriesId: 's-1', ...planning(T0 - 1000) })
      .then([]);
  });

  it('given the planned occurrence has come, when planning runs, then the next one is planned', () => {
    spec
      .given([created(), planned(0, 'm-0')])
      .when({ type: 'PlanSeries', seriesId: 's-1', ...planning(T0 + 2000) })
      .then([planned(1, 'm-1')]);
  });

  it('given downtime over several occurrences, when planning runs, then the latest within the grace period is sent once and the others are missed in one event', () => {
    spec
      .given([created(), planned(0, 'm-0')])
      .when({ type: 'PlanSeries', seriesId: 's-1', ...planning(T0 + 5 * HOUR + 10 * 60_000) })
      .then([
        {
          type: 'OccurrencesMissed',
          data: { seriesId: 's-1', count: 4, first: occurrence(1).at, last: occurrence(4).at },
        },
        planned(5, 'm-1'),
      ]);
  });

  it('given downtime past the grace period, when planning runs, then every passed occurrence is missed and the next future one planned', () => {
    spec
      .given([created(), planned(0, 'm-0')])
      .when({ type: 'PlanSeries', seriesId: 's-1', ...planning(T0 + 2 * HOUR + 1) })
      // Occurrence 2 came 1 ms ago: within the grace period, sent now; 1 is missed.
      .then([
        {
          type: 'OccurrencesMissed',
          data: { seriesId: 's-1', count: 1, first: occurrence(1).at, last: occurrence(1).at },
        },
        planned(2, 'm-1'),
      ]);
    spec
      .given([created(), planned(0, 'm-0')])
      .when({
        type: 'PlanSeries',
        seriesId: 's-1',
        ...planning(T0 + 2 * HOUR + 1, hourly()),
        graceMs: 0,
      })
      .then([
        {
          type: 'OccurrencesMissed',
          data: { seriesId: 's-1', count: 2, first: occurrence(1).at, last: occurrence(2).at },
        },
        planned(3, 'm-1'),
      ]);
  });

  it('given the rule has no more occurrences, when planning runs, then the series completes', () => {
    spec
      .given([created(), planned(0, 'm-0'), planned(1, 'm-1')])
      .when({ type: 'PlanSeries', seriesId: 's-1', ...planning(T0 + HOUR + 1, hourly(2)) })
      .then([
        { type: 'SeriesEnded', data: { seriesId: 's-1', reason: 'completed', released: [] } },
      ]);
  });

  it('when the planned occurrence is skipped, then its message is let go and the next one is planned when it comes', () => {
    const skipped: SeriesEvent = {
      type: 'OccurrenceSkipped',
      data: { seriesId: 's-1', occurrenceAt: occurrence(0).at, released: ['m-0'] },
    };
    spec
      .given([created(), planned(0, 'm-0')])
      .when({
        type: 'SkipOccurrence',
        seriesId: 's-1',
        occurrenceAt: new Date(occurrence(0).at),
        ...planning(T0 - 1000),
      })
      .then([skipped]);
    spec
      .given([created(), planned(0, 'm-0'), skipped])
      .when({ type: 'PlanSeries', seriesId: 's-1', ...planning(T0 - 1000) })
      .then([]);
    spec
      .given([created(), planned(0, 'm-0'), skipped])
      .when({ type: 'PlanSeries', seriesId: 's-1', ...planning(T0 + 1000) })
      .then([planned(1, 'm-1')]);
  });

  it('when a future occurrence not yet planned is skipped, then planning passes over it', () => {
    const skipped: SeriesEvent = {
      type: 'OccurrenceSkipped',
      data: { seriesId: 's-1', occurrenceAt: occurrence(1).at, released: [] },
    };
    spec
      .given([created(), planned(0, 'm-0')])
      .when({
        type: 'SkipOccurrence',
        seriesId: 's-1',
        occurrenceAt: new Date(occurrence(1).at),
        ...planning(T0 - 1000),
      })
      .then([skipped]);
    spec
      .given([created(), planned(0, 'm-0'), skipped])
      .when({ type: 'PlanSeries', seriesId: 's-1', ...planning(T0 + 1000) })
      .then([planned(2, 'm-1')]);
  });

  it('refuses to skip a time that is no occurrence, or one that has passed', () => {
    spec
      .given([created(), planned(0, 'm-0')])
      .when({
        type: 'SkipOccurrence',
        seriesId: 's-1',
        occurrenceAt: new Date(T0 + HOUR + 60_000),
        ...planning(T0 - 1000),
      })
      .thenThrows(refusedWith(DomainErrorCode.OccurrenceNotFound));
    spec
      .given([created(), planned(0, 'm-0')])
      .when({
        type: 'SkipOccurrence',
        seriesId: 's-1',
        occurrenceAt: new Date(occurrence(0).at),
        ...planning(T0 + 1000),
      })
      .thenThrows(refusedWith(DomainErrorCode.OccurrencePassed));
  });

  it('when the planned occurrence is moved or given its own text, then it is planned again as a new message', () => {
    const later = iso(T0 + 20 * 60_000);
    spec
      .given([created(), planned(0, 'm-0')])
      .when({
        type: 'MoveOccurrence',
        seriesId: 's-1',
        occurrenceAt: new Date(occurrence(0).at),
        scheduledAt: new Date(later),
        ...planning(T0 - 1000),
      })
      .then([
        {
          type: 'OccurrenceMoved',
          data: {
            seriesId: 's-1',
            occurrenceAt: occurrence(0).at,
            scheduledAt: later,
            released: ['m-0'],
          },
        },
        planned(0, 'm-1', { scheduledAt: later, replanned: true }),
      ]);
    spec
      .given([created(), planned(0, 'm-0')])
      .when({
        type: 'EditOccurrence',
        seriesId: 's-1',
        occurrenceAt: new Date(occurrence(1).at),
        text: 'Retro instead',
        ...planning(T0 - 1000),
      })
      .then([
        {
          type: 'OccurrenceEdited',
          data: {
            seriesId: 's-1',
            occurrenceAt: occurrence(1).at,
            text: 'Retro instead',
            released: [],
          },
        },
      ]);
    const edited: SeriesEvent = {
      type: 'OccurrenceEdited',
      data: {
        seriesId: 's-1',
        occurrenceAt: occurrence(1).at,
        text: 'Retro instead',
        released: [],
      },
    };
    spec
      .given([created(), planned(0, 'm-0'), edited])
      .when({ type: 'PlanSeries', seriesId: 's-1', ...planning(T0 + 1000) })
      .then([planned(1, 'm-1', { text: 'Retro instead' })]);
  });

  it('refuses a change that makes the text, or an occurrence’s own text, an album caption over 1024 characters', () => {
    const now = T0 - 1000;
    const photo = {
      objectKey: 'attachments/s-1/1-a.jpg',
      fileName: 'a.jpg',
      contentType: 'image/jpeg',
      declaredContentType: 'image/jpeg',
      size: 10,
      sha256: 'ab'.repeat(32),
      image: null,
    };
    const pdf = { ...photo, fileName: 'b.pdf', contentType: 'application/pdf' };
    const long = 'x'.repeat(2000);
    // A photo and a PDF as media form no album: the text goes on its own, up to 4096.
    const withFiles: SeriesEvent = {
      type: 'SeriesCreated',
      data: {
        ...(created().data as Extract<SeriesEvent, { type: 'SeriesCreated' }>['data']),
        text: long,
        attachments: [photo, pdf],
        sendOptions: { ...DEFAULT_SEND_OPTIONS, sendAs: 'media', asAlbum: true },
      },
    };
    const change = (extra: Partial<ChangeSeries>): ChangeSeries => ({
      type: 'ChangeSeries',
      seriesId: 's-1',
      recipientStatus: new Map([['u-1', 'active']]),
      limits: LIMITS,
      ...planning(now),
      ...extra,
    });
    const captionTooLong = (error: unknown) =>
      error instanceof DomainError &&
      error.code === DomainErrorCode.MessageTooLong &&
      (error.details as { max: number }).max === 1024;
    // As documents both files are one album, the text its caption.
    spec
      .given([withFiles, planned(0, 'm-0', { text: long })])
      .when(change({ sendOptions: { sendAs: 'documents' } }))
      .thenThrows(captionTooLong);
    const short: SeriesEvent = {
      type: 'SeriesCreated',
      data: {
        ...withFiles.data,
        text: 'Photos',
        attachments: [photo, photo],
        buttons: [[{ text: 'More', url: 'https://example.com' }]],
      },
    };
    const edited: SeriesEvent = {
      type: 'OccurrenceEdited',
      data: { seriesId: 's-1', occurrenceAt: occurrence(0).at, text: long, released: [] },
    };
    // With buttons the text follows the album; without them an occurrence's own text is a caption.
    spec
      .given([short, planned(0, 'm-0', { text: long }), edited])
      .when(change({ buttons: [] }))
      .thenThrows(captionTooLong);
    // A new rule starts over without the occurrences' own texts: nothing of theirs to check.
    const state = [short, planned(0, 'm-0', { text: long }), edited].reduce(
      evolveSeries,
      initialSeriesState,
    );
    expect(
      decideSeries(change({ buttons: [], rule: { ...RULE, rrule: 'FREQ=DAILY' } }), state).map(
        (event) => event.type,
      ),
    ).toContain('SeriesChanged');
  });

  it('when paused, then what it planned is let go; when resumed, the occurrence still ahead is planned again', () => {
    const paused: SeriesEvent = {
      type: 'SeriesPaused',
      data: { seriesId: 's-1', released: ['m-0'] },
    };
    spec
      .given([created(), planned(0, 'm-0')])
      .when({ type: 'PauseSeries', seriesId: 's-1' })
      .then([paused]);
    spec
      .given([created(), planned(0, 'm-0'), paused])
      .when({ type: 'PauseSeries', seriesId: 's-1' })
      .then([]);
    spec
      .given([created(), planned(0, 'm-0'), paused])
      .when({ type: 'PlanSeries', seriesId: 's-1', ...planning(T0 + 1000) })
      .then([]);
    spec
      .given([created(), planned(0, 'm-0'), paused])
      .when({ type: 'ResumeSeries', seriesId: 's-1', ...planning(T0 - 1000) })
      .then([
        {
          type: 'SeriesResumed',
          data: { seriesId: 's-1', resumedAt: iso(T0 - 1000), nextPlanningAt: occurrence(0).at },
        },
        planned(0, 'm-1', { replanned: true }),
      ]);
  });

  it('when resumed after occurrences passed while paused, then they are not sent nor missed', () => {
    const paused: SeriesEvent = {
      type: 'SeriesPaused',
      data: { seriesId: 's-1', released: ['m-0'] },
    };
    const now = T0 + 3 * HOUR + 1000;
    spec
      .given([created(), planned(0, 'm-0'), paused])
      .when({ type: 'ResumeSeries', seriesId: 's-1', ...planning(now) })
      .then([
        {
          type: 'SeriesResumed',
          data: { seriesId: 's-1', resumedAt: iso(now), nextPlanningAt: iso(now) },
        },
        planned(4, 'm-1'),
      ]);
  });

  it('when ended, then what it planned is let go, and it changes no more', () => {
    const ended: SeriesEvent = {
      type: 'SeriesEnded',
      data: { seriesId: 's-1', reason: 'deleted', released: ['m-0'] },
    };
    spec
      .given([created(), planned(0, 'm-0')])
      .when({ type: 'EndSeries', seriesId: 's-1' })
      .then([ended]);
    spec
      .given([created(), planned(0, 'm-0'), ended])
      .when({ type: 'EndSeries', seriesId: 's-1' })
      .then([]);
    spec
      .given([created(), planned(0, 'm-0'), ended])
      .when({ type: 'PauseSeries', seriesId: 's-1' })
      .thenThrows(refusedWith(DomainErrorCode.SeriesEnded));
    spec
      .given([])
      .when({ type: 'EndSeries', seriesId: 's-1' })
      .thenThrows(refusedWith(DomainErrorCode.SeriesNotFound));
  });

  it('when the text changes, then the planned occurrence is planned again with it', () => {
    const now = T0 - 1000;
    spec
      .given([created(), planned(0, 'm-0')])
      .when({
        type: 'ChangeSeries',
        seriesId: 's-1',
        text: 'Standup, room 2',
        recipientStatus: new Map([['u-1', 'active']]),
        limits: LIMITS,
        ...planning(now),
      })
      .then([
        {
          type: 'SeriesChanged',
          data: {
            seriesId: 's-1',
            recipients: ['u-1'],
            text: 'Standup, room 2',
            rule: RULE,
            ruleChanged: false,
            atRecipientLocalTime: false,
            audience: null,
            sendOptions: DEFAULT_SEND_OPTIONS,
            buttons: [],
            changedAt: iso(now),
            released: ['m-0'],
          },
        },
        planned(0, 'm-1', { text: 'Standup, room 2', replanned: true }),
      ]);
  });

  it('when send options or buttons change, then the planned occurrence is planned again with them; the options not given stay', () => {
    const now = T0 - 1000;
    const buttons = [[{ text: 'Agenda', url: 'https://example.com/agenda' }]];
    const silent = { ...DEFAULT_SEND_OPTIONS, disableNotification: true };
    const change = (extra: Partial<ChangeSeries>): ChangeSeries => ({
      type: 'ChangeSeries',
      seriesId: 's-1',
      recipientStatus: new Map([['u-1', 'active']]),
      limits: LIMITS,
      ...planning(now),
      ...extra,
    });
    const createdSilent = created();
    if (createdSilent.type !== 'SeriesCreated') throw new Error('created() makes a SeriesCreated');
    spec
      .given([
        { ...createdSilent, data: { ...createdSilent.data, sendOptions: silent } },
        planned(0, 'm-0'),
      ])
      .when(change({ sendOptions: { protectContent: true }, buttons }))
      .then([
        {
          type: 'SeriesChanged',
          data: {
            seriesId: 's-1',
            recipients: ['u-1'],
            text: 'Standup',
            rule: RULE,
            ruleChanged: false,
            atRecipientLocalTime: false,
            audience: null,
            sendOptions: { ...silent, protectContent: true },
            buttons,
            changedAt: iso(now),
            released: ['m-0'],
          },
        },
        planned(0, 'm-1', { replanned: true }),
      ]);
    // The same again changes nothing; a thread id Telegram would refuse is refused.
    spec
      .given([created(), planned(0, 'm-0')])
      .when(change({ sendOptions: {}, buttons: [] }))
      .then([]);
    spec
      .given([created(), planned(0, 'm-0')])
      .when(change({ sendOptions: { messageThreadId: 0 } }))
      .thenThrows(refusedWith(DomainErrorCode.InvalidSendOption));
  });

  it('given a series in HTML, its text is checked in its parse mode: a new text, a new mode, one occurrence’s own text', () => {
    const now = T0 - 1000;
    const change = (extra: Partial<ChangeSeries>): ChangeSeries => ({
      type: 'ChangeSeries',
      seriesId: 's-1',
      recipientStatus: new Map([['u-1', 'active']]),
      limits: LIMITS,
      ...planning(now),
      ...extra,
    });
    const base = created();
    if (base.type !== 'SeriesCreated') throw new Error('created() makes a SeriesCreated');
    const html: SeriesEvent = {
      ...base,
      data: {
        ...base.data,
        text: '<b>Standup</b> at 9.30',
        sendOptions: { ...DEFAULT_SEND_OPTIONS, parseMode: 'HTML' },
      },
    };
    const refusedFormatting = refusedWith(DomainErrorCode.InvalidFormatting);
    spec
      .given([html, planned(0, 'm-0')])
      .when(change({ text: '<b>Standup' }))
      .thenThrows(refusedFormatting);
    // The text kept, read in the new mode: "." must be escaped in MarkdownV2.
    spec
      .given([html, planned(0, 'm-0')])
      .when(change({ sendOptions: { parseMode: 'MarkdownV2' } }))
      .thenThrows(refusedFormatting);
    spec
      .given([html, planned(0, 'm-0')])
      .when({
        type: 'EditOccurrence',
        seriesId: 's-1',
        occurrenceAt: new Date(occurrence(0).at),
        text: 'Cancelled <i>today',
        ...planning(now),
      })
      .thenThrows(refusedFormatting);
  });

  it('when the rule changes, then planning starts over from now with the new rule', () => {
    const now = T0 + 30 * 60_000;
    const everyTwoHours: OccurrenceSchedule = {
      instantIn,
      following(cursor, limit) {
        const first = cursor ? cursor.index + 1 : 0;
        return Array.from({ length: limit }, (_, n) => ({
          at: iso(T0 + (first + n) * 2 * HOUR),
          local: iso(T0 + (first + n) * 2 * HOUR).slice(0, 19),
          index: first + n,
        }));
      },
    };
    const rule = { ...RULE, rrule: 'FREQ=HOURLY;INTERVAL=2' };
    spec
      .given([created(), planned(0, 'm-0'), planned(1, 'm-1')])
      .when({
        type: 'ChangeSeries',
        seriesId: 's-1',
        rule,
        recipientStatus: new Map(),
        limits: LIMITS,
        ...planning(now, everyTwoHours),
      })
      .then([
        {
          type: 'SeriesChanged',
          data: {
            seriesId: 's-1',
            recipients: ['u-1'],
            text: 'Standup',
            rule,
            ruleChanged: true,
            atRecipientLocalTime: false,
            audience: null,
            sendOptions: DEFAULT_SEND_OPTIONS,
            buttons: [],
            changedAt: iso(now),
            released: ['m-1'],
          },
        },
        {
          type: 'OccurrencePlanned',
          data: {
            seriesId: 's-1',
            occurrence: {
              at: iso(T0 + 2 * HOUR),
              local: iso(T0 + 2 * HOUR).slice(0, 19),
              index: 1,
            },
            messageId: 'm-1',
            scheduledAt: iso(T0 + 2 * HOUR),
            text: 'Standup',
            replanned: false,
            zone: null,
            recipients: null,
            planNextAt: iso(T0 + 2 * HOUR),
          },
        },
      ]);
  });

  describe("at each recipient's local time", () => {
    const DAY = 24 * HOUR;
    /** Every day at 09:00 UTC from T0: what a DAILY rule gives. */
    const daily: OccurrenceSchedule = {
      instantIn,
      following(cursor, limit) {
        const first = cursor ? cursor.index + 1 : 0;
        return Array.from({ length: limit }, (_, n) => ({
          at: iso(T0 + (first + n) * DAY),
          local: iso(T0 + (first + n) * DAY).slice(0, 19),
          index: first + n,
        }));
      },
    };
    // u-1 has no zone of its own (the series' UTC), u-2 is two hours east, u-3 three hours west.
    const ZONES = new Map([
      ['u-2', 'Test/East'],
      ['u-3', 'Test/West'],
    ]);
    const EVERYONE = ['u-1', 'u-2', 'u-3'];
    const zonedCreated: SeriesEvent = {
      type: 'SeriesCreated',
      data: {
        ...(created().data as Extract<SeriesEvent, { type: 'SeriesCreated' }>['data']),
        recipients: EVERYONE,
        rule: { ...RULE, rrule: 'FREQ=DAILY' },
        atRecipientLocalTime: true,
        audience: null,
      },
    };
    const zoned = (
      index: number,
      messageId: string,
      zone: string | null,
      recipients: string[],
      extra: Partial<{ text: string; replanned: boolean; planNextAt: string }> = {},
    ): SeriesEvent => {
      const nominal = T0 + index * DAY;
      const at = zone === null ? nominal : nominal - (OFFSETS[zone] ?? 0) * HOUR;
      return {
        type: 'OccurrencePlanned',
        data: {
          seriesId: 's-1',
          occurrence: { at: iso(nominal), local: iso(nominal).slice(0, 19), index },
          messageId,
          scheduledAt: iso(at),
          text: extra.text ?? 'Standup',
          replanned: extra.replanned ?? false,
          zone,
          recipients,
          // The earliest zone: East, two hours before the nominal time.
          planNextAt: extra.planNextAt ?? iso(nominal - 2 * HOUR),
        },
      };
    };
    /** The daily series at each recipient's local time, created at 08:30 UTC with these zones. */
    const createZoned = (zones: ReadonlyMap<string, string>): SeriesCommand => ({
      type: 'CreateSeries',
      seriesId: 's-1',
      recipients: EVERYONE,
      text: 'Standup',
      attachments: [],
      fromSender: null,
      rule: { ...RULE, rrule: 'FREQ=DAILY' },
      atRecipientLocalTime: true,
      owner: 'tester',
      recipientStatus: new Map(EVERYONE.map((id) => [id, 'active'])),
      limits: LIMITS,
      ...planning(T0 - HOUR / 2, daily, zones),
    });
    // Planned at 08:30 UTC: East's 09:00 (07:00 UTC) had passed; the others each at their 09:00.
    const firstDay = [
      zonedCreated,
      zoned(0, 'm-1', null, ['u-1'], { planNextAt: iso(T0) }),
      zoned(0, 'm-2', 'Test/West', ['u-3'], { planNextAt: iso(T0) }),
    ];

    it("when created, then each zone gets the rule's local time there, and a zone whose time has passed waits for the next occurrence", () => {
      spec.given([]).when(createZoned(ZONES)).then(firstDay);
    });

    it("when the first zone's time comes, then the next occurrence is planned in every zone, not before", () => {
      spec
        .given(firstDay)
        .when({ type: 'PlanSeries', seriesId: 's-1', ...planning(T0 - 1000, daily, ZONES) })
        .then([]);
      spec
        .given(firstDay)
        .when({ type: 'PlanSeries', seriesId: 's-1', ...planning(T0, daily, ZONES) })
        .then([
          zoned(1, 'm-1', null, ['u-1']),
          zoned(1, 'm-2', 'Test/East', ['u-2']),
          zoned(1, 'm-3', 'Test/West', ['u-3']),
        ]);
    });

    const secondDay = [
      ...firstDay,
      zoned(1, 'm-3', null, ['u-1']),
      zoned(1, 'm-4', 'Test/East', ['u-2']),
      zoned(1, 'm-5', 'Test/West', ['u-3']),
    ];
    // East's 09:00 of the second day has come (07:00 UTC), the others' not yet.
    const eastSent = T0 + DAY - HOUR;

    it("when an occurrence one zone has had already is skipped, then only the others' messages are let go of", () => {
      spec
        .given(secondDay)
        .when({
          type: 'SkipOccurrence',
          seriesId: 's-1',
          occurrenceAt: new Date(T0 + DAY),
          ...planning(eastSent, daily, ZONES),
        })
        .then([
          {
            type: 'OccurrenceSkipped',
            data: { seriesId: 's-1', occurrenceAt: iso(T0 + DAY), released: ['m-3', 'm-5'] },
          },
        ]);
    });

    it('when the text changes after one zone had the occurrence, then the others get the new text and that zone nothing more', () => {
      spec
        .given(secondDay)
        .when({
          type: 'ChangeSeries',
          seriesId: 's-1',
          text: 'Standup, room 2',
          recipientStatus: new Map(),
          limits: LIMITS,
          ...planning(eastSent, daily, ZONES),
        })
        .then([
          {
            type: 'SeriesChanged',
            data: {
              seriesId: 's-1',
              recipients: EVERYONE,
              text: 'Standup, room 2',
              rule: { ...RULE, rrule: 'FREQ=DAILY' },
              ruleChanged: false,
              atRecipientLocalTime: true,
              audience: null,
              sendOptions: DEFAULT_SEND_OPTIONS,
              buttons: [],
              changedAt: iso(eastSent),
              released: ['m-3', 'm-5'],
            },
          },
          zoned(1, 'm-1', null, ['u-1'], {
            text: 'Standup, room 2',
            replanned: true,
            planNextAt: iso(T0 + DAY),
          }),
          zoned(1, 'm-2', 'Test/West', ['u-3'], {
            text: 'Standup, room 2',
            replanned: true,
            planNextAt: iso(T0 + DAY),
          }),
          // East's time of the second day has come: the third day is due to be planned too.
          zoned(2, 'm-3', null, ['u-1'], { text: 'Standup, room 2' }),
          zoned(2, 'm-4', 'Test/East', ['u-2'], { text: 'Standup, room 2' }),
          zoned(2, 'm-5', 'Test/West', ['u-3'], { text: 'Standup, room 2' }),
        ]);
    });

    it("when a recipient's zone is the series' own, then they share its message", () => {
      spec
        .given([])
        .when(
          createZoned(
            new Map([
              ['u-2', 'UTC'],
              ['u-3', 'Test/West'],
            ]),
          ),
        )
        .then([
          zonedCreated,
          zoned(0, 'm-1', null, ['u-1', 'u-2'], { planNextAt: iso(T0) }),
          zoned(0, 'm-2', 'Test/West', ['u-3'], { planNextAt: iso(T0) }),
        ]);
    });
  });
});
