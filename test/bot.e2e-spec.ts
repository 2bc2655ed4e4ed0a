import { randomInt } from 'node:crypto';
import request from 'supertest';
import {
  startApi,
  type ApiHarness,
  TEST_API_KEY,
  TEST_WEBHOOK_SECRET,
} from './support/api-harness';
import { waitUntil } from './support/system';
import { commandUpdate, membershipUpdate } from './support/telegram-updates';

const auth = { Authorization: `Bearer ${TEST_API_KEY}` };
const USER_ID = /Your user_id: ([0-9a-f-]{36})/;

function userIdIn(text: string | undefined): string {
  const id = USER_ID.exec(text ?? '')?.[1];
  if (!id) throw new Error(`no user_id in reply: ${text}`);
  return id;
}

describe('The bot in polling mode', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi();
    await waitUntil(
      async () => (await readiness(api)).telegram?.mode === 'polling',
      10_000,
      'the bot to poll',
    );
  });
  afterAll(async () => api.close());

  /** Sends an update through getUpdates and waits for the bot's reply to the chat. */
  async function say(
    chatId: number,
    text: string,
    person?: { username?: string; firstName?: string },
  ): Promise<string> {
    const before = api.telegram.textsTo(String(chatId)).length;
    api.telegram.pushUpdate(commandUpdate(chatId, text, person));
    await waitUntil(
      () => api.telegram.textsTo(String(chatId)).length > before,
      10_000,
      `a reply to ${text}`,
    );
    return api.telegram.textsTo(String(chatId)).at(-1)!;
  }

  /** A subscriber's events in order, as the audit route answers them. */
  async function historyOf(
    userId: string,
  ): Promise<{ type: string; data: { timeZone?: string | null }; metadata: unknown }[]> {
    return (await request(api.server).get(`/subscribers/${userId}/events`).set(auth).expect(200))
      .body;
  }

  async function subscribersOfChat(chatId: number) {
    const events = await api.events();
    return events.filter(
      (event) => event.type === 'UserSubscribed' && event.data.chatId === String(chatId),
    );
  }

  it('/start subscribes the chat under its username and shows the user_id and chat_id', async () => {
    const chatId = randomInt(1e8, 1e9);
    const reply = await say(chatId, '/start', { username: 'ann_b', firstName: 'Ann' });
    expect(reply).toContain('Welcome!');
    expect(reply).toContain(`Your chat_id: ${chatId}`);
    const userId = userIdIn(reply);
    const users = await request(api.server).get('/subscribed-users').set(auth).expect(200);
    expect(users.body).toContainEqual(
      expect.objectContaining({ user_id: userId, chat_id: String(chatId), chat_name: 'ann_b' }),
    );
    const [event] = await subscribersOfChat(chatId);
    expect(event?.metadata).toMatchObject({
      actor: `telegram:${chatId}`,
      correlationId: expect.stringMatching(/^telegram-update-\d+$/),
    });
  });

  it('names a chat by its first name when it has no username', async () => {
    const chatId = randomInt(1e8, 1e9);
    const userId = userIdIn(await say(chatId, '/start', { firstName: 'Bob' }));
    const users = await request(api.server).get('/subscribed-users').set(auth).expect(200);
    expect(users.body).toContainEqual(
      expect.objectContaining({ user_id: userId, chat_name: 'Bob' }),
    );
  });

  it('/start again answers "welcome back" with the same user_id, and subscribes nobody new', async () => {
    const chatId = randomInt(1e8, 1e9);
    const first = userIdIn(await say(chatId, '/start'));
    const again = await say(chatId, '/start');
    expect(again).toContain('Welcome back');
    expect(userIdIn(again)).toBe(first);
    expect(await subscribersOfChat(chatId)).toHaveLength(1);
  });

  it('/start again with other names records them, for templates', async () => {
    const chatId = randomInt(1e8, 1e9);
    const userId = userIdIn(await say(chatId, '/start', { firstName: 'Ann' }));
    await say(chatId, '/start', { firstName: 'Annie', username: 'annie_b' });
    const subscriber = (
      await request(api.server).get(`/subscribers/${userId}`).set(auth).expect(200)
    ).body as { first_name: string; username: string; chat_type: string };
    expect(subscriber).toMatchObject({
      first_name: 'Annie',
      username: 'annie_b',
      chat_type: 'private',
    });
    // The same names again record nothing.
    await say(chatId, '/start', { firstName: 'Annie', username: 'annie_b' });
    expect((await historyOf(userId)).map((event) => event.type)).toEqual([
      'UserSubscribed',
      'SubscriberProfileChanged',
    ]);
  });

  it('takes a /start typed into the double over HTTP, as the README shows', async () => {
    const chatId = randomInt(1e8, 1e9);
    await request(api.telegram.url)
      .post('/_updates')
      .send({ chat_id: chatId, text: '/start', username: 'typed_by_hand' })
      .expect(200);
    await waitUntil(() => api.telegram.textsTo(String(chatId)).length > 0, 10_000, 'the welcome');
    const userId = userIdIn(api.telegram.textsTo(String(chatId))[0]);
    const users = await request(api.server).get('/subscribed-users').set(auth).expect(200);
    expect(users.body).toContainEqual(
      expect.objectContaining({ user_id: userId, chat_name: 'typed_by_hand' }),
    );
  });

  it('/help lists the commands', async () => {
    const reply = await say(randomInt(1e8, 1e9), '/help');
    for (const command of ['/start', '/stop', '/timezone', '/topics', '/join', '/leave', '/help'])
      expect(reply).toContain(command);
  });

  it('/stop unsubscribes: no longer listed, refused as a recipient; /start brings back the same user_id', async () => {
    const chatId = randomInt(1e8, 1e9);
    const userId = userIdIn(await say(chatId, '/start'));
    const stopped = await say(chatId, '/stop');
    expect(stopped).toContain('unsubscribed');
    expect(stopped).toContain(userId);

    const users = await request(api.server).get('/subscribed-users').set(auth).expect(200);
    expect(users.body.map((user: { user_id: string }) => user.user_id)).not.toContain(userId);
    const refused = await request(api.server)
      .post('/schedule-message')
      .set(auth)
      .field('target_user_id', userId)
      .field('message', 'Anyone there?')
      .field('scheduled_timestamp', '2030-01-01T00:00:00Z')
      .expect(400);
    expect(refused.body.code).toBe('UNSUBSCRIBED_RECIPIENTS');
    expect(refused.body.detail).toContain(userId);

    expect(await say(chatId, '/stop')).toContain('not subscribed');
    const history = await historyOf(userId);
    expect(history.map((event) => event.type)).toEqual(['UserSubscribed', 'UserUnsubscribed']);
    expect(history[1]).toMatchObject({
      data: { reason: 'requested' },
      metadata: { actor: `telegram:${chatId}` },
    });
    const unknown = await request(api.server)
      .get('/subscribers/nobody/events')
      .set(auth)
      .expect(404);
    expect(unknown.body.code).toBe('SUBSCRIBER_NOT_FOUND');
    const back = await say(chatId, '/start');
    expect(back).toContain('subscribed again');
    expect(userIdIn(back)).toBe(userId);
    await request(api.server)
      .post('/schedule-message')
      .set(auth)
      .field('target_user_id', userId)
      .field('message', 'Welcome back')
      .field('scheduled_timestamp', '2030-01-01T00:00:00Z')
      .expect(200);
  });

  it("/timezone sets the chat's own zone, says so when it does not know one, and /timezone off clears it", async () => {
    const chatId = randomInt(1e8, 1e9);
    expect(await say(chatId, '/timezone Europe/Berlin')).toContain('not subscribed');
    const userId = userIdIn(await say(chatId, '/start'));
    expect(await say(chatId, '/timezone')).toContain('no time zone set');

    const set = await say(chatId, '/timezone europe/berlin');
    expect(set).toMatch(/Your time zone is Europe\/Berlin now \(it is \d\d:\d\d there\)/);
    const unknown = await say(chatId, '/timezone Mars/Olympus_Mons');
    expect(unknown).toContain('"Mars/Olympus_Mons" is not a time zone I know');
    expect(unknown).toContain('/timezone Europe/Berlin');
    expect(await say(chatId, '/timezone')).toContain('Your time zone is Europe/Berlin.');
    expect(await say(chatId, '/timezone off')).toContain('cleared');

    expect((await historyOf(userId)).map((event) => [event.type, event.data.timeZone])).toEqual([
      ['UserSubscribed', undefined],
      ['SubscriberTimeZoneSet', 'Europe/Berlin'],
      ['SubscriberTimeZoneSet', null],
    ]);
  });

  it('/topics lists the topics marking those joined; /join and /leave change them, with a clear answer for a wrong name', async () => {
    const chatId = randomInt(1e8, 1e9);
    const topic = `bot-${chatId}`;
    await request(api.server).post('/topics').set(auth).send({ name: topic }).expect(201);
    expect(await say(chatId, `/join ${topic}`)).toContain('not subscribed');
    const userId = userIdIn(await say(chatId, '/start'));

    expect(await say(chatId, '/topics')).toContain(`· ${topic}`);
    expect(await say(chatId, `/join ${topic.toUpperCase()}`)).toBe(`You joined ${topic}.`);
    expect(await say(chatId, `/join ${topic}`)).toBe(`You are in ${topic} already.`);
    expect(await say(chatId, '/topics')).toContain(`✓ ${topic}`);
    expect(await say(chatId, '/join no-such-topic')).toContain(
      'There is no topic named "no-such-topic"',
    );
    expect(await say(chatId, '/join')).toContain('Name the topic');
    const members = await request(api.server).get(`/topics/${topic}/members`).set(auth).expect(200);
    expect(members.body.items.map((member: { user_id: string }) => member.user_id)).toEqual([
      userId,
    ]);

    expect(await say(chatId, `/leave ${topic}`)).toBe(`You left ${topic}.`);
    expect(await say(chatId, `/leave ${topic}`)).toBe(`You are not in ${topic}.`);
    expect((await historyOf(userId)).map((event) => event.type)).toEqual([
      'UserSubscribed',
      'SubscriberJoinedTopic',
      'SubscriberLeftTopic',
    ]);
  });

  it('/topics answers a toggle button per topic: a press joins or leaves it and shows the list anew in place', async () => {
    const chatId = randomInt(1e8, 1e9);
    const chat = String(chatId);
    const topic = `tap-${chatId}`;
    const other = `tap2-${chatId}`;
    for (const name of [topic, other]) {
      await request(api.server).post('/topics').set(auth).send({ name }).expect(201);
    }
    const userId = userIdIn(await say(chatId, '/start'));
    await say(chatId, '/topics');
    const list = api.telegram.delivered(chat).at(-1)!;
    type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };
    const buttonOf = (name: string) =>
      (api.telegram.messageIn(chat, list.messageId!)!.replyMarkup as Keyboard).inline_keyboard
        .flat()
        .find((button) => button.text.endsWith(` ${name}`))!;
    expect(buttonOf(topic).text).toBe(`+ ${topic}`);

    /** Presses the button and waits for the bot to answer the press. */
    const press = async (data: string) => {
      const id = api.telegram.pushCallbackQuery(chat, list.messageId!, data);
      await waitUntil(
        () =>
          api.telegram.calls.some(
            (call) => call.method === 'answerCallbackQuery' && call.callbackQueryId === id,
          ),
        10_000,
        'the press to be answered',
      );
      // The list is edited after the answer.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return api.telegram.calls.find((call) => call.callbackQueryId === id)!;
    };

    expect((await press(buttonOf(topic).callback_data)).text).toBe(`You joined ${topic}.`);
    expect(buttonOf(topic).text).toBe(`✓ ${topic}`);
    expect(buttonOf(other).text).toBe(`+ ${other}`);
    expect(api.telegram.messageIn(chat, list.messageId!)!.text).toContain(`✓ ${topic}`);

    expect((await press(buttonOf(topic).callback_data)).text).toBe(`You left ${topic}.`);
    expect(buttonOf(topic).text).toBe(`+ ${topic}`);

    // A press on a topic deleted meanwhile: said so, and the list loses it.
    const gone = buttonOf(other).callback_data;
    await request(api.server).delete(`/topics/${other}`).set(auth).expect(200);
    expect((await press(gone)).text).toBe('That topic is gone. The list is up to date now.');
    expect(api.telegram.messageIn(chat, list.messageId!)!.text).not.toContain(other);

    expect((await historyOf(userId)).map((event) => event.type)).toEqual([
      'UserSubscribed',
      'SubscriberJoinedTopic',
      'SubscriberLeftTopic',
    ]);
    // Every press was answered, none failed at Telegram.
    expect(
      api.telegram.calls.filter(
        (call) =>
          ['answerCallbackQuery', 'editMessageText'].includes(call.method) && call.status !== 200,
      ),
    ).toEqual([]);
  });

  it('records a user who blocked the bot as unsubscribed (blocked); /start after unblocking subscribes again', async () => {
    const chatId = randomInt(1e8, 1e9);
    const userId = userIdIn(await say(chatId, '/start'));
    const repliesBefore = api.telegram.textsTo(String(chatId)).length;
    api.telegram.pushUpdate(membershipUpdate(chatId, 'kicked'));
    await waitUntil(
      async () =>
        (await api.events()).some(
          (event) => event.type === 'UserUnsubscribed' && event.data.userId === userId,
        ),
      10_000,
      'UserUnsubscribed',
    );
    const unsubscribed = (await api.events()).find(
      (event) => event.type === 'UserUnsubscribed' && event.data.userId === userId,
    );
    expect(unsubscribed?.data).toMatchObject({ reason: 'blocked', chatId: String(chatId) });
    expect(api.telegram.textsTo(String(chatId))).toHaveLength(repliesBefore);

    api.telegram.pushUpdate(membershipUpdate(chatId, 'member'));
    expect(userIdIn(await say(chatId, '/start'))).toBe(userId);
  });
});

describe('The bot in webhook mode', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({ telegramMode: 'webhook' });
    await waitUntil(
      async () => (await readiness(api)).telegram?.mode === 'webhook',
      10_000,
      'the webhook',
    );
  });
  afterAll(async () => api.close());

  let updateId = 1000;
  const post = (update: object, secret?: string) => {
    const call = request(api.server).post('/telegram/webhook');
    return (secret ? call.set('X-Telegram-Bot-Api-Secret-Token', secret) : call).send(update);
  };

  it('registers the webhook URL with its secret', () => {
    expect(api.telegram.webhook).toEqual({
      url: 'https://bot.example.com/telegram/webhook',
      secretToken: TEST_WEBHOOK_SECRET,
    });
  });

  it('refuses an update without the secret or with a wrong one', async () => {
    const chatId = randomInt(1e8, 1e9);
    const update = { update_id: ++updateId, ...commandUpdate(chatId, '/start') };
    expect((await post(update).expect(401)).body.code).toBe('WEBHOOK_SECRET_INVALID');
    expect((await post(update, 'not-the-secret-at-all').expect(401)).body.code).toBe(
      'WEBHOOK_SECRET_INVALID',
    );
    expect(api.telegram.textsTo(String(chatId))).toEqual([]);
    expect((await api.events()).some((event) => event.data.chatId === String(chatId))).toBe(false);
  });

  it('handles an update with the right secret, and the same update delivered twice only once', async () => {
    const chatId = randomInt(1e8, 1e9);
    const update = { update_id: ++updateId, ...commandUpdate(chatId, '/start') };
    await post(update, TEST_WEBHOOK_SECRET).expect(200);
    await post(update, TEST_WEBHOOK_SECRET).expect(200);
    expect(api.telegram.textsTo(String(chatId))).toHaveLength(1);
    expect(api.telegram.textsTo(String(chatId))[0]).toContain('Welcome!');
    const subscribed = (await api.events()).filter(
      (event) => event.type === 'UserSubscribed' && event.data.chatId === String(chatId),
    );
    expect(subscribed).toHaveLength(1);
  });

  it('refuses a body that is not an update', async () => {
    expect((await post({ hello: 'world' }, TEST_WEBHOOK_SECRET).expect(400)).body.code).toBe(
      'INVALID_UPDATE',
    );
  });
});

describe('The bot when Telegram cannot be reached', () => {
  let api: ApiHarness;

  afterEach(async () => api.close());

  it('starts anyway, serves the REST API, reports why in readiness, and starts polling once Telegram answers', async () => {
    api = await startApi({ telegramRejectsToken: true });
    await waitUntil(
      async () => (await readiness(api)).telegram?.message?.includes('Unauthorized') === true,
      10_000,
      'the bot to retry',
    );
    const ready = await readiness(api);
    // Telegram away: degraded, and still ready (200) for the REST API.
    expect(ready).toMatchObject({
      httpStatus: 200,
      status: 'degraded',
      telegram: { status: 'degraded', message: expect.stringContaining('Unauthorized') },
    });
    await request(api.server).get('/pending-messages').set(auth).expect(200);

    api.telegram.acceptedToken = undefined;
    await waitUntil(
      async () => (await readiness(api)).telegram?.mode === 'polling',
      15_000,
      'the bot to poll',
    );
  });
});

async function readiness(api: ApiHarness): Promise<{
  httpStatus: number;
  status: string;
  telegram: { status: string; mode?: string; message?: string } | undefined;
}> {
  const response = await request(api.server).get('/health/ready');
  return {
    httpStatus: response.status,
    status: response.body.status,
    telegram: response.body.details?.telegram,
  };
}
