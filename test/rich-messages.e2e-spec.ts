import request from 'supertest';
import {
  auth,
  firstOccurrenceMessage,
  sentMessage,
  startChat,
  subscribeChat,
} from './support/api-calls';
import { TestSystem, waitUntil } from './support/system';
import { chatMembershipUpdate } from './support/telegram-updates';

describe('Messages as Telegram shows them: send options', () => {
  const system = new TestSystem(1000);
  let chatCounter = 800_000;

  beforeAll(async () => {
    await system.start();
    system.spawn('scheduler');
    system.spawn('delivery');
  });
  afterAll(async () => system.stop());

  const subscriber = () => subscribeChat(system, String(++chatCounter));

  // Files whose bytes say what they are (the type is decided from them): the heads of a JPEG
  // image, an MP4 video and an MP3 song.
  const jpegOf = (fill: number) =>
    Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]),
      Buffer.alloc(64, fill),
    ]);
  const mp4 = Buffer.concat([
    Buffer.from([0x00, 0x00, 0x00, 0x18]),
    Buffer.from('ftypisom'),
    Buffer.from([0x00, 0x00, 0x02, 0x00]),
    Buffer.from('isomiso2'),
    Buffer.alloc(64, 2),
  ]);
  const mp3 = Buffer.concat([
    Buffer.from('ID3'),
    Buffer.from([0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
    Buffer.from([0xff, 0xfb, 0x90, 0x64]),
    Buffer.alloc(400, 0),
  ]);

  function schedule(
    fields: Record<string, string>,
    files: { name: string; content: Buffer }[] = [],
  ) {
    let call = request(system.server)
      .post('/schedule-message')
      .set(auth)
      .field('scheduled_timestamp', new Date(Date.now() + 1500).toISOString());
    for (const [name, value] of Object.entries(fields)) call = call.field(name, value);
    for (const file of files) call = call.attach('files', file.content, file.name);
    return call;
  }

  it('sends the text and each file silently, protected, in the forum topic, without a link preview, and says so', async () => {
    const { userId, chatId } = await subscriber();
    const scheduled = await schedule(
      {
        target_user_id: userId,
        message: 'Release notes: https://example.com/notes',
        disable_notification: 'true',
        protect_content: 'true',
        message_thread_id: '42',
        link_preview: 'off',
      },
      [{ name: 'notes.txt', content: Buffer.from('the notes') }],
    ).expect(200);
    expect(scheduled.body).toMatchObject({
      disable_notification: true,
      protect_content: true,
      message_thread_id: 42,
      link_preview: 'off',
    });
    const sent = await sentMessage(system, scheduled.body.id);
    expect(sent).toMatchObject({ disable_notification: true, message_thread_id: 42 });
    const [text, document] = system.telegram.delivered(chatId);
    expect(text).toMatchObject({
      method: 'sendMessage',
      display: {
        disableNotification: true,
        protectContent: true,
        messageThreadId: 42,
        linkPreviewOptions: { is_disabled: true },
      },
    });
    // A document has no link preview; the rest holds for it too.
    expect(document).toMatchObject({
      method: 'sendDocument',
      fileName: 'notes.txt',
      display: { disableNotification: true, protectContent: true, messageThreadId: 42 },
    });
    expect(document?.display).not.toHaveProperty('linkPreviewOptions');
    // The log keeps them with the message, for the audit.
    const [first] = (
      await request(system.server).get(`/messages/${scheduled.body.id}/events`).set(auth)
    ).body as { type: string; data: Record<string, unknown> }[];
    expect(first).toMatchObject({
      type: 'MessageScheduled',
      data: {
        sendOptions: {
          disableNotification: true,
          protectContent: true,
          messageThreadId: 42,
          linkPreview: 'off',
        },
      },
    });
  });

  it("previews the page given, and sends with Telegram's defaults when no option is given", async () => {
    const { userId, chatId } = await subscriber();
    const previewed = await schedule({
      target_user_id: userId,
      message: 'See the announcement',
      link_preview: 'https://example.com/announcement',
    }).expect(200);
    expect(previewed.body.link_preview).toBe('https://example.com/announcement');
    const plain = await schedule({ target_user_id: userId, message: 'Plain' }).expect(200);
    expect(plain.body).toMatchObject({
      disable_notification: false,
      protect_content: false,
      message_thread_id: null,
      link_preview: 'on',
    });
    await sentMessage(system, previewed.body.id);
    await sentMessage(system, plain.body.id);
    const calls = system.telegram.delivered(chatId);
    expect(calls.find((call) => call.text === 'See the announcement')?.display).toEqual({
      linkPreviewOptions: { url: 'https://example.com/announcement' },
    });
    expect(calls.find((call) => call.text === 'Plain')).not.toHaveProperty('display');
  });

  it('puts the rows of URL buttons under the text, not under the files', async () => {
    const { userId, chatId } = await subscriber();
    const buttons = [
      [
        { text: 'Read more', url: 'https://example.com/notes' },
        { text: 'Channel', url: 'tg://resolve?domain=news' },
      ],
      [{ text: 'Status', url: 'https://status.example.com' }],
    ];
    const scheduled = await schedule(
      { target_user_id: userId, message: 'With buttons', buttons: JSON.stringify(buttons) },
      [{ name: 'a.txt', content: Buffer.from('a') }],
    ).expect(200);
    expect(scheduled.body.buttons).toEqual(buttons);
    await sentMessage(system, scheduled.body.id);
    const [text, document] = system.telegram.delivered(chatId);
    expect(text).toMatchObject({
      text: 'With buttons',
      replyMarkup: { inline_keyboard: buttons },
    });
    expect(document).not.toHaveProperty('replyMarkup');
    const plain = await schedule({ target_user_id: userId, message: 'No buttons' }).expect(200);
    expect(plain.body.buttons).toEqual([]);
  });

  it('sends an HTML text with two URL buttons: the chat shows it formatted, the answers and the log say HTML', async () => {
    const { userId, chatId } = await subscriber();
    const buttons = [
      [
        { text: 'Agenda', url: 'https://example.com/agenda' },
        { text: 'Map', url: 'https://example.com/map' },
      ],
    ];
    const message =
      '<b>Team day</b> at <a href="https://example.com/venue">the venue</a> &amp; online';
    const scheduled = await schedule({
      target_user_id: userId,
      message,
      parse_mode: 'html',
      buttons: JSON.stringify(buttons),
    }).expect(200);
    expect(scheduled.body).toMatchObject({ message, parse_mode: 'HTML', buttons });
    expect(await sentMessage(system, scheduled.body.id)).toMatchObject({ parse_mode: 'HTML' });
    const [text] = system.telegram.delivered(chatId);
    expect(text).toMatchObject({
      method: 'sendMessage',
      text: message,
      parseMode: 'HTML',
      shown: {
        text: 'Team day at the venue & online',
        entities: [
          { type: 'bold', offset: 0, length: 8 },
          { type: 'text_link', offset: 12, length: 9, url: 'https://example.com/venue' },
        ],
      },
      replyMarkup: { inline_keyboard: buttons },
    });
    const [first] = (
      await request(system.server).get(`/messages/${scheduled.body.id}/events`).set(auth)
    ).body as { type: string; data: { sendOptions: Record<string, unknown> } }[];
    expect(first?.data.sendOptions).toMatchObject({ parseMode: 'HTML' });
  });

  it("fills in each recipient's template variables, escaped for HTML, under two URL buttons", async () => {
    const ann = await startChat(system, ++chatCounter, {
      firstName: 'Ann',
      lastName: 'Lee',
      username: 'ann_lee',
    });
    const bob = await startChat(system, ++chatCounter, { firstName: 'Bob <&> Co' });
    // Subscribed on the API: only its chat name is known, and stands for its first name.
    const ops = await subscriber();
    const buttons = [
      [
        { text: 'Agenda', url: 'https://example.com/agenda' },
        { text: 'Map', url: 'https://example.com/map' },
      ],
    ];
    const message = '<b>Hi {{first_name}}</b>{{ last_name }}! Your handle: <i>{{username}}</i>.';
    const scheduled = await schedule({
      target_user_id: [ann.userId, bob.userId, ops.userId].join(','),
      message,
      parse_mode: 'HTML',
      buttons: JSON.stringify(buttons),
    }).expect(200);
    // The message keeps its template; each recipient gets their own text.
    expect(scheduled.body.message).toBe(message);
    await sentMessage(system, scheduled.body.id);
    const shown = (chatId: string) => {
      // The bot's welcome went to the chats that pressed /start: the message is the HTML one.
      const call = system.telegram.delivered(chatId).find((sent) => sent.parseMode === 'HTML');
      expect(call?.replyMarkup).toEqual({ inline_keyboard: buttons });
      return call?.shown;
    };
    expect(shown(ann.chatId)).toEqual({
      text: 'Hi AnnLee! Your handle: ann_lee.',
      entities: [
        { type: 'bold', offset: 0, length: 6 },
        { type: 'italic', offset: 24, length: 7 },
      ],
    });
    expect(shown(bob.chatId)?.text).toBe('Hi Bob <&> Co! Your handle: .');
    expect(shown(ops.chatId)?.text).toBe(`Hi chat-${ops.chatId}! Your handle: .`);
    // A variable the system does not know is refused when the message is accepted.
    const unknown = await schedule({
      target_user_id: ann.userId,
      message: '<b>Hi {{firstname}}</b>',
      parse_mode: 'HTML',
    }).expect(400);
    expect(unknown.body).toMatchObject({
      code: 'UNKNOWN_TEMPLATE_VARIABLE',
      details: { field: 'message', variable: 'firstname', offset: 6 },
    });
  });

  it('sends MarkdownV2 as Telegram reads it, and a plain text (the default) as written', async () => {
    const { userId, chatId } = await subscriber();
    const markdown = await schedule({
      target_user_id: userId,
      message: '*Price* drops to 9\\.99\\!',
      parse_mode: 'MarkdownV2',
    }).expect(200);
    const plain = await schedule({ target_user_id: userId, message: '*Price* 9.99 <b>' }).expect(
      200,
    );
    expect(plain.body.parse_mode).toBe('plain');
    await sentMessage(system, markdown.body.id);
    await sentMessage(system, plain.body.id);
    const calls = system.telegram.delivered(chatId);
    expect(calls.find((call) => call.parseMode === 'MarkdownV2')?.shown).toEqual({
      text: 'Price drops to 9.99!',
      entities: [{ type: 'bold', offset: 0, length: 5 }],
    });
    const plainCall = calls.find((call) => call.text === '*Price* 9.99 <b>');
    expect(plainCall).not.toHaveProperty('parseMode');
  });

  it.each([
    ['HTML', 'Hello <b>team</i>', 13, 'unmatched end tag: expected "</b>", found "</i>"'],
    ['HTML', 'Bring <snacks>', 6, 'unsupported start tag "snacks"'],
    [
      'MarkdownV2',
      'Price 9.99',
      7,
      'the character "." is reserved and must be escaped with a preceding "\\"',
    ],
    ['MarkdownV2', 'ok *bold', 3, 'can\'t find the end of the bold entity opened by "*"'],
  ])(
    'refuses %s it cannot read (%j) with INVALID_FORMATTING naming the offset and the problem, storing nothing',
    async (parseMode, message, offset, problem) => {
      const { userId } = await subscriber();
      const response = await schedule({
        target_user_id: userId,
        message,
        parse_mode: parseMode,
      }).expect(400);
      expect(response.body).toMatchObject({
        code: 'INVALID_FORMATTING',
        details: { field: 'message', parse_mode: parseMode, offset, problem },
      });
      expect(response.body.detail).toContain(`at offset ${offset}`);
      expect((await system.events()).filter((event) => event.data.text === message)).toEqual([]);
    },
  );

  it('counts the length after the markup, and refuses a text the markup leaves empty', async () => {
    const { userId } = await subscriber();
    const long = `<b>${'x'.repeat(4096)}</b>`;
    const accepted = await schedule({
      target_user_id: userId,
      message: long,
      parse_mode: 'HTML',
    });
    expect(accepted.status).toBe(200);
    const empty = await schedule({
      target_user_id: userId,
      message: '<b> </b>',
      parse_mode: 'HTML',
    }).expect(400);
    expect(empty.body.code).toBe('MISSING_MESSAGE');
    const legacy = await schedule({
      target_user_id: userId,
      message: '*x*',
      parse_mode: 'Markdown',
    }).expect(400);
    expect(legacy.body).toMatchObject({
      code: 'INVALID_SEND_OPTION',
      details: { field: 'parse_mode' },
    });
    await sentMessage(system, accepted.body.id);
  });

  it('checks a series text in its parse mode when it is created and when either changes', async () => {
    const { userId } = await subscriber();
    const created = await request(system.server)
      .post('/series')
      .set(auth)
      .field('target_user_id', userId)
      .field('message', '<i>Weekly</i> 1.5')
      .field('parse_mode', 'HTML')
      .field('rrule', 'FREQ=WEEKLY;COUNT=2')
      .field('dtstart', '2027-01-04T09:00')
      .field('time_zone', 'Europe/Berlin')
      .expect(201);
    expect(created.body.parse_mode).toBe('HTML');
    // The same text read as MarkdownV2: its first ">" is markup there, not at a line's start.
    const refused = await request(system.server)
      .patch(`/series/${created.body.id}`)
      .set(auth)
      .send({ parse_mode: 'MarkdownV2' })
      .expect(400);
    expect(refused.body).toMatchObject({
      code: 'INVALID_FORMATTING',
      details: { parse_mode: 'MarkdownV2', offset: 2 },
    });
    const broken = await request(system.server)
      .patch(`/series/${created.body.id}`)
      .set(auth)
      .send({ message: '<i>Weekly' })
      .expect(400);
    expect(broken.body.details).toMatchObject({ parse_mode: 'HTML', offset: 0 });
    const changed = await request(system.server)
      .patch(`/series/${created.body.id}`)
      .set(auth)
      .send({ message: '_Weekly_ 1\\.5', parse_mode: 'MarkdownV2' })
      .expect(200);
    expect(changed.body).toMatchObject({ message: '_Weekly_ 1\\.5', parse_mode: 'MarkdownV2' });
    await request(system.server).delete(`/series/${created.body.id}`).set(auth).expect(200);
  });

  it('subscribes a channel when the bot is made its administrator and a group when added, posts there, and ends them when removed', async () => {
    const channel = {
      id: -1_009_000_000_000 - chatCounter,
      type: 'channel' as const,
      title: 'Release notes',
    };
    const group = { id: -900_000 - chatCounter, type: 'group' as const, title: 'Ops team' };
    const subscriberOf = async (chatId: number) =>
      (await request(system.server).get('/subscribed-users').set(auth).expect(200)).body.find(
        (subscriber: { chat_id: string }) => subscriber.chat_id === String(chatId),
      ) as { user_id: string } | undefined;
    // Added to the channel as a plain member a bot cannot post: nothing yet.
    system.telegram.pushUpdate(chatMembershipUpdate(channel, { from: 'left', to: 'member' }));
    system.telegram.pushUpdate(
      chatMembershipUpdate(channel, { from: 'member', to: 'administrator', by: 77 }),
    );
    system.telegram.pushUpdate(chatMembershipUpdate(group, { from: 'left', to: 'member' }));
    await waitUntil(
      async () =>
        (await subscriberOf(channel.id)) !== undefined &&
        (await subscriberOf(group.id)) !== undefined,
      10_000,
      'the channel and the group to be subscribed',
    );
    const inChannel = (await subscriberOf(channel.id))!.user_id;
    const inGroup = (await subscriberOf(group.id))!.user_id;
    expect(
      (await request(system.server).get(`/subscribers/${inChannel}`).set(auth).expect(200)).body,
    ).toMatchObject({
      chat_name: 'Release notes',
      chat_type: 'channel',
      status: 'active',
    });
    expect(
      (await request(system.server).get(`/subscribers/${inGroup}`).set(auth)).body.chat_type,
    ).toBe('group');
    const [subscribed] = (
      await request(system.server).get(`/subscribers/${inChannel}/events`).set(auth)
    ).body;
    expect(subscribed).toMatchObject({
      type: 'UserSubscribed',
      data: { chatType: 'channel' },
      metadata: { actor: 'telegram:77' },
    });
    const scheduled = await schedule({
      target_user_id: `${inChannel},${inGroup}`,
      message: '<b>v2.1</b> is out',
      parse_mode: 'HTML',
      disable_notification: 'true',
    }).expect(200);
    await sentMessage(system, scheduled.body.id);
    for (const chat of [channel, group]) {
      expect(system.telegram.delivered(String(chat.id))).toEqual([
        expect.objectContaining({ shown: expect.objectContaining({ text: 'v2.1 is out' }) }),
      ]);
    }
    // Removed from the channel: its subscription ends, with the reason.
    system.telegram.pushUpdate(
      chatMembershipUpdate(channel, { from: 'administrator', to: 'left' }),
    );
    await waitUntil(
      async () =>
        (await request(system.server).get(`/subscribers/${inChannel}`).set(auth)).body.status ===
        'unsubscribed',
      10_000,
      'the channel to be unsubscribed',
    );
    expect(
      (await request(system.server).get(`/subscribers/${inChannel}`).set(auth)).body
        .unsubscribe_reason,
    ).toBe('removed');
  });

  it('edits a sent message in three chats, keeping its buttons, then recalls every copy; a chat that refuses is recorded', async () => {
    const chats = [await subscriber(), await subscriber(), await subscriber()];
    const buttons = [[{ text: 'Details', url: 'https://example.com/details' }]];
    const scheduled = await schedule(
      {
        target_user_id: chats.map((chat) => chat.userId).join(','),
        message: 'Maintenance at <b>21:00</b>',
        parse_mode: 'HTML',
        buttons: JSON.stringify(buttons),
      },
      [{ name: 'plan.txt', content: Buffer.from('the plan') }],
    ).expect(200);
    const id = scheduled.body.id as string;
    await sentMessage(system, id);
    const textIn = (chatId: string) =>
      system.telegram.delivered(chatId).find((call) => call.method === 'sendMessage')!.messageId!;
    const details = async () =>
      (await request(system.server).get(`/messages/${id}`).set(auth).expect(200)).body as {
        edited_at: string | null;
        recalled_at: string | null;
        recipients: { user_id: string; revision: string | null; revision_reason: string | null }[];
      };
    const revisions = async () =>
      (await details()).recipients.map((recipient) => recipient.revision);

    const edited = await request(system.server)
      .patch(`/messages/${id}`)
      .set(auth)
      .send({ message: 'Maintenance moved to <b>22:00</b>' })
      .expect(200);
    expect(edited.body).toMatchObject({ message: 'Maintenance moved to <b>22:00</b>' });
    expect(edited.body.edited_at).toEqual(expect.any(String));
    await waitUntil(
      async () => (await revisions()).every((revision) => revision === 'edited'),
      15_000,
      'every chat to be edited',
    );
    for (const { chatId } of chats) {
      expect(system.telegram.messageIn(chatId, textIn(chatId))).toEqual({
        text: 'Maintenance moved to 22:00',
        entities: [{ type: 'bold', offset: 21, length: 5 }],
        replyMarkup: { inline_keyboard: buttons },
      });
    }
    // Markup Telegram cannot read is refused for an edit too, and nothing changes.
    const broken = await request(system.server)
      .patch(`/messages/${id}`)
      .set(auth)
      .send({ message: '<b>22:00' })
      .expect(400);
    expect(broken.body.code).toBe('INVALID_FORMATTING');

    // The third chat refuses the deletion of its text: recorded, not tried again.
    system.telegram.failNext(1, {
      status: 400,
      description: "Bad Request: message can't be deleted for everyone",
      method: 'deleteMessages',
      chatId: chats[2]!.chatId,
    });
    const recalled = await request(system.server)
      .post(`/messages/${id}/recall`)
      .set(auth)
      .expect(200);
    expect(recalled.body.recalled_at).toEqual(expect.any(String));
    await waitUntil(
      async () => (await revisions()).every((revision) => revision?.startsWith('recall')),
      15_000,
      'every copy to be recalled',
    );
    expect(await revisions()).toEqual(['recalled', 'recalled', 'recall_failed']);
    expect((await details()).recipients[2]?.revision_reason).toContain("can't be deleted");
    for (const { chatId } of chats.slice(0, 2)) {
      // The text and the file are gone from the chat.
      expect(system.telegram.messageIn(chatId, textIn(chatId))).toBeUndefined();
      const deletes = system.telegram.calls.filter(
        (call) => call.method === 'deleteMessages' && call.chatId === chatId,
      );
      // The text and the file, in one call.
      expect(deletes.map((call) => [call.status, call.messageIds?.length])).toEqual([[200, 2]]);
    }
    // A recalled message changes no more.
    for (const attempt of [
      request(system.server).post(`/messages/${id}/recall`).set(auth),
      request(system.server).patch(`/messages/${id}`).set(auth).send({ message: 'again' }),
    ]) {
      const refused = await attempt.expect(409);
      expect(refused.body.code).toBe('MESSAGE_NOT_EDITABLE');
    }
    // The audit tells the story, chat by chat.
    const types = (
      (await request(system.server).get(`/messages/${id}/events`).set(auth)).body as {
        type: string;
      }[]
    ).map((event) => event.type);
    expect(types.filter((type) => type === 'RecipientEdited')).toHaveLength(3);
    expect(types.filter((type) => type === 'RecipientRecalled')).toHaveLength(2);
    expect(types).toContain('RecipientRecallFailed');
  });

  it('deletes a message with delete_after from every chat once its seconds have run out', async () => {
    const first = await subscriber();
    const second = await subscriber();
    const scheduled = await schedule(
      {
        target_user_id: `${first.userId},${second.userId}`,
        message: 'This code expires soon: 4711',
        delete_after: '2',
      },
      [{ name: 'code.txt', content: Buffer.from('4711') }],
    ).expect(200);
    expect(scheduled.body.delete_after).toBe(2);
    const id = scheduled.body.id as string;
    await sentMessage(system, id);
    await waitUntil(
      async () =>
        (
          (await request(system.server).get(`/messages/${id}`).set(auth)).body.recipients as {
            revision: string | null;
          }[]
        ).every((recipient) => recipient.revision === 'recalled'),
      20_000,
      'the message to be recalled by its delete_after',
    );
    for (const { chatId } of [first, second]) {
      const deletes = system.telegram.calls.filter(
        (call) => call.method === 'deleteMessages' && call.chatId === chatId,
      );
      // The text and the file, in one call.
      expect(deletes.map((call) => [call.status, call.messageIds?.length])).toEqual([[200, 2]]);
    }
    const events = (await request(system.server).get(`/messages/${id}/events`).set(auth)).body as {
      type: string;
      data: Record<string, unknown>;
      metadata: { actor: string };
    }[];
    const due = events.find((event) => event.type === 'MessageDue') as unknown as {
      recorded_at: string;
    };
    const recalled = events.find((event) => event.type === 'MessageRecalled') as unknown as {
      data: { automatic: boolean };
      metadata: { actor: string };
      recorded_at: string;
    };
    expect(recalled).toMatchObject({ data: { automatic: true }, metadata: { actor: 'scheduler' } });
    // Not before its two seconds had run out.
    expect(Date.parse(recalled.recorded_at) - Date.parse(due.recorded_at)).toBeGreaterThanOrEqual(
      2000,
    );
    const refused = await schedule({
      target_user_id: first.userId,
      message: 'Too long to keep',
      delete_after: String(48 * 3600),
    }).expect(400);
    expect(refused.body).toMatchObject({
      code: 'INVALID_SEND_OPTION',
      details: { field: 'delete_after' },
    });
  });

  it('previews a message in the sender’s own chat, as a recipient would get it, without scheduling anything', async () => {
    const own = await startChat(system, ++chatCounter, { firstName: 'Olga' });
    const recipient = await startChat(system, ++chatCounter, {
      firstName: 'Pat',
      username: 'pat_t',
    });
    const buttons = [[{ text: 'Open', url: 'https://example.com/report' }]];
    const preview = (body: Record<string, unknown>) =>
      request(system.server).post('/messages/preview').set(auth).send(body);
    const mine = await preview({
      chat_id: own.chatId,
      message: '<b>Hi {{first_name}}</b>, your preview is ready',
      parse_mode: 'HTML',
      buttons,
      disable_notification: true,
    }).expect(200);
    expect(mine.body).toEqual({
      chat_id: own.chatId,
      target_user_id: own.userId,
      text: '<b>Hi Olga</b>, your preview is ready',
      telegram_message_id: expect.any(Number),
    });
    // As Pat would see it, in the sender's chat.
    const asPat = await preview({
      chat_id: own.chatId,
      message: 'Hi {{first_name}} (@{{username}})',
      target_user_id: recipient.userId,
    }).expect(200);
    expect(asPat.body.text).toBe('Hi Pat (@pat_t)');
    const sent = system.telegram.delivered(own.chatId).filter((call) => call.text?.includes('Hi'));
    expect(sent).toEqual([
      expect.objectContaining({
        shown: {
          text: 'Hi Olga, your preview is ready',
          entities: [{ type: 'bold', offset: 0, length: 7 }],
        },
        replyMarkup: { inline_keyboard: buttons },
        display: { disableNotification: true },
      }),
      expect.objectContaining({ text: 'Hi Pat (@pat_t)' }),
    ]);
    // Nothing was scheduled or recorded.
    expect(
      (await system.events()).filter(
        (event) => typeof event.data.text === 'string' && event.data.text.includes('your preview'),
      ),
    ).toEqual([]);
    // Checked as scheduling checks it; a chat Telegram refuses is a 502 with its answer.
    expect(
      (await preview({ chat_id: own.chatId, message: '<b>x', parse_mode: 'HTML' }).expect(400)).body
        .code,
    ).toBe('INVALID_FORMATTING');
    system.telegram.failNext(1, {
      status: 400,
      description: 'Bad Request: chat not found',
      chatId: '424242',
    });
    const refused = await preview({ chat_id: '424242', message: 'hello' }).expect(502);
    expect(refused.body).toMatchObject({ code: 'PREVIEW_NOT_SENT' });
    expect(refused.body.detail).toContain('chat not found');
  });

  it('sends images as photos, videos as videos, audio as audio with send_as=media, each file_id reused for its kind', async () => {
    const first = await subscriber();
    const second = await subscriber();
    const jpeg = jpegOf(1);
    const scheduled = await schedule(
      { target_user_id: `${first.userId},${second.userId}`, message: 'The trip', send_as: 'media' },
      [
        { name: 'beach.jpg', content: jpeg },
        { name: 'waves.mp4', content: mp4 },
        { name: 'song.mp3', content: mp3 },
        { name: 'notes.txt', content: Buffer.from('plain notes') },
      ],
    ).expect(200);
    expect(scheduled.body.send_as).toBe('media');
    const sent = await sentMessage<{ attachments: { content_type: string }[] }>(
      system,
      scheduled.body.id,
    );
    expect(sent.attachments.map((attachment) => attachment.content_type)).toEqual([
      'image/jpeg',
      'video/mp4',
      'audio/mpeg',
      'text/plain',
    ]);
    const methods = (chatId: string) =>
      system.telegram.delivered(chatId).map((call) => [call.method, call.fileName ?? call.fileId]);
    const [photo, video, audio, document] = methods(first.chatId).slice(1);
    // Whichever recipient went first uploaded each file; the other got it by its file_id.
    for (const [kind, method] of [
      [photo, 'sendPhoto'],
      [video, 'sendVideo'],
      [audio, 'sendAudio'],
      [document, 'sendDocument'],
    ] as const)
      expect(kind?.[0]).toBe(method);
    expect(methods(second.chatId).map(([method]) => method)).toEqual([
      'sendMessage',
      'sendPhoto',
      'sendVideo',
      'sendAudio',
      'sendDocument',
    ]);
    const byFileId = [...methods(first.chatId), ...methods(second.chatId)]
      .map(([, file]) => file)
      .filter((file) => file?.includes('-'));
    expect(byFileId.map((fileId) => fileId?.split('-')[0]).sort()).toEqual([
      'audio',
      'file',
      'photo',
      'video',
    ]);
  });

  it('sends albums with as_album: photos with the video, the documents apart, the text the first album’s caption; edits the caption and recalls every item', async () => {
    const first = await subscriber();
    const second = await subscriber();
    const scheduled = await schedule(
      {
        target_user_id: `${first.userId},${second.userId}`,
        message: '<b>Trip</b> photos',
        parse_mode: 'HTML',
        send_as: 'media',
        as_album: 'true',
      },
      [
        { name: 'beach.jpg', content: jpegOf(1) },
        { name: 'dunes.jpg', content: jpegOf(2) },
        { name: 'waves.mp4', content: mp4 },
        { name: 'route.txt', content: Buffer.from('the route') },
        { name: 'hotel.txt', content: Buffer.from('the hotel') },
        { name: 'song.mp3', content: mp3 },
      ],
    ).expect(200);
    expect(scheduled.body.as_album).toBe(true);
    const id = scheduled.body.id as string;
    await sentMessage(system, id);
    for (const chat of [first, second]) {
      const calls = system.telegram.delivered(chat.chatId);
      // Three calls: an album of the photos and the video, one of the documents, the song alone.
      expect(calls.map((call) => [call.method, call.album?.index ?? null])).toEqual([
        ['sendMediaGroup', 0],
        ['sendMediaGroup', 1],
        ['sendMediaGroup', 2],
        ['sendMediaGroup', 0],
        ['sendMediaGroup', 1],
        ['sendAudio', null],
      ]);
      expect(calls[0]).toMatchObject({
        caption: '<b>Trip</b> photos',
        shown: { text: 'Trip photos', entities: [{ type: 'bold', offset: 0, length: 4 }] },
      });
      expect(calls.filter((call) => call.caption !== undefined)).toHaveLength(1);
      expect(calls.some((call) => call.method === 'sendMessage')).toBe(false);
    }
    // Each file uploaded once, for whichever chat went first; the other chat got it by file_id.
    const all = [
      ...system.telegram.delivered(first.chatId),
      ...system.telegram.delivered(second.chatId),
    ];
    const uploads = all.filter((call) => call.fileName !== undefined).map((call) => call.fileName);
    expect(uploads.sort()).toEqual(
      ['beach.jpg', 'dunes.jpg', 'hotel.txt', 'route.txt', 'song.mp3', 'waves.mp4'].sort(),
    );

    // The text is the first item's caption: an edit changes it there.
    await request(system.server)
      .patch(`/messages/${id}`)
      .set(auth)
      .send({ message: '<b>Trip</b> photos, all of them' })
      .expect(200);
    const recipientsOf = async () =>
      (
        (await request(system.server).get(`/messages/${id}`).set(auth).expect(200)).body as {
          recipients: { revision: string | null }[];
        }
      ).recipients.map((recipient) => recipient.revision);
    await waitUntil(
      async () => (await recipientsOf()).every((revision) => revision === 'edited'),
      15_000,
      'both captions to be edited',
    );
    for (const chat of [first, second]) {
      const captioned = system.telegram.delivered(chat.chatId)[0]!.messageId!;
      expect(system.telegram.captionIn(chat.chatId, captioned)).toEqual({
        text: 'Trip photos, all of them',
        entities: [{ type: 'bold', offset: 0, length: 4 }],
      });
      expect(
        system.telegram.calls.filter(
          (call) => call.method === 'editMessageCaption' && call.chatId === chat.chatId,
        ),
      ).toHaveLength(1);
    }
    // A caption over 1024 characters is refused for the edit as for the schedule.
    const long = await request(system.server)
      .patch(`/messages/${id}`)
      .set(auth)
      .send({ message: 'x'.repeat(1025) })
      .expect(400);
    expect(long.body).toMatchObject({ code: 'MESSAGE_TOO_LONG', details: { max: 1024 } });

    // A recall deletes every item of every album, each message once.
    await request(system.server).post(`/messages/${id}/recall`).set(auth).expect(200);
    await waitUntil(
      async () => (await recipientsOf()).every((revision) => revision === 'recalled'),
      15_000,
      'both chats to be recalled',
    );
    for (const chat of [first, second]) {
      const deletes = system.telegram.calls.filter(
        (call) => call.method === 'deleteMessages' && call.chatId === chat.chatId,
      );
      // Six messages, each named once, in one call.
      expect(deletes.map((call) => call.status)).toEqual([200]);
      expect(new Set(deletes[0]!.messageIds).size).toBe(6);
      expect(deletes[0]!.messageIds).toHaveLength(6);
    }
  });

  it('sends an album of three photos with the caption on the first, as the chat shows it', async () => {
    const chat = await subscriber();
    const scheduled = await schedule(
      {
        target_user_id: chat.userId,
        message: 'Our <i>summer</i> in three pictures',
        parse_mode: 'HTML',
        send_as: 'media',
        as_album: 'true',
        disable_notification: 'true',
      },
      [1, 2, 3].map((n) => ({ name: `summer-${n}.jpg`, content: jpegOf(10 + n) })),
    ).expect(200);
    await sentMessage(system, scheduled.body.id);
    const calls = system.telegram.delivered(chat.chatId);
    expect(calls.map((call) => [call.method, call.fileName, call.album?.size])).toEqual([
      ['sendMediaGroup', 'summer-1.jpg', 3],
      ['sendMediaGroup', 'summer-2.jpg', 3],
      ['sendMediaGroup', 'summer-3.jpg', 3],
    ]);
    expect(calls[0]).toMatchObject({
      shown: {
        text: 'Our summer in three pictures',
        entities: [{ type: 'italic', offset: 4, length: 6 }],
      },
      display: { disableNotification: true },
    });
    expect(system.telegram.captionIn(chat.chatId, calls[0]!.messageId!)?.text).toBe(
      'Our summer in three pictures',
    );
  });

  it('splits more than ten files into albums of at most ten, and sends the buttons with the text after them', async () => {
    const chat = await subscriber();
    const buttons = [[{ text: 'All notes', url: 'https://example.com/notes' }]];
    const files = Array.from({ length: 12 }, (_, index) => ({
      name: `note-${index + 1}.txt`,
      content: Buffer.from(`note ${index + 1}`),
    }));
    const scheduled = await schedule(
      {
        target_user_id: chat.userId,
        message: 'c'.repeat(2000),
        as_album: 'true',
        buttons: JSON.stringify(buttons),
      },
      files,
    ).expect(200);
    await sentMessage(system, scheduled.body.id);
    const calls = system.telegram.delivered(chat.chatId);
    const albums = new Map<string, number>();
    for (const call of calls.filter((sent) => sent.album))
      albums.set(call.album!.id, (albums.get(call.album!.id) ?? 0) + 1);
    expect([...albums.values()]).toEqual([6, 6]);
    expect(calls.filter((call) => call.caption !== undefined)).toHaveLength(0);
    // An album carries no buttons: the text (up to 4096 then) follows with them.
    expect(calls.at(-1)).toMatchObject({
      method: 'sendMessage',
      text: 'c'.repeat(2000),
      replyMarkup: { inline_keyboard: buttons },
    });
    expect(calls).toHaveLength(13);

    // Without buttons the text is a caption: over 1024 characters it is refused, nothing stored.
    const refused = await schedule(
      { target_user_id: chat.userId, message: 'c'.repeat(1025), as_album: 'true' },
      files.slice(0, 2),
    ).expect(400);
    expect(refused.body).toMatchObject({ code: 'MESSAGE_TOO_LONG', details: { max: 1024 } });
    const flag = await schedule(
      { target_user_id: chat.userId, message: 'x', as_album: 'sometimes' },
      files.slice(0, 2),
    ).expect(400);
    expect(flag.body).toMatchObject({
      code: 'INVALID_SEND_OPTION',
      details: { field: 'as_album' },
    });
  });

  it('sends an image Telegram would not show as a photo (too tall, too large in pixels) as a document', async () => {
    const chat = await subscriber();
    // A PNG's signature and header chunk: its width and height are all a reader needs.
    const png = (width: number, height: number) => {
      const header = Buffer.alloc(25);
      header.writeUInt32BE(13, 0);
      header.write('IHDR', 4, 'latin1');
      header.writeUInt32BE(width, 8);
      header.writeUInt32BE(height, 12);
      header.set([8, 6, 0, 0, 0], 16);
      return Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        header,
        Buffer.alloc(64, 7),
      ]);
    };
    const scheduled = await schedule(
      { target_user_id: chat.userId, message: 'Screens', send_as: 'media' },
      [
        { name: 'wide.png', content: png(1600, 900) },
        { name: 'scroll.png', content: png(400, 8100) },
        { name: 'huge.png', content: png(6000, 5000) },
      ],
    ).expect(200);
    await sentMessage(system, scheduled.body.id);
    expect(
      system.telegram.delivered(chat.chatId).map((call) => [call.method, call.fileName ?? null]),
    ).toEqual([
      ['sendMessage', null],
      ['sendPhoto', 'wide.png'],
      // Sides more than 20 times apart, and more than 10,000 pixels together: documents.
      ['sendDocument', 'scroll.png'],
      ['sendDocument', 'huge.png'],
    ]);
  });

  it('changes the text of a message not yet due: it goes out with the new one', async () => {
    const { userId, chatId } = await subscriber();
    const scheduled = await schedule({ target_user_id: userId, message: 'First draft' }).expect(
      200,
    );
    await request(system.server)
      .patch(`/messages/${scheduled.body.id}`)
      .set(auth)
      .send({ message: 'Final text' })
      .expect(200);
    await sentMessage(system, scheduled.body.id);
    expect(system.telegram.textsTo(chatId)).toEqual(['Final text']);
    // A new time and a new text change together or not at all: once sent, the time cannot.
    const both = await request(system.server)
      .patch(`/messages/${scheduled.body.id}`)
      .set(auth)
      .send({ message: 'Changed again', scheduled_timestamp: '2030-01-01T00:00:00Z' })
      .expect(409);
    expect(both.body.code).toBe('MESSAGE_NOT_PENDING');
    expect(
      (await request(system.server).get(`/messages/${scheduled.body.id}`).set(auth)).body.message,
    ).toBe('Final text');
    expect(
      system.telegram.calls.filter(
        (call) => call.method === 'editMessageText' && call.chatId === chatId,
      ),
    ).toEqual([]);
  });

  it('sends every occurrence of a series with its send options and buttons', async () => {
    const { userId, chatId } = await subscriber();
    const buttons = [[{ text: 'Agenda', url: 'https://example.com/agenda' }]];
    const created = await request(system.server)
      .post('/series')
      .set(auth)
      .field('target_user_id', userId)
      .field('message', 'Standup in five minutes')
      .field('rrule', 'FREQ=DAILY;COUNT=1')
      .field('dtstart', new Date(Date.now() + 3000).toISOString().slice(0, 19))
      .field('time_zone', 'UTC')
      .field('disable_notification', 'true')
      .field('message_thread_id', '7')
      .field('buttons', JSON.stringify(buttons))
      .expect(201);
    expect(created.body).toMatchObject({
      disable_notification: true,
      protect_content: false,
      message_thread_id: 7,
      link_preview: 'on',
      buttons,
    });
    const messageId = await firstOccurrenceMessage(system, created.body.id);
    const sent = await sentMessage(system, messageId);
    expect(sent).toMatchObject({ disable_notification: true, message_thread_id: 7, buttons });
    expect(system.telegram.delivered(chatId)).toEqual([
      expect.objectContaining({
        text: 'Standup in five minutes',
        display: { disableNotification: true, messageThreadId: 7 },
        replyMarkup: { inline_keyboard: buttons },
      }),
    ]);
    const refused = await request(system.server)
      .post('/series')
      .set(auth)
      .field('target_user_id', userId)
      .field('message', 'No')
      .field('rrule', 'FREQ=DAILY;COUNT=1')
      .field('dtstart', '2030-01-01T09:00')
      .field('time_zone', 'UTC')
      .field('link_preview', 'sometimes')
      .expect(400);
    expect(refused.body).toMatchObject({
      code: 'INVALID_SEND_OPTION',
      details: { field: 'link_preview' },
    });
  });

  it('changes the send options and buttons of a series from now on, the planned occurrence with them', async () => {
    const { userId, chatId } = await subscriber();
    const created = await request(system.server)
      .post('/series')
      .set(auth)
      .field('target_user_id', userId)
      .field('message', 'Weekly digest')
      .field('rrule', 'FREQ=DAILY;COUNT=1')
      .field('dtstart', new Date(Date.now() + 6000).toISOString().slice(0, 19))
      .field('time_zone', 'UTC')
      .field('disable_notification', 'true')
      .expect(201);
    const planned = await firstOccurrenceMessage(system, created.body.id);
    const buttons = [[{ text: 'Archive', url: 'https://example.com/archive' }]];
    const changed = await request(system.server)
      .patch(`/series/${created.body.id}`)
      .set(auth)
      .send({ protect_content: true, buttons })
      .expect(200);
    // What was not given stays as it was.
    expect(changed.body).toMatchObject({
      disable_notification: true,
      protect_content: true,
      buttons,
    });
    // Refusals while the series is still open (its one occurrence ends it once sent).
    for (const [body, code] of [
      [{ message_thread_id: 0 }, 'INVALID_SEND_OPTION'],
      [{ buttons: [{ text: 'flat', url: 'https://example.com' }] }, 'INVALID_BUTTONS'],
      [{ protect_content: 'yes' }, 'INVALID_REQUEST'],
    ] as const) {
      const refused = await request(system.server)
        .patch(`/series/${created.body.id}`)
        .set(auth)
        .send(body)
        .expect(400);
      expect(refused.body.code).toBe(code);
    }
    const replanned = await firstOccurrenceMessage(system, created.body.id);
    expect(replanned).not.toBe(planned);
    await sentMessage(system, replanned);
    expect(system.telegram.delivered(chatId)).toEqual([
      expect.objectContaining({
        text: 'Weekly digest',
        display: { disableNotification: true, protectContent: true },
        replyMarkup: { inline_keyboard: buttons },
      }),
    ]);
  });

  it.each([
    ['not JSON', '[[{"text":'],
    ['not rows', '[{"text":"Open","url":"https://example.com"}]'],
    ['a button without a url', '[[{"text":"Open"}]]'],
    ['an ftp link', '[[{"text":"Open","url":"ftp://example.com/file"}]]'],
    [
      'nine in a row',
      JSON.stringify([Array.from({ length: 9 }, () => ({ text: 'x', url: 'https://e.com' }))]),
    ],
  ])(
    'refuses buttons that are %s with INVALID_BUTTONS, storing nothing',
    async (_case, buttons) => {
      const { userId } = await subscriber();
      const response = await schedule({ target_user_id: userId, message: 'No', buttons }).expect(
        400,
      );
      expect(response.body).toMatchObject({
        code: 'INVALID_BUTTONS',
        details: { field: 'buttons' },
      });
      // Other messages of this file may still be recording their sends: none of this one's events.
      expect((await system.events()).filter((event) => event.data.text === 'No')).toEqual([]);
    },
  );

  it.each([
    [{ disable_notification: 'yes' }, 'disable_notification'],
    [{ protect_content: '2' }, 'protect_content'],
    [{ message_thread_id: 'topic' }, 'message_thread_id'],
    [{ message_thread_id: '0' }, 'message_thread_id'],
    [{ message_thread_id: '99999999999' }, 'message_thread_id'],
    [{ link_preview: 'maybe' }, 'link_preview'],
    [{ link_preview: 'ftp://example.com/file' }, 'link_preview'],
  ])(
    'refuses %j with INVALID_SEND_OPTION naming the field, storing nothing',
    async (fields, field) => {
      const { userId } = await subscriber();
      const response = await schedule({ target_user_id: userId, message: 'No', ...fields }).expect(
        400,
      );
      expect(response.body).toMatchObject({ code: 'INVALID_SEND_OPTION', details: { field } });
      // Other messages of this file may still be recording their sends: none of this one's events.
      expect((await system.events()).filter((event) => event.data.text === 'No')).toEqual([]);
    },
  );
});
