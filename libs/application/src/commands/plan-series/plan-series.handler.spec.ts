import { randomUUID } from 'node:crypto';
import { SeriesConfig } from '../../../../config/src/config';
import { messageStreamId, seriesStreamId } from '../../../../domain/src/events';
import { decideSeries } from '../../../../domain/src/series';
import { InMemoryEventStore } from '../../../../event-store/src/in-memory-event-store';
import { ManualClock } from '../../../../runtime/src/clock';
import {
  createMinutelySeries,
  MINUTELY as RULE,
  SubscriberZones,
} from '../../../../../test/support/series-decisions';
import { loadMessage } from '../../message-stream';
import { InMemorySnapshotStore } from '../../ports/snapshot-store';
import { SeriesDecisions } from '../../series/series-decision';
import { planningFor } from '../../series/series-planning';
import { loadSeries } from '../../series/series-stream';
import { PlanSeriesCommand } from './plan-series.command';
import { PlanSeriesHandler } from './plan-series.handler';

const START = Date.parse('2027-01-04T03:30:30Z');
const metadata = { correlationId: 'c-1', causationId: null, actor: 'test' };

describe('Planning series, several at a time', () => {
  let events: InMemoryEventStore;
  let snapshots: InMemorySnapshotStore;
  let decisions: SeriesDecisions;
  let clock: ManualClock;
  let handler: PlanSeriesHandler;

  beforeEach(() => {
    events = new InMemoryEventStore();
    snapshots = new InMemorySnapshotStore();
    decisions = new SeriesDecisions(events, snapshots, new SubscriberZones());
    clock = new ManualClock(new Date(START));
    handler = new PlanSeriesHandler(decisions, new SeriesConfig(), clock);
  });

  async function create(text: string): Promise<string> {
    const seriesId = randomUUID();
    await createMinutelySeries(decisions, seriesId, text, clock.now(), metadata);
    return seriesId;
  }

  const typesOf = async (seriesId: string) =>
    (await events.readStream(seriesStreamId(seriesId))).map((event) => event.type);

  it("plans each series' next occurrence, reading the series and their messages once for all", async () => {
    const series = [await create('one'), await create('two'), await create('three')];
    const reads = {
      readStream: jest.spyOn(events, 'readStream'),
      readStreams: jest.spyOn(events, 'readStreams'),
      readStreamsOfType: jest.spyOn(events, 'readStreamsOfType'),
    };
    clock.set(new Date(START + 60_000));
    const outcome = await handler.execute(new PlanSeriesCommand(series));
    expect(outcome.failed.size).toBe(0);
    // One read of the series' streams and one of their planned messages, for the three.
    expect(reads.readStreams).toHaveBeenCalledTimes(1);
    expect(reads.readStreamsOfType).toHaveBeenCalledTimes(1);
    expect(reads.readStream).not.toHaveBeenCalled();
    for (const [index, seriesId] of series.entries()) {
      expect(await typesOf(seriesId)).toEqual([
        'SeriesCreated',
        'OccurrencePlanned',
        'OccurrencePlanned',
      ]);
      const { state } = await loadSeries(events, snapshots, seriesId);
      if (state.status === 'none') throw new Error('no series');
      const next = state.planned.at(-1)!;
      expect((await loadMessage(events, next.messageId)).state).toMatchObject({
        status: 'scheduled',
        text: ['one', 'two', 'three'][index],
        scheduledAt: '2027-01-04T03:32:00.000Z',
        series: { seriesId, occurrenceAt: '2027-01-04T03:32:00.000Z' },
      });
    }
  });

  it('repairs an occurrence a crash left without its message, fails a series that does not exist, and leaves the rest planned', async () => {
    const [repaired, planned] = [await create('repaired'), await create('planned')];
    const unknown = randomUUID();
    // The first series' next occurrence is planned, its message not appended (the crash).
    clock.set(new Date(START + 60_000));
    const { state } = await loadSeries(events, snapshots, repaired);
    if (state.status === 'none') throw new Error('no series');
    const [orphan] = decideSeries(
      {
        type: 'PlanSeries',
        seriesId: repaired,
        ...planningFor(RULE, clock.now(), { graceSeconds: 3600 }),
      },
      state,
    );
    if (orphan?.type !== 'OccurrencePlanned') throw new Error('nothing planned');
    await events.append(seriesStreamId(repaired), [orphan], {
      expectedVersion: 2,
      metadata,
    });
    expect(await events.readStream(messageStreamId(orphan.data.messageId))).toEqual([]);

    const outcome = await handler.execute(new PlanSeriesCommand([repaired, unknown, planned]));
    expect([...outcome.failed.keys()]).toEqual([unknown]);
    expect(outcome.failed.get(unknown)).toMatchObject({ code: 'SERIES_NOT_FOUND' });
    expect((await loadMessage(events, orphan.data.messageId)).state).toMatchObject({
      status: 'scheduled',
      scheduledAt: orphan.data.scheduledAt,
    });
    expect(await typesOf(planned)).toEqual([
      'SeriesCreated',
      'OccurrencePlanned',
      'OccurrencePlanned',
    ]);
  });

  it('leaves a series another scheduler planned at the same moment to its plan, without failing it', async () => {
    const seriesId = await create('raced');
    clock.set(new Date(START + 60_000));
    const other = new PlanSeriesHandler(
      new SeriesDecisions(events, snapshots, new SubscriberZones()),
      new SeriesConfig(),
      clock,
    );
    const appends = jest.spyOn(events, 'append');
    const outcomes = await Promise.all([
      handler.execute(new PlanSeriesCommand([seriesId])),
      other.execute(new PlanSeriesCommand([seriesId])),
    ]);
    // Both read the series before either appended: the second append to its stream conflicted.
    const seriesAppends = await Promise.allSettled(
      appends.mock.calls.flatMap(([stream], index) =>
        stream === seriesStreamId(seriesId) ? [appends.mock.results[index]!.value] : [],
      ),
    );
    expect(seriesAppends.map((append) => append.status)).toEqual(['fulfilled', 'rejected']);
    expect(outcomes.map((outcome) => outcome.failed.size)).toEqual([0, 0]);
    expect(await typesOf(seriesId)).toEqual([
      'SeriesCreated',
      'OccurrencePlanned',
      'OccurrencePlanned',
    ]);
  });
});
