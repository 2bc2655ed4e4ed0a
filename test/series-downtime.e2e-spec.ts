import request from 'supertest';
import { TEST_API_KEY } from './support/api-harness';
import { localMinute } from './support/local-time';
import { type AppProcess, TestSystem, waitUntil } from './support/system';

const auth = { Authorization: `Bearer ${TEST_API_KEY}` };
const MINUTE = 60_000;
const GRACE_SECONDS = 30;

describe('A recurring series across downtime', () => {
  const system = new TestSystem(1000);
  let scheduler: AppProcess | undefined;
  let delivery: AppProcess;

  beforeAll(async () => {
    await system.start();
    delivery = system.spawn('delivery');
  });
  afterAll(async () => {
    await scheduler?.stop();
    await delivery.stop();
    await system.stop();
  });

  it(
    'after the scheduler was down over three occurrences, sends only the latest within the grace period and records the others as missed',
    async () => {
      const chatId = '880101';
      const subscribed = await request(system.server)
        .post('/subscribe-user')
        .set(auth)
        .send({ chat_id: chatId, chat_name: 'Ops' })
        .expect(200);
      // No scheduler runs: the series is created and its first occurrence planned by the API alone.
      const created = await request(system.server)
        .post('/series')
        .set(auth)
        .field('target_user_id', subscribed.body.user_id)
        .field('message', 'Heartbeat')
        .field('rrule', 'FREQ=MINUTELY')
        .field('dtstart', localMinute('America/New_York', new Date(Date.now() + 75_000)))
        .field('time_zone', 'America/New_York')
        .expect(201);
      const seriesId: string = created.body.id;
      const [t1, t2, t3] = (created.body.next_occurrences as string[]).map((at) => Date.parse(at));
      // Back 20 s after the third: the first (planned) and second are past the grace period.
      await waitUntil(() => Date.now() > t3! + 20_000, 5 * MINUTE, 'three occurrences to pass');
      scheduler = system.spawn('scheduler', { SERIES_GRACE_SECONDS: String(GRACE_SECONDS) });
      try {
        await waitUntil(
          () => system.telegram.textsTo(chatId).length >= 1,
          30_000,
          'the occurrence within the grace period to be sent',
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${system.logs()}`);
      }
      // Time for a burst to show, if there were one.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(system.telegram.textsTo(chatId)).toEqual(['Heartbeat']);

      const listed = await request(system.server)
        .get(`/series/${seriesId}/occurrences?limit=5`)
        .set(auth)
        .expect(200);
      const byTime = new Map(
        (
          listed.body as {
            occurrence_timestamp: string;
            status: string;
            missed_count: number | null;
          }[]
        ).map((occurrence) => [Date.parse(occurrence.occurrence_timestamp), occurrence]),
      );
      expect(byTime.get(t1!)?.status).toBe('missed');
      expect(byTime.get(t2!)).toMatchObject({ status: 'missed', missed_count: 1 });
      expect(byTime.get(t3!)?.status).toBe('sent');

      const audit = await request(system.server)
        .get(`/series/${seriesId}/events`)
        .set(auth)
        .expect(200);
      const types: string[] = audit.body.map((event: { type: string }) => event.type);
      expect(types.slice(0, 4)).toEqual([
        'SeriesCreated',
        'OccurrencePlanned',
        'OccurrencesMissed',
        'OccurrencePlanned',
      ]);
      const firstMessage = audit.body[1].data.messageId as string;
      const events = await request(system.server)
        .get(`/messages/${firstMessage}/events`)
        .set(auth)
        .expect(200);
      expect(events.body.map((event: { type: string }) => event.type)).toEqual([
        'MessageScheduled',
        'MessageMissed',
      ]);
    },
    8 * MINUTE,
  );
});
