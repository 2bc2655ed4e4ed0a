import request from 'supertest';
import { startApi, type ApiHarness, TEST_API_KEY } from './support/api-harness';

const auth = { Authorization: `Bearer ${TEST_API_KEY}` };

describe('API: topics', () => {
  let api: ApiHarness;
  let chatCounter = 760_000;

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api.close());

  async function subscribe(): Promise<string> {
    const response = await request(api.server)
      .post('/subscribe-user')
      .set(auth)
      .send({ chat_id: String(++chatCounter), chat_name: `Reader ${chatCounter}` })
      .expect(200);
    return response.body.user_id as string;
  }

  const join = (topic: string, userId: string) =>
    request(api.server).post(`/topics/${topic}/members`).set(auth).send({ user_id: userId });

  it('creates a topic, refuses a second of the same name in any case and bad names, storing nothing', async () => {
    const created = await request(api.server)
      .post('/topics')
      .set(auth)
      .send({ name: ' releases ' })
      .expect(201);
    expect(created.body).toMatchObject({ name: 'releases', member_count: 0 });
    const before = (await api.events()).length;
    const taken = await request(api.server)
      .post('/topics')
      .set(auth)
      .send({ name: 'Releases' })
      .expect(409);
    expect(taken.body.code).toBe('TOPIC_EXISTS');
    for (const name of ['two words', '', 'a,b', 'x'.repeat(65)]) {
      const refused = await request(api.server)
        .post('/topics')
        .set(auth)
        .send({ name })
        .expect(400);
      expect(refused.body.code).toBe('INVALID_TOPIC_NAME');
    }
    expect((await api.events()).length).toBe(before);
  });

  it('adds members once each, pages them, counts them, and takes one off', async () => {
    await request(api.server).post('/topics').set(auth).send({ name: 'weekly' }).expect(201);
    const first = await subscribe();
    const second = await subscribe();
    expect((await join('weekly', first).expect(200)).body).toMatchObject({
      topic: 'weekly',
      user_id: first,
      changed: true,
    });
    await join('weekly', second).expect(200);
    expect((await join('WEEKLY', first).expect(200)).body.changed).toBe(false);

    const page = await request(api.server)
      .get('/topics/weekly/members?limit=1')
      .set(auth)
      .expect(200);
    expect(page.body.items).toHaveLength(1);
    const rest = await request(api.server)
      .get(`/topics/weekly/members?limit=1&cursor=${page.body.next_cursor}`)
      .set(auth)
      .expect(200);
    expect([page.body.items[0].user_id, rest.body.items[0].user_id].sort()).toEqual(
      [first, second].sort(),
    );
    expect(rest.body.next_cursor).toBeNull();
    const listed = await request(api.server).get('/topics').set(auth).expect(200);
    expect(listed.body.find((topic: { name: string }) => topic.name === 'weekly')).toMatchObject({
      member_count: 2,
    });

    await request(api.server).delete(`/topics/weekly/members/${second}`).set(auth).expect(200);
    const again = await request(api.server)
      .delete(`/topics/weekly/members/${second}`)
      .set(auth)
      .expect(404);
    expect(again.body.code).toBe('TOPIC_MEMBER_NOT_FOUND');
    const history = await request(api.server)
      .get(`/subscribers/${second}/events`)
      .set(auth)
      .expect(200);
    expect(history.body.map((event: { type: string }) => event.type)).toEqual([
      'UserSubscribed',
      'SubscriberJoinedTopic',
      'SubscriberLeftTopic',
    ]);
  });

  it('refuses an unknown topic or subscriber', async () => {
    const userId = await subscribe();
    expect((await join('nowhere', userId).expect(404)).body.code).toBe('TOPIC_NOT_FOUND');
    await request(api.server).post('/topics').set(auth).send({ name: 'misc' }).expect(201);
    expect((await join('misc', '00000000-0000-4000-8000-000000000000').expect(404)).body.code).toBe(
      'SUBSCRIBER_NOT_FOUND',
    );
    expect(
      (await request(api.server).get('/topics/nowhere/members').set(auth).expect(404)).body.code,
    ).toBe('TOPIC_NOT_FOUND');
  });

  it('renames a topic keeping its members, deletes it, and frees its name', async () => {
    const userId = await subscribe();
    const created = await request(api.server)
      .post('/topics')
      .set(auth)
      .send({ name: 'news' })
      .expect(201);
    await join('news', userId).expect(200);
    const renamed = await request(api.server)
      .patch('/topics/news')
      .set(auth)
      .send({ name: 'changelog' })
      .expect(200);
    expect(renamed.body).toMatchObject({ id: created.body.id, name: 'changelog', member_count: 1 });
    await request(api.server).get('/topics/news/members').set(auth).expect(404);
    const members = await request(api.server)
      .get('/topics/changelog/members')
      .set(auth)
      .expect(200);
    expect(members.body.items.map((member: { user_id: string }) => member.user_id)).toEqual([
      userId,
    ]);

    await request(api.server).delete('/topics/changelog').set(auth).expect(200);
    const listed = await request(api.server).get('/topics').set(auth).expect(200);
    expect(listed.body.map((topic: { name: string }) => topic.name)).not.toContain('changelog');
    // Its history stays readable by its id.
    const audit = await request(api.server)
      .get(`/topics/${created.body.id}/events`)
      .set(auth)
      .expect(200);
    expect(audit.body.map((event: { type: string }) => event.type)).toEqual([
      'TopicCreated',
      'TopicRenamed',
      'TopicDeleted',
    ]);
    const unknown = await request(api.server)
      .get('/topics/00000000-0000-4000-8000-000000000000/events')
      .set(auth)
      .expect(404);
    expect(unknown.body.code).toBe('TOPIC_NOT_FOUND');

    const again = await request(api.server)
      .post('/topics')
      .set(auth)
      .send({ name: 'changelog' })
      .expect(201);
    expect(again.body.id).not.toBe(created.body.id);
    expect(again.body.member_count).toBe(0);
    const events = await request(api.server).get('/topics/changelog/events').set(auth).expect(200);
    expect(events.body.map((event: { type: string }) => event.type)).toEqual(['TopicCreated']);
  });
});
