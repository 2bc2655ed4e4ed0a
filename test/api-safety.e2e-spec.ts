import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import request from 'supertest';
import { IdempotencyStore } from '../libs/database/src/idempotency-store';
import { startApi, type ApiHarness, TEST_API_KEY, TEST_BOT_TOKEN } from './support/api-harness';

const auth = { Authorization: `Bearer ${TEST_API_KEY}` };
const OTHER_KEY = 'another-client-key-0123456789';

describe('API: retries with Idempotency-Key', () => {
  let api: ApiHarness;
  let chat = 700_000;

  beforeAll(async () => {
    api = await startApi({
      idempotencyKeyTtlSeconds: 2,
      extraKeys: [{ name: 'other', key: OTHER_KEY }],
    });
  });
  afterAll(async () => api.close());

  const subscribeWith = (key: string, chatId: string, name = 'Ada', apiKey = TEST_API_KEY) =>
    request(api.server)
      .post('/subscribe-user')
      .set({ Authorization: `Bearer ${apiKey}`, 'Idempotency-Key': key })
      .send({ chat_id: chatId, chat_name: name });

  it('answers a retry of a subscription with the first answer, and appends nothing', async () => {
    const key = randomUUID();
    const chatId = String(++chat);
    const first = await subscribeWith(key, chatId).expect(200);
    const before = (await api.events()).length;
    const retry = await subscribeWith(key, chatId).expect(200);
    // The same answer, to the byte.
    expect(retry.text).toBe(first.text);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect((await api.events()).length).toBe(before);
    // Without the key the same request is a new one: the chat is subscribed already.
    await request(api.server)
      .post('/subscribe-user')
      .set(auth)
      .send({ chat_id: chatId, chat_name: 'Ada' })
      .expect(400);
  });

  it('refuses the same key with another body (422), and keeps keys apart per API key', async () => {
    const key = randomUUID();
    await subscribeWith(key, String(++chat)).expect(200);
    const other = await subscribeWith(key, String(++chat)).expect(422);
    expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    // Another client's key of the same name is its own.
    await subscribeWith(key, String(++chat), 'Ada', OTHER_KEY).expect(200);
  });

  it('answers a scheduled message again without a second message or a second upload', async () => {
    const { user_id } = (await subscribeWith(randomUUID(), String(++chat)).expect(200)).body as {
      user_id: string;
    };
    const key = randomUUID();
    const schedule = () =>
      request(api.server)
        .post('/schedule-message')
        .set({ ...auth, 'Idempotency-Key': key })
        .field('target_user_id', user_id)
        .field('message', 'Once only')
        .field('scheduled_timestamp', '2031-03-01T10:00:00Z')
        .attach('files', Buffer.from('the agenda'), 'agenda.txt');
    const objectsBefore = (await api.objects()).length;
    const first = await schedule().expect(200);
    const second = await schedule().expect(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    const scheduled = (await api.events()).filter(
      (event) => event.type === 'MessageScheduled' && event.data.text === 'Once only',
    );
    expect(scheduled).toHaveLength(1);
    // The retry's upload is gone: one object, the first request's.
    expect((await api.objects()).length).toBe(objectsBefore + 1);

    // Another file under the same key is another request.
    const changed = await request(api.server)
      .post('/schedule-message')
      .set({ ...auth, 'Idempotency-Key': key })
      .field('target_user_id', user_id)
      .field('message', 'Once only')
      .field('scheduled_timestamp', '2031-03-01T10:00:00Z')
      .attach('files', Buffer.from('another agenda'), 'agenda.txt')
      .expect(422);
    expect(changed.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await api.objects()).length).toBe(objectsBefore + 1);
  });

  it('runs a retry of a request that failed, and forgets a key once it expired', async () => {
    const key = randomUUID();
    const bad = await subscribeWith(key, 'not a chat id').expect(400);
    expect(bad.body.code).toBe('INVALID_CHAT_ID');
    const chatId = String(++chat);
    const good = await subscribeWith(key, chatId).expect(200);
    expect(good.headers['idempotent-replayed']).toBeUndefined();

    const expiring = randomUUID();
    await subscribeWith(expiring, String(++chat)).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    // Expired (2 s here): the key is free for a new request.
    await subscribeWith(expiring, String(++chat)).expect(200);
  });

  it('answers 409 while the first request with the key is still running', async () => {
    const store = api.app.get(IdempotencyStore);
    const key = randomUUID();
    expect(await store.claim('api-key:tester', key, 'fingerprint')).toEqual({ kind: 'claimed' });
    expect(await store.claim('api-key:tester', key, 'fingerprint')).toEqual({ kind: 'in_flight' });
    expect(await store.claim('api-key:tester', key, 'another')).toEqual({ kind: 'mismatch' });
    // Through the API: the key held by a request in flight.
    const held = randomUUID();
    const chatId = String(++chat);
    const { requestFingerprint } = await import('../apps/api/src/http/idempotency.interceptor');
    const fingerprint = requestFingerprint({
      method: 'POST',
      path: '/subscribe-user',
      body: { chat_id: chatId, chat_name: 'Ada' },
    } as never);
    await store.claim('api-key:tester', held, fingerprint);
    const busy = await subscribeWith(held, chatId).expect(409);
    expect(busy.body.code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
    await store.release('api-key:tester', held);
    await subscribeWith(held, chatId).expect(200);
  });

  it('refuses a malformed key', async () => {
    const response = await subscribeWith('has spaces in it', String(++chat)).expect(400);
    expect(response.body.code).toBe('INVALID_IDEMPOTENCY_KEY');
  });
});

describe('API: rate limit per API key', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({ rateLimitPerMinute: 5, extraKeys: [{ name: 'other', key: OTHER_KEY }] });
  });
  afterAll(async () => api.close());

  it('answers 429 with Retry-After past the limit, for that key only', async () => {
    for (let n = 0; n < 5; n++)
      await request(api.server).get('/subscribed-users').set(auth).expect(200);
    const limited = await request(api.server).get('/subscribed-users').set(auth).expect(429);
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(limited.body)).not.toContain(TEST_API_KEY);
    await request(api.server).get('/subscribed-users').set('X-API-Key', OTHER_KEY).expect(200);
    // Health, metrics and the root are not limited.
    for (let n = 0; n < 10; n++) await request(api.server).get('/health/live').expect(200);
  });
});

describe('API: no key or token in logs or answers', () => {
  const lines: string[] = [];
  const capture = (...parts: unknown[]) => {
    lines.push(
      parts.map((part) => (part instanceof Error ? (part.stack ?? '') : String(part))).join(' '),
    );
  };
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({
      logger: { log: capture, error: capture, warn: capture, debug: capture, verbose: capture },
      // The bot's token is refused at first: the bot logs why, and retries.
      telegramRejectsToken: true,
    });
  });
  afterAll(async () => api.close());

  it('logs neither API keys nor the bot token, even for failures', async () => {
    const wrongKey = 'wrong-key-that-is-a-secret-0001';
    await request(api.server).get('/subscribed-users').set('X-API-Key', wrongKey).expect(401);
    await request(api.server)
      .get('/subscribed-users')
      .set('Authorization', `Bearer ${wrongKey}`)
      .expect(401);
    await request(api.server).get('/subscribed-users').set(auth).expect(200);
    // A 500: the cause goes to the logs under a correlation id.
    const orm = api.app.get<MikroORM>(MikroORM);
    await orm.em.fork().execute('ALTER TABLE subscribers RENAME TO subscribers_away');
    try {
      const failed = await request(api.server).get('/subscribed-users').set(auth).expect(500);
      expect(lines.join('\n')).toContain(failed.body.correlation_id);
    } finally {
      await orm.em.fork().execute('ALTER TABLE subscribers_away RENAME TO subscribers');
    }
    // The bot has tried Telegram and logged its refusal.
    const deadline = Date.now() + 10_000;
    while (!lines.some((line) => /Unauthorized/.test(line)) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const ready = await request(api.server).get('/health/ready');
    const everything = [...lines, JSON.stringify(ready.body)].join('\n');
    expect(everything).toMatch(/Unauthorized/);
    for (const secret of [wrongKey, TEST_API_KEY, TEST_BOT_TOKEN, TEST_BOT_TOKEN.split(':')[1]!])
      expect(everything).not.toContain(secret);
  });
});
