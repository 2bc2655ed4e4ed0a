import { messageStreamId, seriesStreamId } from '../../../domain/src/events';
import { decideSeries } from '../../../domain/src/series';
import { InMemoryEventStore } from '../../../event-store/src/in-memory-event-store';
import { loadMessage } from '../message-stream';
import { InMemorySnapshotStore } from '../ports/snapshot-store';
import {
  createMinutelySeries,
  MINUTELY as RULE,
  SubscriberZones,
} from '../../../../test/support/series-decisions';
import { SeriesDecisions } from './series-decision';
import { planningFor } from './series-planning';
import { loadSeries, SERIES_SNAPSHOT_SHAPE } from './series-stream';

const SERIES_ID = '0b0e8a52-8d5f-4a8f-9b8f-4c1f1b2e3d4a';
const metadata = { correlationId: 'c-1', causationId: null, actor: 'test' };
const START = Date.parse('2027-01-04T03:30:30Z');

describe('Deciding on a series', () => {
  let events: InMemoryEventStore;
  let snapshots: InMemorySnapshotStore;
  let decisions: SeriesDecisions;

  beforeEach(() => {
    events = new InMemoryEventStore();
    snapshots = new InMemorySnapshotStore();
    decisions = new SeriesDecisions(events, snapshots, new SubscriberZones());
  });

  const plan = (at: number) =>
    decisions.decide(
      SERIES_ID,
      (state) =>
        state.status === 'none'
          ? []
          : decideSeries(
              {
                type: 'PlanSeries',
                seriesId: SERIES_ID,
                ...planningFor(state.rule, new Date(at), { graceSeconds: 3600 }),
              },
              state,
            ),
      metadata,
      { repairFirst: true },
    );

  const create = () =>
    createMinutelySeries(decisions, SERIES_ID, 'Minute report', new Date(START), metadata);

  it('schedules each planned occurrence as a message naming the series, one minute apart', async () => {
    await create();
    for (let minute = 1; minute <= 3; minute++) await plan(START + minute * 60_000);
    const { state } = await loadSeries(events, snapshots, SERIES_ID);
    if (state.status === 'none') throw new Error('no series');
    const messages = await Promise.all(
      state.planned.map((planned) => loadMessage(events, planned.messageId)),
    );
    const last = messages.at(-1)?.state;
    expect(last).toMatchObject({
      status: 'scheduled',
      text: 'Minute report',
      recipients: ['u-1'],
      scheduledAt: '2027-01-04T03:34:00.000Z',
      series: { seriesId: SERIES_ID, occurrenceAt: '2027-01-04T03:34:00.000Z' },
    });
    const stream = await events.readStream(seriesStreamId(SERIES_ID));
    expect(stream.map((event) => event.type)).toEqual([
      'SeriesCreated',
      'OccurrencePlanned',
      'OccurrencePlanned',
      'OccurrencePlanned',
      'OccurrencePlanned',
    ]);
  });

  it('gives a planned occurrence its message when a crash left it without, before planning on', async () => {
    await create();
    const { state, version } = await loadSeries(events, snapshots, SERIES_ID);
    if (state.status === 'none') throw new Error('no series');
    // The series' append of the next occurrence went through; its message's did not.
    const orphan = '9d1f3c5e-1111-4a2b-8c3d-222233334444';
    await events.append(
      seriesStreamId(SERIES_ID),
      [
        {
          type: 'OccurrencePlanned',
          data: {
            seriesId: SERIES_ID,
            occurrence: { at: '2027-01-04T03:32:00.000Z', local: '2027-01-04T09:02:00', index: 2 },
            messageId: orphan,
            scheduledAt: '2027-01-04T03:32:00.000Z',
            text: 'Minute report',
            replanned: false,
            zone: null,
            recipients: null,
            planNextAt: '2027-01-04T03:32:00.000Z',
          },
        },
      ],
      { expectedVersion: version, metadata },
    );
    expect(await events.readStream(messageStreamId(orphan))).toEqual([]);
    await plan(START + 91_000);
    expect((await loadMessage(events, orphan)).state).toMatchObject({
      status: 'scheduled',
      scheduledAt: '2027-01-04T03:32:00.000Z',
    });
  });

  it('loads from a snapshot after many occurrences, to the same state', async () => {
    await create();
    for (let minute = 1; minute <= 45; minute++) await plan(START + minute * 60_000);
    const snapshot = await snapshots.load(seriesStreamId(SERIES_ID), SERIES_SNAPSHOT_SHAPE);
    expect(snapshot?.version).toBeGreaterThanOrEqual(40);
    const fromSnapshot = await loadSeries(events, snapshots, SERIES_ID);
    const fromStream = await loadSeries(events, new InMemorySnapshotStore(), SERIES_ID);
    expect(fromSnapshot.state).toEqual(fromStream.state);
    expect(fromSnapshot.version).toBe(fromStream.version);
    expect(fromSnapshot.correlationId).toBe('c-1');
    // Bounded: the planned occurrences still waiting, not every one since the start.
    if (fromSnapshot.state.status === 'none') throw new Error('no series');
    expect(fromSnapshot.state.planned.length).toBeLessThanOrEqual(2);
  });

  it("schedules one message per zone at each recipient's local time, to that zone's recipients", async () => {
    decisions = new SeriesDecisions(
      events,
      snapshots,
      new SubscriberZones(
        new Map([
          ['u-2', 'Europe/Berlin'],
          ['u-3', 'America/New_York'],
        ]),
      ),
    );
    const rule = {
      rrule: 'FREQ=DAILY;BYHOUR=9;BYMINUTE=0',
      dtstart: '2027-01-04T09:00',
      timeZone: 'Asia/Kolkata',
    };
    const { state } = await decisions.decide(
      SERIES_ID,
      (current, recipientZones) =>
        decideSeries(
          {
            type: 'CreateSeries',
            seriesId: SERIES_ID,
            recipients: ['u-1', 'u-2', 'u-3'],
            text: 'Good morning',
            attachments: [],
            fromSender: null,
            rule,
            atRecipientLocalTime: true,
            owner: 'tester',
            recipientStatus: new Map(['u-1', 'u-2', 'u-3'].map((id) => [id, 'active'])),
            limits: { maxRecipients: 10, maxCount: 10, maxBytes: 100 },
            ...planningFor(rule, new Date('2027-01-04T00:00:00Z'), {
              graceSeconds: 3600,
              atRecipientLocalTime: true,
              recipientZones,
            }),
          },
          current,
        ),
      metadata,
      { zonesOf: ['u-1', 'u-2', 'u-3'] },
    );
    if (state.status === 'none') throw new Error('no series');
    const messages = await Promise.all(
      state.planned.map(async (planned) => (await loadMessage(events, planned.messageId)).state),
    );
    // 09:00 on 4 January 2027: Kolkata UTC+05:30, Berlin UTC+01:00, New York UTC−05:00.
    expect(
      messages.map((message) =>
        message.status === 'none' ? null : [message.recipients, message.scheduledAt],
      ),
    ).toEqual([
      [['u-1'], '2027-01-04T03:30:00.000Z'],
      [['u-2'], '2027-01-04T08:00:00.000Z'],
      [['u-3'], '2027-01-04T14:00:00.000Z'],
    ]);
    // The next day is planned when Kolkata's nine o'clock has come.
    expect(state.planNextAt).toBe('2027-01-04T03:30:00.000Z');
  });

  it("refuses each recipient's local time for a rule without a time of day", () => {
    expect(() =>
      planningFor(RULE, new Date(START), { graceSeconds: 3600, atRecipientLocalTime: true }),
    ).toThrow(expect.objectContaining({ code: 'LOCAL_TIME_NEEDS_DAILY_RULE' }));
  });
});
