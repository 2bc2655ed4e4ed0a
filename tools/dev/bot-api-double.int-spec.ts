import { BotApiDouble } from './bot-api-double';
import { BotApiDoubleProcess } from './bot-api-double-remote';

describe('BotApiDouble flood control', () => {
  const telegram = new BotApiDouble();
  let url: string;

  beforeAll(async () => {
    url = await telegram.start();
  });
  afterAll(() => telegram.stop());
  beforeEach(() => {
    telegram.calls.length = 0;
  });

  const send = async (chatId: string, paid = false) => {
    const response = await fetch(`${url}/bot123:token/sendMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        chat_id: chatId,
        text: 'hi',
        ...(paid ? { allow_paid_broadcast: true } : {}),
      }),
    });
    return {
      status: response.status,
      body: (await response.json()) as { parameters?: { retry_after?: number } },
    };
  };

  it('answers 429 with retry_after beyond the sends allowed in a second', async () => {
    telegram.enforcedLimits = { perSecond: 3, chatIntervalMs: 1000 };
    const answers = [];
    for (let chat = 1; chat <= 4; chat++) answers.push(await send(String(100 + chat)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect(answers[3]!.body.parameters?.retry_after).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await send('105')).status).toBe(200);
  });

  it('answers 429 to a second send to one private chat within its interval, not to a group', async () => {
    telegram.enforcedLimits = { perSecond: 30, chatIntervalMs: 1000 };
    expect((await send('200')).status).toBe(200);
    expect((await send('200')).status).toBe(429);
    expect((await send('-300')).status).toBe(200);
    expect((await send('-300')).status).toBe(200);
  });

  it('counts paid broadcasts against the paid limit, and every send against it too', async () => {
    // The sends of the tests before have left the last second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    telegram.enforcedLimits = { perSecond: 2, chatIntervalMs: 1000, paidPerSecond: 5 };
    const free = [await send('501'), await send('502'), await send('503')];
    expect(free.map((answer) => answer.status)).toEqual([200, 200, 429]);
    // Beyond the free limit, paid sends go on, up to the paid limit counting the free ones.
    const paid = [];
    for (let chat = 504; chat <= 508; chat++) paid.push(await send(String(chat), true));
    expect(paid.map((answer) => answer.status)).toEqual([200, 200, 200, 429, 429]);
    expect(telegram.calls.filter((call) => call.paidBroadcast).length).toBe(5);
    expect(telegram.limitViolations(2, 20, 5)).toEqual({ bot: 0, chat: 0, group: 0 });
  });

  it('takes an album as Telegram does: 2 to 10 of a class, the caption read, each item a send for the bot, one for the chat', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    telegram.enforcedLimits = { perSecond: 4, chatIntervalMs: 1000 };
    const album = async (chatId: string, media: unknown[]) => {
      const form = new FormData();
      form.set('chat_id', chatId);
      form.set('media', JSON.stringify(media));
      media.forEach((_, index) =>
        form.set(`file${index}`, new Blob([`bytes ${index}`]), `f${index}.jpg`),
      );
      const response = await fetch(`${url}/bot123:token/sendMediaGroup`, {
        method: 'POST',
        body: form,
      });
      return {
        status: response.status,
        body: (await response.json()) as {
          description?: string;
          result?: { message_id: number; caption?: string }[];
        },
      };
    };
    const photo = (index: number, caption?: string) => ({
      type: 'photo',
      media: `attach://file${index}`,
      ...(caption !== undefined ? { caption, parse_mode: 'HTML' } : {}),
    });
    const sent = await album('601', [photo(0, '<b>Hi</b>'), photo(1), photo(2)]);
    expect(sent.status).toBe(200);
    expect(sent.body.result?.map((message) => message.caption)).toEqual([
      'Hi',
      undefined,
      undefined,
    ]);
    // Three of the bot's four a second are taken: an album of two more is one too many.
    expect((await album('602', [photo(0), photo(1)])).status).toBe(429);
    // One album in a chat: one send for the chat's limit, its three items three for the bot's.
    expect(telegram.limitViolations(4)).toEqual({ bot: 0, chat: 0, group: 0 });
    expect(telegram.delivered('601')).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    telegram.enforcedLimits = undefined;
    for (const [media, problem] of [
      [[photo(0)], 'wrong number of media'],
      [Array.from({ length: 11 }, (_, index) => photo(index)), 'wrong number of media'],
      [[photo(0), { type: 'audio', media: 'attach://file1' }], "can't be mixed"],
      [[photo(0, 'x'.repeat(1025)), photo(1)], 'caption is too long'],
      [[photo(0, '<b>open'), photo(1)], "can't parse entities"],
    ] as const) {
      const refused = await album('603', [...media]);
      expect(refused.status).toBe(400);
      expect(refused.body.description).toContain(problem);
    }
  });

  it("describes each window over the bot's limit: its span, the gaps between its sends", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    telegram.enforcedLimits = undefined;
    for (let chat = 901; chat <= 904; chat++) await send(String(chat));
    const windows = telegram.botViolationWindows(3);
    expect(windows).toHaveLength(1);
    expect(windows[0]).toMatch(/^4 sends in \d+ ms from .*; gaps \d+,\d+,\d+ ms; sendMessage×4; /);
  });

  it('lets everything through without limits set', async () => {
    telegram.enforcedLimits = undefined;
    for (let n = 0; n < 5; n++) expect((await send('400')).status).toBe(200);
  });
});

describe('BotApiDouble inline keyboards, edits and callback queries', () => {
  const telegram = new BotApiDouble();
  let url: string;

  beforeAll(async () => {
    url = await telegram.start();
  });
  afterAll(() => telegram.stop());

  const call = async (method: string, body: Record<string, unknown>) => {
    const response = await fetch(`${url}/bot123:token/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      body: (await response.json()) as { description?: string; result?: { message_id?: number } },
    };
  };
  const keyboard = (data: string) => ({
    inline_keyboard: [[{ text: 'News', callback_data: data }]],
  });

  it('refuses what Telegram refuses in a keyboard: data over 64 bytes, a button without action, a bad URL', async () => {
    const bad = [
      keyboard('x'.repeat(65)),
      { inline_keyboard: [[{ text: 'plain' }]] },
      { inline_keyboard: [[{ text: 'site', url: 'javascript:alert(1)' }]] },
      { inline_keyboard: [[{ text: '', callback_data: 'a' }]] },
    ];
    const answers = [];
    for (const markup of bad) {
      answers.push(
        (await call('sendMessage', { chat_id: 7, text: 'hi', reply_markup: markup })).body
          .description,
      );
    }
    expect(answers).toEqual([
      'Bad Request: BUTTON_DATA_INVALID',
      'Bad Request: text buttons are unallowed in the inline keyboard',
      'Bad Request: BUTTON_URL_INVALID',
      'Bad Request: can\'t find field "text"',
    ]);
    expect(
      (
        await call('sendMessage', {
          chat_id: 7,
          text: 'hi',
          reply_markup: keyboard('x'.repeat(64)),
        })
      ).status,
    ).toBe(200);
  });

  it('edits a message of the bot, refusing an edit that changes nothing and a message it never sent', async () => {
    const sent = await call('sendMessage', {
      chat_id: 8,
      text: 'one',
      reply_markup: keyboard('a'),
    });
    const messageId = sent.body.result!.message_id!;
    const edit = (text: string, data: string) =>
      call('editMessageText', {
        chat_id: 8,
        message_id: messageId,
        text,
        reply_markup: keyboard(data),
      });
    expect((await edit('one', 'a')).body.description).toMatch(
      /^Bad Request: message is not modified/,
    );
    expect((await edit('two', 'a')).status).toBe(200);
    expect(telegram.messageIn('8', messageId)).toEqual({
      text: 'two',
      entities: [],
      replyMarkup: keyboard('a'),
    });
    expect(
      (
        await call('editMessageReplyMarkup', {
          chat_id: 8,
          message_id: messageId,
          reply_markup: keyboard('b'),
        })
      ).status,
    ).toBe(200);
    expect(telegram.messageIn('8', messageId)?.replyMarkup).toEqual(keyboard('b'));
    expect(
      (await call('editMessageText', { chat_id: 9, message_id: messageId, text: 'x' })).body
        .description,
    ).toBe('Bad Request: message to edit not found');
  });

  it('deletes up to 100 messages of a chat in one call, skipping those gone; none found is refused', async () => {
    const ids: number[] = [];
    for (const text of ['a', 'b']) {
      ids.push((await call('sendMessage', { chat_id: 10, text })).body.result!.message_id!);
    }
    const deleteMessages = (messageIds: unknown) =>
      call('deleteMessages', { chat_id: 10, message_ids: messageIds });
    expect((await deleteMessages([ids[0], 999_999])).status).toBe(200);
    expect(telegram.messageIn('10', ids[0]!)).toBeUndefined();
    expect(telegram.messageIn('10', ids[1]!)?.text).toBe('b');
    expect((await deleteMessages([ids[0]])).body.description).toBe(
      'Bad Request: message to delete not found',
    );
    expect((await deleteMessages([])).status).toBe(400);
    expect((await deleteMessages(Array.from({ length: 101 }, (_, n) => n + 1))).status).toBe(400);
    expect((await deleteMessages(ids)).status).toBe(200);
    expect(telegram.messageIn('10', ids[1]!)).toBeUndefined();
    expect(
      telegram.calls.filter((recorded) => recorded.method === 'deleteMessages').at(-1)?.messageIds,
    ).toEqual(ids);
  });

  it('answers a callback query once; an unknown or answered one is refused', async () => {
    const sent = await call('sendMessage', {
      chat_id: 10,
      text: 'pick',
      reply_markup: keyboard('a'),
    });
    const id = telegram.pushCallbackQuery('10', sent.body.result!.message_id!, 'a');
    expect(
      (await call('answerCallbackQuery', { callback_query_id: id, text: 'done' })).status,
    ).toBe(200);
    const again = await call('answerCallbackQuery', { callback_query_id: id });
    expect(again.body.description).toBe(
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    );
    expect(telegram.calls.at(-2)).toMatchObject({ callbackQueryId: id, text: 'done', status: 200 });
  });

  it('takes a press from a person trying the bot through /_updates, and hands it out', async () => {
    const sent = await call('sendMessage', {
      chat_id: 11,
      text: 'pick',
      reply_markup: keyboard('b'),
    });
    const pressed = await fetch(`${url}/_updates`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        chat_id: 11,
        message_id: sent.body.result!.message_id,
        callback_data: 'b',
      }),
    });
    const { callback_query_id: id } = (await pressed.json()) as { callback_query_id: string };
    const updates = (await call('getUpdates', {})).body as unknown as {
      result: { callback_query?: { id: string; data: string; message: { text: string } } }[];
    };
    expect(updates.result.at(-1)?.callback_query).toMatchObject({
      id,
      data: 'b',
      message: { text: 'pick' },
    });
    expect((await call('answerCallbackQuery', { callback_query_id: id })).status).toBe(200);
  });
});

describe('BotApiDouble formatting (parse_mode)', () => {
  const telegram = new BotApiDouble();
  let url: string;

  beforeAll(async () => {
    url = await telegram.start();
  });
  afterAll(() => telegram.stop());

  const send = async (fields: Record<string, unknown>) => {
    const response = await fetch(`${url}/bot123:token/sendMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ chat_id: 700, ...fields }),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        description?: string;
        result?: { message_id: number; text: string; entities?: unknown[] };
      },
    };
  };

  it('shows an HTML text without its tags, with its entities, and records what the chat shows', async () => {
    const sent = await send({
      text: '<b>Hi</b> <a href="https://x.org">there</a>',
      parse_mode: 'HTML',
    });
    expect(sent.status).toBe(200);
    expect(sent.body.result?.text).toBe('Hi there');
    expect(sent.body.result?.entities).toEqual([
      { type: 'bold', offset: 0, length: 2 },
      { type: 'text_link', offset: 3, length: 5, url: 'https://x.org' },
    ]);
    expect(telegram.calls.at(-1)?.shown).toEqual({
      text: 'Hi there',
      entities: [
        { type: 'bold', offset: 0, length: 2 },
        { type: 'text_link', offset: 3, length: 5, url: 'https://x.org' },
      ],
    });
    expect(telegram.messageIn('700', sent.body.result!.message_id)?.text).toBe('Hi there');
  });

  it("refuses markup it cannot read as Telegram does: can't parse entities, at a byte offset", async () => {
    const html = await send({ text: 'Grüße <b>x</i>', parse_mode: 'html' });
    expect(html).toEqual({
      status: 400,
      body: expect.objectContaining({
        description:
          'Bad Request: can\'t parse entities: unmatched end tag: expected "</b>", found "</i>" at byte offset 12',
      }),
    });
    const markdown = await send({ text: 'Price 1.5', parse_mode: 'MarkdownV2' });
    expect(markdown.body.description).toContain(
      'can\'t parse entities: the character "." is reserved',
    );
    expect((await send({ text: '<b></b>', parse_mode: 'HTML' })).body.description).toBe(
      'Bad Request: message text is empty',
    );
    expect((await send({ text: 'x', parse_mode: 'Whatever' })).body.description).toBe(
      'Bad Request: unsupported parse_mode',
    );
    // Without a parse mode, markup is text.
    expect((await send({ text: 'Price 1.5 <b>' })).body.result?.text).toBe('Price 1.5 <b>');
  });
});

describe('BotApiDoubleProcess (the double in a process of its own)', () => {
  let double: BotApiDoubleProcess;

  beforeAll(async () => {
    double = await BotApiDoubleProcess.start();
  });
  afterAll(() => double.stop());

  const send = async (chatId: string) =>
    (
      await fetch(`${double.url}/bot123:token/sendMessage`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ chat_id: chatId, text: 'hi' }),
      })
    ).status;

  it('takes failures and blocked chats over its control routes, and answers what it received', async () => {
    await double.failNext(1, { status: 502, description: 'Bad Gateway' });
    await double.block('202');
    expect([await send('201'), await send('201'), await send('202'), await send('203')]).toEqual([
      502, 200, 403, 200,
    ]);
    expect((await double.calls()).map((call) => [call.chatId, call.status])).toEqual([
      ['201', 502],
      ['201', 200],
      ['202', 403],
      ['203', 200],
    ]);
    expect((await double.delivered()).map((call) => call.chatId)).toEqual(['201', '203']);
    // Two sends to chat 201 within a second (the double enforcing no limits): a breach of the chat's.
    expect(await double.limitViolations()).toEqual({ bot: 0, chat: 1, group: 0 });
    expect(await double.loopMaxMs()).toBeGreaterThanOrEqual(0);
  });
});
