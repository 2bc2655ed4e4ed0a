import request from 'supertest';
import { startApi, type ApiHarness, TEST_API_KEY } from './support/api-harness';

const auth = { Authorization: `Bearer ${TEST_API_KEY}` };

interface SeriesBody {
  id: string;
  status: string;
  description: string;
  next_occurrences: string[];
  message: string;
  target_user_id: string[];
  file_paths: string[] | null;
  rrule: string;
}

interface OccurrenceBody {
  occurrence_timestamp: string;
  scheduled_timestamp: string;
  local_time: string | null;
  status: string;
  message_id: string | null;
  message: string;
}

describe('API: recurring series', () => {
  let api: ApiHarness;
  let chatCounter = 700_000;

  beforeAll(async () => {
    api = await startApi({ seriesMaxActivePerKey: 8 });
  });
  afterAll(async () => api.close());

  async function subscribe(): Promise<string> {
    const response = await request(api.server)
      .post('/subscribe-user')
      .set(auth)
      .send({ chat_id: String(++chatCounter), chat_name: 'Team' })
      .expect(200);
    return response.body.user_id as string;
  }

  function create(fields: Record<string, string>, files: { name: string; content: Buffer }[] = []) {
    let call = request(api.server).post('/series').set(auth);
    for (const [name, value] of Object.entries(fields)) call = call.field(name, value);
    for (const file of files) call = call.attach('files', file.content, file.name);
    return call;
  }

  const weekly = (userId: string) => ({
    target_user_id: userId,
    message: 'Weekly report is due today',
    rrule: 'FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=10;BYMINUTE=0',
    dtstart: '2027-01-04T10:00',
    time_zone: 'Europe/Berlin',
  });

  async function messageOf(id: string) {
    return (await request(api.server).get(`/messages/${id}`).set(auth).expect(200)).body;
  }

  it('creates a series, plans its first occurrence as a message, and says the rule in words', async () => {
    const userId = await subscribe();
    const response = await create(weekly(userId), [
      { name: 'report.txt', content: Buffer.from('template') },
    ]).expect(201);
    const series = response.body as SeriesBody;
    expect(series).toMatchObject({
      status: 'active',
      description: 'every week on Monday, Friday at 10:00 (Europe/Berlin)',
      target_user_id: [userId],
      rrule: 'FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=10;BYMINUTE=0',
    });
    expect(series.file_paths).toHaveLength(1);
    // Berlin is UTC+1 in winter, UTC+2 in summer: 10:00 local either way.
    expect(series.next_occurrences).toHaveLength(5);
    for (const at of series.next_occurrences) {
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Berlin',
        hour: '2-digit',
        minute: '2-digit',
        weekday: 'short',
      }).format(new Date(at));
      expect(local).toMatch(/^(Mon|Fri) 10:00$/);
    }

    const occurrences = (
      await request(api.server)
        .get(`/series/${series.id}/occurrences?limit=3`)
        .set(auth)
        .expect(200)
    ).body as OccurrenceBody[];
    expect(occurrences.map((occurrence) => occurrence.status)).toEqual([
      'scheduled',
      'upcoming',
      'upcoming',
    ]);
    const first = occurrences[0]!;
    expect(first.scheduled_timestamp).toBe(series.next_occurrences[0]);
    // The planned occurrence is an ordinary message that names its series and shares its files.
    const message = await messageOf(first.message_id!);
    expect(message).toMatchObject({
      status: 'scheduled',
      message: 'Weekly report is due today',
      scheduled_timestamp: first.scheduled_timestamp,
      file_paths: series.file_paths,
    });
    const events = await api.events();
    const scheduled = events.find(
      (event) => event.type === 'MessageScheduled' && event.data.messageId === first.message_id,
    );
    expect(scheduled?.data.series).toEqual({
      seriesId: series.id,
      occurrenceAt: first.occurrence_timestamp,
    });
    const audit = await request(api.server)
      .get(`/series/${series.id}/events`)
      .set(auth)
      .expect(200);
    expect(audit.body.map((event: { type: string }) => event.type)).toEqual([
      'SeriesCreated',
      'OccurrencePlanned',
    ]);
  });

  it('skips, moves and re-texts single occurrences; the planned one becomes a new message', async () => {
    const userId = await subscribe();
    const series = (await create(weekly(userId)).expect(201)).body as SeriesBody;
    const [first, second, third] = series.next_occurrences as [string, string, string];
    const before = (
      await request(api.server).get(`/series/${series.id}/occurrences?limit=1`).set(auth)
    ).body as OccurrenceBody[];
    const plannedMessage = before[0]!.message_id!;

    // The planned one, moved an hour later: its message is cancelled, a new one planned.
    const later = new Date(Date.parse(first) + 3_600_000).toISOString();
    const moved = await request(api.server)
      .patch(`/series/${series.id}/occurrences/${first}`)
      .set(auth)
      .send({ scheduled_timestamp: later, message: 'Report due, later today' })
      .expect(200);
    expect((moved.body as SeriesBody).next_occurrences[0]).toBe(later);
    expect((await messageOf(plannedMessage)).status).toBe('cancelled');
    await request(api.server)
      .post(`/series/${series.id}/occurrences/${second}/skip`)
      .set(auth)
      .expect(200);
    await request(api.server)
      .patch(`/series/${series.id}/occurrences/${third}`)
      .set(auth)
      .send({ message: 'Last report before the holidays' })
      .expect(200);

    const occurrences = (
      await request(api.server)
        .get(`/series/${series.id}/occurrences?limit=3`)
        .set(auth)
        .expect(200)
    ).body as OccurrenceBody[];
    expect(
      occurrences.map((occurrence) => [
        occurrence.occurrence_timestamp,
        occurrence.status,
        occurrence.message,
      ]),
    ).toEqual([
      [first, 'scheduled', 'Report due, later today'],
      [second, 'skipped', 'Weekly report is due today'],
      [third, 'upcoming', 'Last report before the holidays'],
      [series.next_occurrences[3], 'upcoming', 'Weekly report is due today'],
    ]);
    const replanned = occurrences[0]!;
    expect(replanned.scheduled_timestamp).toBe(later);
    expect(await messageOf(replanned.message_id!)).toMatchObject({
      status: 'scheduled',
      message: 'Report due, later today',
      scheduled_timestamp: later,
    });

    const notAnOccurrence = await request(api.server)
      .post(
        `/series/${series.id}/occurrences/${new Date(Date.parse(third) + 60_000).toISOString()}/skip`,
      )
      .set(auth)
      .expect(404);
    expect(notAnOccurrence.body.code).toBe('OCCURRENCE_NOT_FOUND');
    const twice = await request(api.server)
      .post(`/series/${series.id}/occurrences/${second}/skip`)
      .set(auth)
      .expect(409);
    expect(twice.body.code).toBe('OCCURRENCE_PASSED');
  });

  it('pauses (cancelling what is planned), resumes, changes from now on, and ends', async () => {
    const userId = await subscribe();
    const series = (await create(weekly(userId)).expect(201)).body as SeriesBody;
    const planned = (
      await request(api.server).get(`/series/${series.id}/occurrences?limit=1`).set(auth)
    ).body[0] as OccurrenceBody;

    const paused = await request(api.server)
      .post(`/series/${series.id}/pause`)
      .set(auth)
      .expect(200);
    expect(paused.body).toMatchObject({ status: 'paused', next_occurrences: [] });
    expect((await messageOf(planned.message_id!)).status).toBe('cancelled');
    const whilePaused = (
      await request(api.server)
        .get(`/series/${series.id}/occurrences?limit=3`)
        .set(auth)
        .expect(200)
    ).body as OccurrenceBody[];
    expect(
      whilePaused.map((occurrence) => [occurrence.occurrence_timestamp, occurrence.status]),
    ).toEqual([[planned.occurrence_timestamp, 'cancelled']]);
    // Pausing again changes nothing.
    await request(api.server).post(`/series/${series.id}/pause`).set(auth).expect(200);

    const resumed = await request(api.server)
      .post(`/series/${series.id}/resume`)
      .set(auth)
      .expect(200);
    expect(resumed.body).toMatchObject({ status: 'active' });
    expect(resumed.body.next_occurrences).toEqual(series.next_occurrences);
    const replanned = (
      await request(api.server).get(`/series/${series.id}/occurrences?limit=1`).set(auth)
    ).body as OccurrenceBody[];
    const current = replanned.find((occurrence) => occurrence.status === 'scheduled')!;
    expect(current.message_id).not.toBe(planned.message_id);

    const changed = await request(api.server)
      .patch(`/series/${series.id}`)
      .set(auth)
      .send({ rrule: 'FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=9;BYMINUTE=0', message: 'Monthly now' })
      .expect(200);
    expect(changed.body).toMatchObject({
      message: 'Monthly now',
      description: 'every month on the 1st at 09:00 (Europe/Berlin)',
    });
    expect((await messageOf(current.message_id!)).status).toBe('cancelled');
    for (const at of changed.body.next_occurrences as string[]) {
      expect(
        new Intl.DateTimeFormat('en-GB', {
          timeZone: 'Europe/Berlin',
          day: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
        }).format(new Date(at)),
      ).toBe('1, 09:00');
    }

    const ended = await request(api.server).delete(`/series/${series.id}`).set(auth).expect(200);
    expect(ended.body).toMatchObject({
      status: 'ended',
      end_reason: 'deleted',
      next_occurrences: [],
    });
    const pending = await request(api.server).get('/pending-messages').set(auth).expect(200);
    expect(
      pending.body.filter((message: { message: string }) => message.message === 'Monthly now'),
    ).toEqual([]);
    const again = await request(api.server)
      .post(`/series/${series.id}/resume`)
      .set(auth)
      .expect(409);
    expect(again.body.code).toBe('SERIES_ENDED');
    const audit = await request(api.server)
      .get(`/series/${series.id}/events`)
      .set(auth)
      .expect(200);
    expect(audit.body.map((event: { type: string }) => event.type)).toEqual([
      'SeriesCreated',
      'OccurrencePlanned',
      'SeriesPaused',
      'SeriesResumed',
      'OccurrencePlanned',
      'SeriesChanged',
      'OccurrencePlanned',
      'SeriesEnded',
    ]);
  });

  it("plans one message per zone at each recipient's local time, and shows every zone", async () => {
    const inBerlin = await subscribe();
    const inKolkata = await subscribe();
    const inNewYork = await subscribe();
    const setZone = (userId: string, timeZone: string | null) =>
      request(api.server).patch(`/subscribers/${userId}`).set(auth).send({ time_zone: timeZone });
    expect((await setZone(inKolkata, 'asia/kolkata').expect(200)).body).toMatchObject({
      user_id: inKolkata,
      time_zone: 'Asia/Kolkata',
      status: 'active',
    });
    await setZone(inNewYork, 'America/New_York').expect(200);
    const created = await create({
      target_user_id: [inBerlin, inKolkata, inNewYork].join(','),
      message: 'Good morning',
      rrule: 'FREQ=DAILY;BYHOUR=9;BYMINUTE=0',
      dtstart: '2027-01-04T09:00',
      time_zone: 'Europe/Berlin',
      at_recipient_local_time: 'true',
    }).expect(201);
    expect(created.body).toMatchObject({
      at_recipient_local_time: true,
      description: 'every day at 09:00 (Europe/Berlin)',
    });
    // Each occurrence first goes out in Kolkata, the zone furthest east.
    expect(created.body.next_occurrences.slice(0, 2)).toEqual([
      '2027-01-04T03:30:00.000Z',
      '2027-01-05T03:30:00.000Z',
    ]);
    const listed = (
      await request(api.server)
        .get(`/series/${created.body.id}/occurrences?limit=2`)
        .set(auth)
        .expect(200)
    ).body as (OccurrenceBody & {
      zones: {
        time_zone: string;
        scheduled_timestamp: string;
        status: string;
        message_id: string | null;
        target_user_id: string[];
      }[];
    })[];
    // 09:00 on 4 January 2027 in each zone: Kolkata UTC+05:30, Berlin UTC+01:00, New York UTC−05:00.
    expect(
      listed[0]!.zones.map((zone) => [
        zone.time_zone,
        zone.scheduled_timestamp,
        zone.status,
        zone.target_user_id,
      ]),
    ).toEqual([
      ['Asia/Kolkata', '2027-01-04T03:30:00.000Z', 'scheduled', [inKolkata]],
      ['Europe/Berlin', '2027-01-04T08:00:00.000Z', 'scheduled', [inBerlin]],
      ['America/New_York', '2027-01-04T14:00:00.000Z', 'scheduled', [inNewYork]],
    ]);
    const newYork = await messageOf(listed[0]!.zones[2]!.message_id!);
    expect(newYork).toMatchObject({
      target_user_id: [inNewYork],
      scheduled_timestamp: '2027-01-04T14:00:00.000Z',
    });
    // The next day is not planned yet: where it will go, as the zones are now.
    expect(listed[1]!.status).toBe('upcoming');
    expect(listed[1]!.zones.map((zone) => zone.scheduled_timestamp)).toEqual([
      '2027-01-05T03:30:00.000Z',
      '2027-01-05T08:00:00.000Z',
      '2027-01-05T14:00:00.000Z',
    ]);

    const unknown = await setZone(inBerlin, 'Europe/Berlim').expect(400);
    expect(unknown.body).toMatchObject({ code: 'UNKNOWN_TIME_ZONE' });
    expect((await setZone(inKolkata, null).expect(200)).body.time_zone).toBeNull();
    const missing = await setZone('00000000-0000-4000-8000-000000000000', 'UTC').expect(404);
    expect(missing.body.code).toBe('SUBSCRIBER_NOT_FOUND');
    await request(api.server).delete(`/series/${created.body.id}`).set(auth).expect(200);
  });

  it.each([
    ['an unreadable rule', { rrule: 'FREQ=WEEKLY;BYDAY' }, 'INVALID_RRULE'],
    ['seconds', { rrule: 'FREQ=SECONDLY' }, 'UNSUPPORTED_RRULE'],
    ['every five minutes', { rrule: 'FREQ=MINUTELY;INTERVAL=5' }, 'RRULE_TOO_FREQUENT'],
    ['an unknown zone', { time_zone: 'Europe/Atlantis' }, 'UNKNOWN_TIME_ZONE'],
    ['a start with an offset', { dtstart: '2027-01-04T10:00+01:00' }, 'INVALID_DTSTART'],
    ['COUNT and UNTIL', { rrule: 'FREQ=DAILY;COUNT=3;UNTIL=20270301T000000Z' }, 'COUNT_AND_UNTIL'],
    [
      'UNTIL before the start',
      { rrule: 'FREQ=DAILY;UNTIL=20260101T000000Z' },
      'UNTIL_BEFORE_START',
    ],
    [
      'a rule that never fires',
      { rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' },
      'RULE_NEVER_FIRES',
    ],
    ['no rule', { rrule: '' }, 'INVALID_RRULE'],
    [
      "each recipient's local time with an hourly rule",
      { rrule: 'FREQ=HOURLY', at_recipient_local_time: 'true' },
      'LOCAL_TIME_NEEDS_DAILY_RULE',
    ],
    [
      'at_recipient_local_time neither true nor false',
      { at_recipient_local_time: 'yes' },
      'INVALID_FIELD',
    ],
    [
      'an unknown recipient',
      { target_user_id: '00000000-0000-4000-8000-000000000000' },
      'UNKNOWN_RECIPIENTS',
    ],
  ])('refuses %s with a 400 and stores nothing', async (_name, overrides, code) => {
    const userId = await subscribe();
    const before = (await api.events()).length;
    const response = await create({ ...weekly(userId), ...overrides }).expect(400);
    expect(response.body.code).toBe(code);
    expect((await api.events()).length).toBe(before);
  });

  it('refuses more active series per key than configured', async () => {
    const userId = await subscribe();
    const open = await request(api.server).get('/series?status=active').set(auth).expect(200);
    for (let n = open.body.items.length; n < 8; n++) await create(weekly(userId)).expect(201);
    const refused = await create(weekly(userId)).expect(400);
    expect(refused.body.code).toBe('TOO_MANY_SERIES');
    const unknown = await request(api.server)
      .get('/series/00000000-0000-4000-8000-000000000000')
      .set(auth)
      .expect(404);
    expect(unknown.body.code).toBe('SERIES_NOT_FOUND');
  });
});
