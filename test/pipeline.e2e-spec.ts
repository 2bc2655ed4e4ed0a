import { createHash, randomBytes, randomInt } from 'node:crypto';
import request from 'supertest';
import { DEFAULT_LEAD_MS } from '../libs/config/src/config';
import { TEST_API_KEY } from './support/api-harness';
import { auth, subscribeChat } from './support/api-calls';
import { type AppProcess, TestSystem, waitUntil } from './support/system';
const TICK_MS = 1000;
const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');

describe('The pipeline: scheduled, due, delivered through the Bot API', () => {
  const system = new TestSystem(TICK_MS);
  let scheduler: AppProcess;
  let delivery: AppProcess;
  let chatCounter = 500_000;

  beforeAll(async () => {
    await system.start();
    scheduler = system.spawn('scheduler');
    delivery = system.spawn('delivery');
  });
  afterAll(async () => system.stop());

  const subscriber = (prefix = '') => subscribeChat(system, `${prefix}${++chatCounter}`);

  async function schedule(
    recipients: string[],
    text: string,
    at: Date,
    files: { name: string; content: Buffer }[] = [],
  ): Promise<{ id: string }> {
    let call = request(system.server)
      .post('/schedule-message')
      .set(auth)
      .field('target_user_id', recipients.join(','))
      .field('message', text)
      .field('scheduled_timestamp', at.toISOString());
    for (const file of files) call = call.attach('files', file.content, file.name);
    const response = await call;
    if (response.status !== 200)
      throw new Error(`schedule failed: ${JSON.stringify(response.body)}`);
    return response.body;
  }

  async function messageStatus(id: string): Promise<{
    status: string;
    is_sent: boolean;
    recipients: {
      user_id: string;
      status: string;
      failure_code: string | null;
      reason: string | null;
    }[];
  }> {
    const response = await request(system.server).get(`/messages/${id}`).set(auth).expect(200);
    return response.body;
  }

  async function waitSent(id: string, timeoutMs = 30_000): Promise<void> {
    try {
      await waitUntil(
        async () => (await messageStatus(id)).is_sent,
        timeoutMs,
        `message ${id} to be sent`,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${system.logs()}`);
    }
  }

  it('delivers the text and every file, byte-exact and once, to every recipient, on time', async () => {
    const [a, b] = [await subscriber(), await subscriber()];
    const binary = randomBytes(1024 * 1024 + 123);
    const notes = Buffer.from('Meeting notes: bring the slides.\n');
    const at = new Date(Date.now() + 3000);
    const text = 'Hello from the scheduler!';
    const { id } = await schedule([a.userId, b.userId], text, at, [
      { name: 'archive.bin', content: binary },
      { name: 'notes.txt', content: notes },
    ]);
    await waitSent(id);

    // Each chat reads the text, then both files in order; each file is uploaded once, and the
    // other chat gets it by the file_id of that upload.
    for (const chat of [a.chatId, b.chatId]) {
      const calls = system.telegram.delivered(chat);
      expect(calls.map((call) => call.method)).toEqual([
        'sendMessage',
        'sendDocument',
        'sendDocument',
      ]);
      expect(calls[0]?.text).toBe(text);
      expect(calls[1]?.sha256 ?? calls[1]?.fileId?.slice('file-'.length)).toBe(sha256(binary));
      expect(calls[2]?.sha256 ?? calls[2]?.fileId?.slice('file-'.length)).toBe(sha256(notes));
    }
    const uploads = [a.chatId, b.chatId].flatMap((chat) =>
      system.telegram.delivered(chat).filter((call) => call.sha256 !== undefined),
    );
    expect(uploads.map((call) => [call.fileName, call.fileSize]).sort()).toEqual([
      ['archive.bin', binary.length],
      ['notes.txt', notes.length],
    ]);
    expect(system.telegram.limitViolations()).toEqual({ bot: 0, chat: 0, group: 0 });
    const firstSend = Math.min(
      ...system.telegram
        .delivered()
        .filter((call) => [a.chatId, b.chatId].includes(call.chatId!))
        .map((call) => call.receivedAt),
    );
    // Never early; how late is measured by the benchmarks, not asserted on a shared machine.
    expect(firstSend).toBeGreaterThanOrEqual(at.getTime());

    const pending = await request(system.server).get('/pending-messages').set(auth).expect(200);
    expect(pending.body.map((message: { id: string }) => message.id)).not.toContain(id);
    const status = await messageStatus(id);
    expect(status).toMatchObject({ status: 'sent', is_sent: true });
    expect(status.recipients.map((recipient) => recipient.status)).toEqual([
      'delivered',
      'delivered',
    ]);

    const events = await request(system.server).get(`/messages/${id}/events`).set(auth).expect(200);
    const types: string[] = events.body.map((event: { type: string }) => event.type);
    expect(types[0]).toBe('MessageScheduled');
    expect(types[1]).toBe('MessageDue');
    expect(types.at(-1)).toBe('MessageSent');
    expect(types.filter((type) => type === 'RecipientDelivered')).toHaveLength(2);
    expect(types.filter((type) => type === 'RecipientPartSent')).toHaveLength(6);
    const positions: number[] = events.body.map((event: { position: number }) => event.position);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    expect(events.body[0]).toMatchObject({
      data: { messageId: id },
      recorded_at: expect.any(String),
    });
  });

  it('serves health and metrics on the scheduler and the delivery app', async () => {
    const sample = (text: string, metric: string) =>
      Number(new RegExp(`^${metric} ([0-9.e+-]+)$`, 'm').exec(text)?.[1]);
    for (const app of [scheduler, delivery]) {
      const url = await system.httpUrl(app);
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status).toBe(200);
      const checks = ((await ready.json()) as { details: Record<string, { status: string }> })
        .details;
      expect(Object.keys(checks).sort()).toEqual(
        app === scheduler ? ['broker', 'database'] : ['broker', 'database', 'storage', 'telegram'],
      );
      expect(Object.values(checks).every((check) => check.status === 'up')).toBe(true);
    }

    // What the first test delivered: one message due, two recipients, six parts sent.
    const schedulerMetrics = await (
      await fetch(`${await system.httpUrl(scheduler)}/metrics`)
    ).text();
    expect(
      sample(schedulerMetrics, 'sm_messages_due_total{app="scheduler"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(schedulerMetrics).toMatch(
      /^sm_projection_lag_positions\{projection="scheduler-pending-deadlines",app="scheduler"\} \d+$/m,
    );
    const deliveryMetrics = await (await fetch(`${await system.httpUrl(delivery)}/metrics`)).text();
    expect(
      sample(deliveryMetrics, 'sm_recipients_delivered_total{app="delivery"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(deliveryMetrics, 'sm_messages_sent_total{app="delivery"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(
        deliveryMetrics,
        'sm_telegram_calls_total{method="sendDocument",outcome="ok",app="delivery"}',
      ),
    ).toBeGreaterThanOrEqual(4);
    expect(
      sample(deliveryMetrics, 'sm_delivery_lateness_seconds_count{app="delivery"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(deliveryMetrics, 'sm_dead_letters{app="delivery"}')).toBe(0);
    expect(deliveryMetrics).toMatch(/^sm_outbox_lag_positions\{app="delivery"\} \d+$/m);
  });

  it('logs JSON lines that follow one correlation id from the request through scheduler and delivery, without keys', async () => {
    const api = system.spawn('api', {
      API_PORT: '0',
      API_KEYS: `tester:${TEST_API_KEY}`,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
      TELEGRAM_WEBHOOK_SECRET: 'webhook-secret-for-the-log-test',
    });
    const url = await system.httpUrl(api);
    const user = await subscriber();
    const correlationId = `journey-${randomInt(1e9)}`;
    const response = await fetch(`${url}/schedule-message`, {
      method: 'POST',
      headers: { ...auth, 'X-Correlation-Id': correlationId },
      body: (() => {
        const form = new FormData();
        form.set('target_user_id', user.userId);
        form.set('message', 'Follow me');
        form.set('scheduled_timestamp', new Date().toISOString());
        return form;
      })(),
    });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    await waitSent(id);
    await waitUntil(
      () => delivery.output.join('').includes(`Message ${id} sent`),
      10_000,
      'the delivery log line',
    );
    await api.stop();

    const lines = (app: AppProcess) =>
      app.output
        .join('')
        .split('\n')
        .filter((line) => line.trim().length > 0)
        .map((line) => JSON.parse(line) as { msg?: string; correlationId?: string; name?: string });
    // Every line of every app is a JSON object.
    const [apiLines, schedulerLines, deliveryLines] = [
      lines(api),
      lines(scheduler),
      lines(delivery),
    ];
    const journey = (entries: typeof apiLines) =>
      entries.filter((entry) => entry.correlationId === correlationId).map((entry) => entry.msg);
    expect(journey(apiLines)).toContain('request completed');
    expect(journey(schedulerLines)).toContain(`Message ${id} is due`);
    expect(journey(deliveryLines)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^Message ${id} sent: 1 delivered`)),
      ]),
    );
    expect(schedulerLines[0]?.name).toBe('scheduler');
    const everything = api.output.join('');
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(TEST_API_KEY);
  });

  it('sends every recipient everything exactly once when delivery is killed after its first send', async () => {
    const [a, b] = [await subscriber(), await subscriber()];
    const file = randomBytes(200_000);
    const sendsBefore = system.telegram.delivered().length;
    // Hold every send after the first of this message until the delivery process is dead.
    system.telegram.holdAfter(sendsBefore + 1);
    const { id } = await schedule(
      [a.userId, b.userId],
      'Survives a crash',
      new Date(Date.now() - 1000),
      [{ name: 'data.bin', content: file }],
    );
    await waitUntil(
      async () =>
        (await system.events(`message-${id}`)).some((event) => event.type === 'RecipientPartSent'),
      20_000,
      'the first send to be recorded',
    );
    await waitUntil(() => system.telegram.held > 0, 10_000, 'the second send to be on its way');
    await delivery.kill();
    system.telegram.release();
    delivery = system.spawn('delivery');
    await waitSent(id);

    for (const chat of [a.chatId, b.chatId]) {
      expect(system.telegram.delivered(chat).map((call) => call.method)).toEqual([
        'sendMessage',
        'sendDocument',
      ]);
      const document = system.telegram.delivered(chat)[1];
      expect(document?.sha256 ?? document?.fileId?.slice('file-'.length)).toBe(sha256(file));
    }
  });

  it('on SIGTERM finishes the sends in flight, starts no other, and the next process sends the rest once', async () => {
    const [a, b] = [await subscriber(), await subscriber()];
    const chats = [a.chatId, b.chatId];
    const file = randomBytes(50_000);
    const sendsBefore = system.telegram.delivered().length;
    system.telegram.holdAfter(sendsBefore + 1);
    const { id } = await schedule(
      [a.userId, b.userId],
      'Survives a restart',
      new Date(Date.now() - 1000),
      [{ name: 'data.bin', content: file }],
    );
    await waitUntil(() => system.telegram.held > 0, 20_000, 'a send to be in flight');
    const stopping = delivery.stop();
    // The process is shutting down with sends in Telegram's hands: let them complete.
    await new Promise((resolve) => setTimeout(resolve, 500));
    system.telegram.release();
    await stopping;
    // It stopped by itself (SIGTERM), not by the SIGKILL that follows 10 s later.
    expect(delivery.child.signalCode === 'SIGTERM' || delivery.child.exitCode === 0).toBe(true);
    const sentBeforeExit = system.telegram
      .delivered()
      .filter((call) => chats.includes(call.chatId!)).length;
    const recorded = (await system.events(`message-${id}`)).filter(
      (event) => event.type === 'RecipientPartSent',
    ).length;
    // Every send Telegram accepted was recorded; none started after the shutdown began.
    expect(recorded).toBe(sentBeforeExit);
    expect(recorded).toBeLessThan(4);

    delivery = system.spawn('delivery');
    await waitSent(id);
    for (const chat of chats) {
      expect(system.telegram.delivered(chat).map((call) => call.method)).toEqual([
        'sendMessage',
        'sendDocument',
      ]);
    }
  });

  it('records a recipient who blocked the bot as failed, delivers to the others, and marks the message sent', async () => {
    const [a, blocked, c] = [await subscriber(), await subscriber(), await subscriber()];
    system.telegram.blockedChats.add(blocked.chatId);
    const { id } = await schedule([a.userId, blocked.userId, c.userId], 'Some of you', new Date());
    await waitSent(id);
    const status = await messageStatus(id);
    expect(status.recipients).toEqual([
      expect.objectContaining({ user_id: a.userId, status: 'delivered' }),
      expect.objectContaining({
        user_id: blocked.userId,
        status: 'failed',
        failure_code: 'blocked',
        reason: 'Forbidden: bot was blocked by the user',
      }),
      expect.objectContaining({ user_id: c.userId, status: 'delivered' }),
    ]);
    expect(system.telegram.delivered(a.chatId)).toHaveLength(1);
    expect(system.telegram.delivered(c.chatId)).toHaveLength(1);
    expect(system.telegram.delivered(blocked.chatId)).toHaveLength(0);
    // A user who blocked the bot is no longer a subscriber.
    const unsubscribed = (await system.events(`subscriber-${blocked.userId}`)).at(-1);
    expect(unsubscribed).toMatchObject({ type: 'UserUnsubscribed', data: { reason: 'blocked' } });
    const listed = await request(system.server).get('/subscribed-users').set(auth).expect(200);
    expect(listed.body.map((user: { user_id: string }) => user.user_id)).not.toContain(
      blocked.userId,
    );
  });

  it('never sends a cancelled message, and sends a rescheduled one at its new time', async () => {
    const [a, b] = [await subscriber(), await subscriber()];
    const { id: cancelledId } = await schedule(
      [a.userId],
      'Cancelled',
      new Date(Date.now() + 2500),
    );
    const { id: movedId } = await schedule([b.userId], 'Moved', new Date(Date.now() + 60_000));
    await request(system.server).delete(`/messages/${cancelledId}`).set(auth).expect(200);
    const at = new Date(Date.now() + 2000);
    await request(system.server)
      .patch(`/messages/${movedId}`)
      .set(auth)
      .send({ scheduled_timestamp: at.toISOString() })
      .expect(200);
    await waitSent(movedId);
    const [moved] = system.telegram.delivered(b.chatId);
    expect(moved?.receivedAt).toBeGreaterThanOrEqual(at.getTime());
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(system.telegram.delivered(a.chatId)).toEqual([]);
    expect((await messageStatus(cancelledId)).status).toBe('cancelled');
  });

  it('waits out a 429 for its retry_after, then sends once', async () => {
    const user = await subscriber();
    system.telegram.failNext(1, {
      status: 429,
      description: 'Too Many Requests: retry after 1',
      retryAfter: 1,
      method: 'sendMessage',
      chatId: user.chatId,
    });
    const { id } = await schedule([user.userId], 'After the flood', new Date());
    await waitSent(id);
    const calls = system.telegram.calls.filter((call) => call.chatId === user.chatId);
    expect(calls.map((call) => call.status)).toEqual([429, 200]);
    expect(calls[1]!.receivedAt - calls[0]!.answeredAt).toBeGreaterThanOrEqual(1000);
    expect((await messageStatus(id)).recipients[0]?.status).toBe('delivered');
    const metrics = await (await fetch(`${await system.httpUrl(delivery)}/metrics`)).text();
    expect(metrics).toMatch(/^sm_telegram_flood_wait_seconds_total\{app="delivery"\} [1-9]/m);
    expect(metrics).toMatch(
      /^sm_telegram_calls_total\{method="sendMessage",outcome="rate_limited",app="delivery"\} [1-9]/m,
    );
  });

  it('retries a burst of 5xx with backoff and delivers once', async () => {
    const user = await subscriber();
    system.telegram.failNext(2, { status: 502, description: 'Bad Gateway', chatId: user.chatId });
    const { id } = await schedule([user.userId], 'Through the storm', new Date());
    await waitSent(id);
    const calls = system.telegram.calls.filter((call) => call.chatId === user.chatId);
    expect(calls.map((call) => call.status)).toEqual([502, 502, 200]);
    expect((await messageStatus(id)).recipients[0]?.status).toBe('delivered');
  });

  it('gives up on a recipient after DELIVERY_MAX_ATTEMPTS (3 here) transient failures, with the reason', async () => {
    const [doomed, fine] = [await subscriber(), await subscriber()];
    system.telegram.failNext(3, {
      status: 500,
      description: 'Internal Server Error',
      chatId: doomed.chatId,
    });
    const { id } = await schedule([doomed.userId, fine.userId], 'Not for everyone', new Date());
    await waitSent(id);
    const status = await messageStatus(id);
    expect(status.recipients).toEqual([
      expect.objectContaining({
        user_id: doomed.userId,
        status: 'failed',
        failure_code: 'send_failed',
        reason: expect.stringContaining('Internal Server Error'),
      }),
      expect.objectContaining({ user_id: fine.userId, status: 'delivered' }),
    ]);
    expect(system.telegram.calls.filter((call) => call.chatId === doomed.chatId)).toHaveLength(3);
  });

  it('follows a group that became a supergroup to its new chat id', async () => {
    const group = await subscriber('-1001');
    const newChatId = `-100${randomInt(1e8, 1e9)}`;
    system.telegram.failNext(1, {
      status: 400,
      description: 'Bad Request: group chat was upgraded to a supergroup chat',
      migrateToChatId: newChatId,
      chatId: group.chatId,
    });
    const { id } = await schedule([group.userId], 'To the supergroup', new Date());
    await waitSent(id);
    expect(system.telegram.delivered(newChatId).map((call) => call.text)).toEqual([
      'To the supergroup',
    ]);
    const users = await request(system.server).get('/subscribed-users').set(auth).expect(200);
    expect(users.body).toContainEqual(
      expect.objectContaining({ user_id: group.userId, chat_id: newChatId }),
    );
    expect((await system.events(`subscriber-${group.userId}`)).at(-1)).toMatchObject({
      type: 'UserChatMigrated',
      data: { fromChatId: group.chatId, toChatId: newChatId },
    });
  });

  it('ends the subscription of a group whose supergroup is subscribed already, and sends the other once', async () => {
    const group = await subscriber('-1001');
    const newChatId = `-100${randomInt(1e8, 1e9)}`;
    // Someone sent /start in the new supergroup before delivery learned of the move.
    const owner = (
      await request(system.server)
        .post('/subscribe-user')
        .set(auth)
        .send({ chat_id: newChatId, chat_name: 'the supergroup' })
        .expect(200)
    ).body as { user_id: string };
    system.telegram.failNext(2, {
      status: 400,
      description: 'Bad Request: group chat was upgraded to a supergroup chat',
      migrateToChatId: newChatId,
      chatId: group.chatId,
    });
    // Two messages in delivery at once, both meeting the move.
    const { id } = await schedule([group.userId, owner.user_id], 'One chat, once', new Date());
    const other = await schedule([group.userId], 'Only for the group', new Date());
    await waitSent(id);
    await waitSent(other.id);
    expect(system.telegram.textsTo(newChatId)).toEqual(['One chat, once']);
    expect((await messageStatus(other.id)).recipients).toEqual([
      expect.objectContaining({ user_id: group.userId, failure_code: 'unsubscribed' }),
    ]);
    const recipients = (await messageStatus(id)).recipients;
    expect(recipients).toContainEqual(
      expect.objectContaining({
        user_id: group.userId,
        status: 'failed',
        failure_code: 'unsubscribed',
      }),
    );
    expect(recipients).toContainEqual(
      expect.objectContaining({ user_id: owner.user_id, status: 'delivered' }),
    );
    expect((await system.events(`subscriber-${group.userId}`)).at(-1)).toMatchObject({
      type: 'UserUnsubscribed',
      data: { chatId: group.chatId, reason: 'chat_merged' },
    });
  });

  it('hands a message to delivery SCHEDULER_LEAD_MS before its time, and delivery sends it at its time, not earlier', async () => {
    // The deployed lead (the suite's scheduler hands over at the time itself).
    await scheduler.stop();
    scheduler = system.spawn('scheduler', { SCHEDULER_LEAD_MS: String(DEFAULT_LEAD_MS) });
    try {
      await system.httpUrl(scheduler);
      const user = await subscriber();
      // A chat whose welcome went out a while ago: nothing but the wait holds the send back.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const at = new Date(Date.now() + DEFAULT_LEAD_MS + 2500);
      const { id } = await schedule([user.userId], 'Right on time', at);
      await waitSent(id);
      const [due] = (await system.events(`message-${id}`)).filter(
        (event) => event.type === 'MessageDue',
      );
      expect(new Date(due!.recorded_at).getTime()).toBeLessThan(at.getTime());
      const [sent] = system.telegram
        .delivered(user.chatId)
        .filter((call) => call.text === 'Right on time');
      expect(sent!.receivedAt).toBeGreaterThanOrEqual(at.getTime());
    } finally {
      await scheduler.stop();
      scheduler = system.spawn('scheduler');
      await system.httpUrl(scheduler);
    }
  });

  it('marks a message due when the scheduler that armed its timer was killed before its time', async () => {
    const user = await subscriber();
    const scheduledAt = Date.now();
    // Due in 3 s: a tick within the next 1–2 s (ticks every second, looking two ticks ahead)
    // arms its timer; the scheduler dies a second before the message's time.
    const at = new Date(scheduledAt + 3000);
    const { id } = await schedule([user.userId], 'Outlives its scheduler', at);
    await new Promise((resolve) => setTimeout(resolve, scheduledAt + 2050 - Date.now()));
    await scheduler.kill();
    const killedBeforeItsTime = Date.now() < at.getTime();
    await new Promise((resolve) => setTimeout(resolve, at.getTime() + 1500 - Date.now()));
    const duesWhileNoScheduler = (await system.events(`message-${id}`)).filter(
      (event) => event.type === 'MessageDue',
    );
    scheduler = system.spawn('scheduler');
    await waitSent(id);
    expect(killedBeforeItsTime).toBe(true);
    expect(duesWhileNoScheduler).toHaveLength(0);
    const dues = (await system.events(`message-${id}`)).filter(
      (event) => event.type === 'MessageDue',
    );
    expect(dues).toHaveLength(1);
    expect(system.telegram.textsTo(user.chatId)).toEqual(['Outlives its scheduler']);
  });

  it('appends one MessageDue per message with two schedulers running at once', async () => {
    const second = system.spawn('scheduler');
    try {
      const users = await Promise.all(Array.from({ length: 10 }, () => subscriber()));
      const at = new Date(Date.now() + 2500);
      const ids: string[] = [];
      for (const [index, user] of users.entries())
        ids.push((await schedule([user.userId], `Race ${index}`, at)).id);
      for (const id of ids) await waitSent(id);
      for (const id of ids) {
        const dues = (await system.events(`message-${id}`)).filter(
          (event) => event.type === 'MessageDue',
        );
        expect(dues).toHaveLength(1);
      }
      for (const user of users) expect(system.telegram.delivered(user.chatId)).toHaveLength(1);
    } finally {
      await second.stop();
    }
    expect(scheduler.child.exitCode).toBeNull();
  });
});
