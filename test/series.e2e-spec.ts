import request from 'supertest';
import { TEST_API_KEY } from './support/api-harness';
import { localMinute } from './support/local-time';
import { type AppProcess, TestSystem, waitUntil } from './support/system';

const auth = { Authorization: `Bearer ${TEST_API_KEY}` };
const MINUTE = 60_000;

interface OccurrenceBody {
  occurrence_timestamp: string;
  scheduled_timestamp: string;
  local_time: string | null;
  status: string;
  message_id: string | null;
}

describe('A recurring series through the whole system', () => {
  const system = new TestSystem(1000);
  let scheduler: AppProcess;
  let delivery: AppProcess;

  beforeAll(async () => {
    await system.start();
    scheduler = system.spawn('scheduler');
    delivery = system.spawn('delivery');
  });
  afterAll(async () => {
    await scheduler.stop();
    await delivery.stop();
    await system.stop();
  });

  async function occurrences(seriesId: string, limit = 10): Promise<OccurrenceBody[]> {
    const response = await request(system.server)
      .get(`/series/${seriesId}/occurrences?limit=${limit}`)
      .set(auth)
      .expect(200);
    return response.body;
  }

  it(
    'sends every minute in Asia/Kolkata, passes over a skipped occurrence, and sends nothing once paused',
    async () => {
      const chatId = '880001';
      const subscribed = await request(system.server)
        .post('/subscribe-user')
        .set(auth)
        .send({ chat_id: chatId, chat_name: 'Standup' })
        .expect(200);
      // Kolkata is UTC+05:30: its minutes are UTC minutes, its hours are not.
      const created = await request(system.server)
        .post('/series')
        .set(auth)
        .field('target_user_id', subscribed.body.user_id)
        .field('message', 'Minute report')
        .field('rrule', 'FREQ=MINUTELY')
        .field('dtstart', localMinute('Asia/Kolkata'))
        .field('time_zone', 'Asia/Kolkata')
        .expect(201);
      const seriesId: string = created.body.id;
      const next: string[] = created.body.next_occurrences;
      expect(next).toHaveLength(5);
      for (const [n, at] of next.entries()) {
        expect(new Date(at).getUTCSeconds()).toBe(0);
        if (n > 0) expect(Date.parse(at) - Date.parse(next[n - 1]!)).toBe(MINUTE);
      }
      await request(system.server)
        .post(`/series/${seriesId}/occurrences/${next[1]}/skip`)
        .set(auth)
        .expect(200);

      // Occurrences 1, 3 and 4 go out, once each, never early.
      const sent = () => system.telegram.textsTo(chatId);
      try {
        await waitUntil(() => sent().length >= 3, 5 * MINUTE, 'three occurrences to be sent');
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${system.logs()}`);
      }
      const receivedAt = system.telegram.delivered(chatId).map((call) => call.receivedAt);
      expect(sent()).toEqual(['Minute report', 'Minute report', 'Minute report']);
      for (const [n, at] of [next[0]!, next[2]!, next[3]!].entries()) {
        expect(receivedAt[n]).toBeGreaterThanOrEqual(Date.parse(at));
      }

      // Paused once the fifth is planned: its message is cancelled, and nothing more arrives.
      await waitUntil(
        async () =>
          (await occurrences(seriesId)).some(
            (occurrence) =>
              occurrence.occurrence_timestamp === next[4] && occurrence.status === 'scheduled',
          ),
        30_000,
        'the fifth occurrence to be planned',
      );
      const paused = await request(system.server)
        .post(`/series/${seriesId}/pause`)
        .set(auth)
        .expect(200);
      expect(paused.body).toMatchObject({ status: 'paused', next_occurrences: [] });
      await waitUntil(
        () => Date.now() > Date.parse(next[4]!) + 5000,
        2 * MINUTE,
        'the fifth to pass',
      );
      expect(sent()).toHaveLength(3);

      const listed = await occurrences(seriesId);
      expect(
        listed.map((occurrence) => [occurrence.occurrence_timestamp, occurrence.status]),
      ).toEqual([
        [next[0], 'sent'],
        [next[1], 'skipped'],
        [next[2], 'sent'],
        [next[3], 'sent'],
        [next[4], 'cancelled'],
      ]);
      for (const occurrence of listed.filter((o) => o.status === 'sent')) {
        expect(occurrence.local_time).toBe(
          localMinute('Asia/Kolkata', new Date(occurrence.occurrence_timestamp)) + ':00',
        );
      }
      const audit = await request(system.server)
        .get(`/series/${seriesId}/events`)
        .set(auth)
        .expect(200);
      const types: string[] = audit.body.map((event: { type: string }) => event.type);
      expect(types).toEqual([
        'SeriesCreated',
        'OccurrencePlanned',
        'OccurrenceSkipped',
        'OccurrencePlanned',
        'OccurrencePlanned',
        'OccurrencePlanned',
        'SeriesPaused',
      ]);
    },
    8 * MINUTE,
  );

  it(
    "sends at each recipient's local time: one message per zone, a zone whose time has passed gets the next day's",
    async () => {
      const subscribe = async (chatId: string, timeZone?: string) => {
        const response = await request(system.server)
          .post('/subscribe-user')
          .set(auth)
          .send({ chat_id: chatId, chat_name: `Reader ${chatId}` })
          .expect(200);
        const userId: string = response.body.user_id;
        if (timeZone) {
          await request(system.server)
            .patch(`/subscribers/${userId}`)
            .set(auth)
            .send({ time_zone: timeZone })
            .expect(200);
        }
        return userId;
      };
      // Kolkata and Colombo are both UTC+05:30; Kathmandu is UTC+05:45, so its 09:00 comes a
      // quarter of an hour before Kolkata's: by the time the series starts, it has passed.
      const inKolkata = await subscribe('880101');
      const inColombo = await subscribe('880102', 'Asia/Colombo');
      const inKathmandu = await subscribe('880103', 'Asia/Kathmandu');
      const first = new Date(Math.ceil((Date.now() + 45_000) / MINUTE) * MINUTE);
      const created = await request(system.server)
        .post('/series')
        .set(auth)
        .field('target_user_id', [inKolkata, inColombo, inKathmandu].join(','))
        .field('message', 'Daily digest')
        .field('rrule', 'FREQ=DAILY')
        .field('dtstart', localMinute('Asia/Kolkata', first))
        .field('time_zone', 'Asia/Kolkata')
        .field('at_recipient_local_time', 'true')
        .expect(201);
      expect(created.body).toMatchObject({ at_recipient_local_time: true });
      const seriesId: string = created.body.id;

      try {
        await waitUntil(
          () =>
            system.telegram.textsTo('880101').length > 0 &&
            system.telegram.textsTo('880102').length > 0,
          3 * MINUTE,
          'the Kolkata and Colombo recipients to get the first day',
        );
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${system.logs()}`);
      }
      for (const chatId of ['880101', '880102']) {
        expect(system.telegram.textsTo(chatId)).toEqual(['Daily digest']);
        expect(system.telegram.delivered(chatId)[0]!.receivedAt).toBeGreaterThanOrEqual(
          first.getTime(),
        );
      }
      expect(system.telegram.textsTo('880103')).toEqual([]);

      // Its first zone's time has come: the next day is planned, Kathmandu's a quarter of an
      // hour before the others'.
      const nextDay = first.getTime() + 24 * 60 * MINUTE;
      const planned = async () =>
        (await request(system.server).get(`/series/${seriesId}/events`).set(auth).expect(200))
          .body as { type: string; data: Record<string, unknown> }[];
      await waitUntil(
        async () =>
          (await planned()).filter(
            (event) =>
              event.type === 'OccurrencePlanned' &&
              (event.data.occurrence as { index: number }).index === 1,
          ).length === 3,
        30_000,
        'the second day to be planned in three zones',
      );
      const secondDay = (await planned())
        .filter(
          (event) =>
            event.type === 'OccurrencePlanned' &&
            (event.data.occurrence as { index: number }).index === 1,
        )
        .map((event) => [event.data.zone, event.data.recipients, event.data.scheduledAt]);
      expect(secondDay).toEqual(
        expect.arrayContaining([
          [null, [inKolkata], new Date(nextDay).toISOString()],
          ['Asia/Colombo', [inColombo], new Date(nextDay).toISOString()],
          ['Asia/Kathmandu', [inKathmandu], new Date(nextDay - 15 * MINUTE).toISOString()],
        ]),
      );

      const listed = (
        await request(system.server)
          .get(`/series/${seriesId}/occurrences?limit=2`)
          .set(auth)
          .expect(200)
      ).body as (OccurrenceBody & {
        zones: { time_zone: string; status: string; scheduled_timestamp: string }[];
      })[];
      const zonesOf = (index: number) =>
        listed[index]!.zones.map((zone) => [zone.time_zone, zone.status, zone.scheduled_timestamp]);
      expect(zonesOf(0)).toEqual(
        expect.arrayContaining([
          ['Asia/Kolkata', 'sent', first.toISOString()],
          ['Asia/Colombo', 'sent', first.toISOString()],
        ]),
      );
      expect(zonesOf(1)[0]).toEqual([
        'Asia/Kathmandu',
        'scheduled',
        new Date(nextDay - 15 * MINUTE).toISOString(),
      ]);
      await request(system.server).delete(`/series/${seriesId}`).set(auth).expect(200);
    },
    5 * MINUTE,
  );
});
