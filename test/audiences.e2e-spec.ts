import request from 'supertest';
import {
  auth,
  firstOccurrenceMessage,
  sentMessage as sentMessageOf,
  subscribeChat,
} from './support/api-calls';
import { TestSystem, waitUntil } from './support/system';

interface Recipient {
  user_id: string;
  status: string;
}

describe('Messages to an audience: topics and everyone, resolved when due', () => {
  // Paid broadcasts on, for the API and for delivery.
  const system = new TestSystem(1000, true);
  let chatCounter = 700_000;

  beforeAll(async () => {
    await system.start();
    system.spawn('scheduler');
    // Parts of two recipients: an audience of three is delivered in two parts, each on its own.
    system.spawn('delivery', { AUDIENCE_PART_SIZE: '2', TELEGRAM_PAID_BROADCAST: 'on' });
  });
  afterAll(async () => system.stop());

  const subscriber = () => subscribeChat(system, String(++chatCounter));

  async function topic(name: string, members: string[]): Promise<void> {
    await request(system.server).post('/topics').set(auth).send({ name }).expect(201);
    for (const userId of members) {
      await request(system.server)
        .post(`/topics/${name}/members`)
        .set(auth)
        .send({ user_id: userId })
        .expect(200);
    }
  }

  function schedule(fields: Record<string, string>, at = new Date(Date.now() + 1500)) {
    let call = request(system.server)
      .post('/schedule-message')
      .set(auth)
      .field('scheduled_timestamp', at.toISOString());
    for (const [name, value] of Object.entries(fields)) call = call.field(name, value);
    return call;
  }

  const sentMessage = (id: string) =>
    sentMessageOf<{ recipients: Recipient[]; status: string }>(system, id);

  async function eventsOf(
    id: string,
    part?: number,
  ): Promise<{ type: string; data: Record<string, unknown> }[]> {
    const query = part === undefined ? '' : `?part=${part}`;
    return (
      await request(system.server).get(`/messages/${id}/events${query}`).set(auth).expect(200)
    ).body;
  }

  it('sends a message for topics to the members subscribed when it falls due, each once, and records them', async () => {
    const [ann, bob, cy, dee] = [
      await subscriber(),
      await subscriber(),
      await subscriber(),
      await subscriber(),
    ];
    const suffix = String(chatCounter);
    await topic(`news-${suffix}`, [ann.userId, bob.userId]);
    await topic(`beta-${suffix}`, [bob.userId, cy.userId]);
    const scheduled = await schedule({
      target_topic: `news-${suffix}, BETA-${suffix}`,
      message: 'For two topics',
    }).expect(200);
    expect(scheduled.body).toMatchObject({
      target_user_id: [],
      target_topic: [`news-${suffix}`, `beta-${suffix}`],
      target_all: false,
    });
    expect(scheduled.body.warnings).toBeUndefined();

    // Who is in the audience is decided when the message is due: Dee joins, Cy leaves first.
    await request(system.server)
      .post(`/topics/news-${suffix}/members`)
      .set(auth)
      .send({ user_id: dee.userId })
      .expect(200);
    await request(system.server)
      .delete(`/topics/beta-${suffix}/members/${cy.userId}`)
      .set(auth)
      .expect(200);

    const sent = await sentMessage(scheduled.body.id);
    const expected = [ann.userId, bob.userId, dee.userId].sort();
    expect(sent.recipients.map((recipient) => recipient.user_id).sort()).toEqual(expected);
    expect(sent.recipients.every((recipient) => recipient.status === 'delivered')).toBe(true);
    for (const chat of [ann, bob, dee]) {
      expect(system.telegram.textsTo(chat.chatId)).toEqual(['For two topics']);
    }
    expect(system.telegram.textsTo(cy.chatId)).toEqual([]);

    // The message's stream records who the audience was, in parts of two, and that it was sent;
    // each part's stream, its recipients' sends and outcomes, and that the part was done.
    const events = await eventsOf(scheduled.body.id);
    expect(events.map((event) => event.type)).toEqual([
      'MessageScheduled',
      'MessageDue',
      'AudienceResolved',
      'AudienceResolved',
      'MessageSent',
    ]);
    const parts = events.filter((event) => event.type === 'AudienceResolved');
    expect(parts.map((part) => [part.data.part, part.data.parts])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(parts.flatMap((part) => part.data.recipients as string[]).sort()).toEqual(expected);
    expect(events.at(-1)!.data).toMatchObject({ delivered: 3, failed: 0 });
    for (const part of parts) {
      const size = (part.data.recipients as string[]).length;
      const ofPart = await eventsOf(scheduled.body.id, part.data.part as number);
      expect(ofPart.map((event) => event.type).sort((a, b) => order(a) - order(b))).toEqual([
        ...Array(size).fill('RecipientPartSent'),
        ...Array(size).fill('RecipientDelivered'),
        'AudiencePartSent',
      ]);
      expect(ofPart.at(-1)!.data).toMatchObject({ part: part.data.part, delivered: size });
    }
    expect(await eventsOf(scheduled.body.id, 3)).toEqual([]);

    // The counts by outcome, and the recipients a page at a time.
    const details = (await request(system.server).get(`/messages/${scheduled.body.id}`).set(auth))
      .body;
    expect(details).toMatchObject({
      recipient_counts: { pending: 0, delivered: 3, failed: 0 },
      recipients_next_cursor: null,
    });
    const first = await request(system.server)
      .get(`/messages/${scheduled.body.id}/recipients?limit=2`)
      .set(auth)
      .expect(200);
    expect(first.body.items).toHaveLength(2);
    const rest = await request(system.server)
      .get(`/messages/${scheduled.body.id}/recipients?limit=2&cursor=${first.body.next_cursor}`)
      .set(auth)
      .expect(200);
    expect(rest.body.next_cursor).toBeNull();
    expect(
      [...first.body.items, ...rest.body.items].map((item: Recipient) => item.user_id),
    ).toEqual(details.recipients.map((item: Recipient) => item.user_id));
    const failed = await request(system.server)
      .get(`/messages/${scheduled.body.id}/recipients?status=failed`)
      .set(auth)
      .expect(200);
    expect(failed.body).toEqual({ items: [], next_cursor: null });
    await request(system.server)
      .get(`/messages/${scheduled.body.id}/recipients?cursor=nope`)
      .set(auth)
      .expect(400);
  });

  it('sends a message for everyone to every subscriber then, and an empty topic is warned about and sent to nobody', async () => {
    const suffix = String(++chatCounter);
    await request(system.server)
      .post('/topics')
      .set(auth)
      .send({ name: `empty-${suffix}` })
      .expect(201);
    const toNobody = await schedule({ target_topic: `empty-${suffix}`, message: 'Nobody' }).expect(
      200,
    );
    expect(toNobody.body.warnings).toEqual([expect.stringMatching(/^EMPTY_AUDIENCE: /)]);

    const everyone = await schedule({ target_all: 'true', message: 'Everyone' }).expect(200);
    expect(everyone.body).toMatchObject({ target_all: true, target_topic: null });
    const late = await subscriber();

    const none = await sentMessage(toNobody.body.id);
    expect(none.recipients).toEqual([]);
    expect((await eventsOf(toNobody.body.id)).map((event) => event.type)).toEqual([
      'MessageScheduled',
      'MessageDue',
      'AudienceResolved',
      'MessageSent',
    ]);

    const all = await sentMessage(everyone.body.id);
    const subscribed = (await request(system.server).get('/subscribed-users').set(auth).expect(200))
      .body as { user_id: string }[];
    expect(all.recipients.map((recipient) => recipient.user_id).sort()).toEqual(
      subscribed.map((user) => user.user_id).sort(),
    );
    expect(system.telegram.textsTo(late.chatId)).toEqual(['Everyone']);
  });

  it('edits a message to a topic in every chat of every part, then recalls it from all of them', async () => {
    const chats = [await subscriber(), await subscriber(), await subscriber()];
    const name = `edits-${chatCounter}`;
    await topic(
      name,
      chats.map((chat) => chat.userId),
    );
    const scheduled = await schedule({
      target_topic: name,
      message: 'Meeting at <b>10:00</b>',
      parse_mode: 'HTML',
    })
      .attach('files', Buffer.from('the agenda'), 'agenda.txt')
      .expect(200);
    const id = scheduled.body.id as string;
    await sentMessage(id);
    const revisions = async () =>
      (
        (await request(system.server).get(`/messages/${id}`).set(auth).expect(200)).body as {
          recipients: { revision: string | null }[];
        }
      ).recipients.map((recipient) => recipient.revision);
    const textIn = (chatId: string) =>
      system.telegram.delivered(chatId).find((call) => call.method === 'sendMessage')!.messageId!;

    await request(system.server)
      .patch(`/messages/${id}`)
      .set(auth)
      .send({ message: 'Meeting at <b>11:00</b>' })
      .expect(200);
    await waitUntil(
      async () => (await revisions()).every((revision) => revision === 'edited'),
      15_000,
      'every chat of both parts to be edited',
    );
    for (const chat of chats) {
      expect(system.telegram.messageIn(chat.chatId, textIn(chat.chatId))?.text).toBe(
        'Meeting at 11:00',
      );
    }
    // Each outcome is recorded in the stream of the part its recipient was in.
    const edited = [...(await eventsOf(id, 1)), ...(await eventsOf(id, 2))].filter(
      (event) => event.type === 'RecipientEdited',
    );
    expect(edited).toHaveLength(3);
    // The edit was handed to each part, a unit of work of its own (as the part's delivery was).
    const handed = async () =>
      (await eventsOf(id))
        .filter((event) => event.type === 'AudienceRevisionDue')
        .map((event) => event.data);
    const toPart = (part: number, edit: number, recall: boolean) => ({
      messageId: id,
      part,
      parts: 2,
      edit,
      recall,
    });
    expect(await handed()).toEqual([toPart(1, 1, false), toPart(2, 1, false)]);

    await request(system.server).post(`/messages/${id}/recall`).set(auth).expect(200);
    await waitUntil(
      async () => (await revisions()).every((revision) => revision === 'recalled'),
      15_000,
      'every chat of both parts to be recalled',
    );
    for (const chat of chats) {
      expect(system.telegram.messageIn(chat.chatId, textIn(chat.chatId))).toBeUndefined();
      const deletes = system.telegram.calls.filter(
        (call) => call.method === 'deleteMessages' && call.chatId === chat.chatId,
      );
      // The text and the file, in one call.
      expect(deletes.map((call) => [call.status, call.messageIds?.length])).toEqual([[200, 2]]);
    }
    expect(await handed()).toEqual([
      toPart(1, 1, false),
      toPart(2, 1, false),
      toPart(1, 1, true),
      toPart(2, 1, true),
    ]);
  });

  it('recalls a message to everyone by itself with delete_after', async () => {
    const chat = await subscriber();
    const scheduled = await schedule({
      target_all: 'true',
      message: 'Gone soon',
      delete_after: '2',
    }).expect(200);
    expect(scheduled.body.delete_after).toBe(2);
    const id = scheduled.body.id as string;
    await sentMessage(id);
    await waitUntil(
      async () =>
        (
          (await request(system.server).get(`/messages/${id}`).set(auth).expect(200)).body as {
            recalled_at: string | null;
          }
        ).recalled_at !== null,
      15_000,
      'the message to be recalled',
    );
    await waitUntil(
      () =>
        system.telegram.calls.some(
          (call) =>
            call.method === 'deleteMessages' && call.chatId === chat.chatId && call.status === 200,
        ),
      15_000,
      'the copy in the chat to be deleted',
    );
  });

  it('sends a paid broadcast with allow_paid_broadcast to each recipient, and says so', async () => {
    const [ann, bob] = [await subscriber(), await subscriber()];
    const suffix = String(chatCounter);
    await topic(`paid-${suffix}`, [ann.userId, bob.userId]);
    const scheduled = await schedule({
      target_topic: `paid-${suffix}`,
      message: 'Paid for',
      paid_broadcast: 'true',
    }).expect(200);
    expect(scheduled.body.paid_broadcast).toBe(true);
    await sentMessage(scheduled.body.id);
    for (const chat of [ann, bob]) {
      const [call] = system.telegram.delivered(chat.chatId);
      expect(call).toMatchObject({ text: 'Paid for', paidBroadcast: true });
    }
    const free = await schedule({ target_user_id: ann.userId, message: 'Free' }).expect(200);
    expect(free.body.paid_broadcast).toBe(false);
    await sentMessage(free.body.id);
    expect(system.telegram.delivered(ann.chatId).at(-1)!.paidBroadcast).toBeUndefined();
  });

  it.each([
    [{ target_user_id: 'x', target_topic: 'news' }, 'CONFLICTING_TARGETS'],
    [{ target_all: 'true', paid_broadcast: 'yes' }, 'INVALID_PAID_BROADCAST'],
    [{ target_all: 'true', target_topic: 'news' }, 'CONFLICTING_TARGETS'],
    [{ target_all: 'yes' }, 'INVALID_TARGET_ALL'],
    [{ target_topic: 'no-such-topic-anywhere' }, 'UNKNOWN_TOPIC'],
    [{ target_topic: 'two words' }, 'INVALID_TOPIC_NAME'],
  ])('refuses %j with %s, storing nothing', async (fields, code) => {
    const before = (await system.events()).length;
    const response = await schedule({ ...fields, message: 'Refused' }).expect(400);
    expect(response.body.code).toBe(code);
    expect((await system.events()).length).toBe(before);
  });

  describe('a recurring series to an audience', () => {
    /** A series whose first occurrence comes in a few seconds (UTC, to the second). */
    function series(fields: Record<string, string>) {
      let call = request(system.server)
        .post('/series')
        .set(auth)
        .field('message', fields.message ?? 'Series')
        .field('rrule', fields.rrule ?? 'FREQ=DAILY;COUNT=1')
        .field('dtstart', new Date(Date.now() + 3000).toISOString().slice(0, 19))
        .field('time_zone', 'UTC');
      for (const [name, value] of Object.entries(fields)) {
        if (name !== 'message' && name !== 'rrule') call = call.field(name, value);
      }
      return call;
    }

    const occurrenceMessage = (seriesId: string) => firstOccurrenceMessage(system, seriesId);

    it('sends each occurrence to the members of its topics subscribed when it falls due', async () => {
      const [ann, bob, cy] = [await subscriber(), await subscriber(), await subscriber()];
      const name = `weekly-${chatCounter}`;
      await topic(name, [ann.userId, bob.userId]);
      const created = await series({ target_topic: name, message: 'Topic series' }).expect(201);
      expect(created.body).toMatchObject({
        target_user_id: [],
        target_topic: [name],
        target_all: false,
      });
      const messageId = await occurrenceMessage(created.body.id);
      // Bob leaves before the occurrence is due: the audience is who is in the topic then.
      await request(system.server)
        .delete(`/topics/${name}/members/${bob.userId}`)
        .set(auth)
        .expect(200);
      const sent = await sentMessage(messageId);
      expect(sent).toMatchObject({ target_topic: [name] });
      expect(sent.recipients.map((recipient) => recipient.user_id)).toEqual([ann.userId]);
      expect(system.telegram.textsTo(ann.chatId)).toEqual(['Topic series']);
      expect(system.telegram.textsTo(bob.chatId)).toEqual([]);
      expect(system.telegram.textsTo(cy.chatId)).toEqual([]);
      const seriesEvents = (
        await request(system.server).get(`/series/${created.body.id}/events`).set(auth).expect(200)
      ).body as { type: string; data: Record<string, unknown> }[];
      expect(seriesEvents[0]).toMatchObject({
        type: 'SeriesCreated',
        data: { recipients: [], audience: { kind: 'topics', topics: [{ name }] } },
      });
    });

    it('sends each occurrence to everyone subscribed then, and a change to user ids ends that', async () => {
      const ann = await subscriber();
      // Two occurrences, a day apart: the series is still open after the first.
      const created = await series({
        target_all: 'true',
        message: 'Everyone series',
        rrule: 'FREQ=DAILY;COUNT=2',
      }).expect(201);
      expect(created.body).toMatchObject({ target_user_id: [], target_all: true });
      const later = await subscriber();
      const sent = await sentMessage(await occurrenceMessage(created.body.id));
      const userIds = sent.recipients.map((recipient) => recipient.user_id);
      expect(userIds).toEqual(expect.arrayContaining([ann.userId, later.userId]));
      expect(system.telegram.textsTo(later.chatId)).toEqual(['Everyone series']);

      const changed = await request(system.server)
        .patch(`/series/${created.body.id}`)
        .set(auth)
        .send({ target_user_id: ann.userId })
        .expect(200);
      expect(changed.body).toMatchObject({
        target_user_id: [ann.userId],
        target_topic: null,
        target_all: false,
      });
    });

    it.each([
      [{ target_all: 'true', at_recipient_local_time: 'true' }, 'LOCAL_TIME_NEEDS_USER_IDS'],
      [{ target_topic: 'no-such-topic-anywhere' }, 'UNKNOWN_TOPIC'],
      [{ target_all: 'true', target_user_id: 'x' }, 'CONFLICTING_TARGETS'],
      [{ target_all: 'yes' }, 'INVALID_TARGET_ALL'],
    ])('refuses a series %j with %s, storing nothing', async (fields, code) => {
      const before = (await system.events()).length;
      const response = await series(fields).expect(400);
      expect(response.body.code).toBe(code);
      expect((await system.events()).length).toBe(before);
    });
  });
});

/** The order events of one message come in: parts and outcomes may interleave by recipient. */
function order(type: string): number {
  return [
    'MessageScheduled',
    'MessageDue',
    'AudienceResolved',
    'RecipientPartSent',
    'RecipientDelivered',
    'AudiencePartSent',
    'MessageSent',
  ].indexOf(type);
}
