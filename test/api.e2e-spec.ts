import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import request from 'supertest';
import { startApi, type ApiHarness, TEST_API_KEY } from './support/api-harness';
import { CommandBus } from '@nestjs/cqrs';
import { UnsubscribeUserCommand } from '../libs/application/src/commands/unsubscribe-user/unsubscribe-user.command';
import { ObjectStorage } from '../libs/storage/src/object-storage';

const auth = { Authorization: `Bearer ${TEST_API_KEY}` };

describe('API: the seed contract', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({ maxFileBytes: 64 * 1024, maxFiles: 3 });
  });
  afterAll(async () => api.close());

  let chatCounter = 100_000;
  async function subscribe(name = 'JohnDoe'): Promise<{ user_id: string; chat_id: string }> {
    const response = await request(api.server)
      .post('/subscribe-user')
      .set(auth)
      .send({ chat_id: String(++chatCounter), chat_name: name })
      .expect(200);
    return response.body as { user_id: string; chat_id: string };
  }

  describe('GET /', () => {
    it('describes the API without a key', async () => {
      const response = await request(api.server).get('/').expect(200);
      expect(response.body.message).toBe('Scheduled Message API');
      expect(Object.keys(response.body.endpoints)).toEqual(
        expect.arrayContaining([
          'POST /schedule-message',
          'POST /subscribe-user',
          'GET /pending-messages',
          'GET /subscribed-users',
        ]),
      );
    });
  });

  describe('POST /subscribe-user', () => {
    it('subscribes a chat and answers with the seed fields', async () => {
      const response = await request(api.server)
        .post('/subscribe-user')
        .set(auth)
        .send({ chat_id: '123456789', chat_name: 'JohnDoe' })
        .expect(200);
      expect(response.body).toEqual({
        user_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        chat_id: '123456789',
        chat_name: 'JohnDoe',
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      });
      const events = await api.events();
      const subscribed = events.filter(
        (event) => event.type === 'UserSubscribed' && event.data.chatId === '123456789',
      );
      expect(subscribed).toHaveLength(1);
      expect(subscribed[0]!.stream_id).toBe(`subscriber-${response.body.user_id}`);
      expect(subscribed[0]!.metadata).toMatchObject({
        actor: 'api-key:tester',
        correlationId: expect.any(String),
      });
    });

    it('answers 400 when the chat is already subscribed, and stores nothing', async () => {
      await request(api.server)
        .post('/subscribe-user')
        .set(auth)
        .send({ chat_id: '555', chat_name: 'A' })
        .expect(200);
      const before = (await api.events()).length;
      const response = await request(api.server)
        .post('/subscribe-user')
        .set(auth)
        .send({ chat_id: '555', chat_name: 'B' })
        .expect(400);
      expect(response.body).toMatchObject({
        code: 'CHAT_ALREADY_SUBSCRIBED',
        detail: expect.stringContaining('already exists'),
      });
      expect((await api.events()).length).toBe(before);
    });

    it('lets only one of many concurrent subscriptions of a chat through', async () => {
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          request(api.server)
            .post('/subscribe-user')
            .set(auth)
            .send({ chat_id: '777', chat_name: 'racer' }),
        ),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([
        200, 400, 400, 400, 400, 400, 400, 400,
      ]);
      const events = await api.events();
      expect(
        events.filter((event) => event.type === 'UserSubscribed' && event.data.chatId === '777'),
      ).toHaveLength(1);
    });

    it.each<[string, object | string, string]>([
      ['a missing chat_id', { chat_name: 'x' }, 'INVALID_REQUEST'],
      ['a missing chat_name', { chat_id: '1' }, 'INVALID_REQUEST'],
      ['a malformed chat_id', { chat_id: 'not a chat', chat_name: 'x' }, 'INVALID_CHAT_ID'],
      ['an empty chat_name', { chat_id: '2', chat_name: '  ' }, 'INVALID_CHAT_NAME'],
      [
        'over 32 fields it does not take',
        {
          chat_id: '3',
          chat_name: 'x',
          ...Object.fromEntries(Array.from({ length: 33 }, (_, n) => [`extra_${n}`, n])),
        },
        'TOO_MANY_EXTRA_FIELDS',
      ],
      ['malformed JSON', '{"chat_id": "4", ', 'MALFORMED_JSON'],
    ])('refuses %s with 400 and stores nothing', async (_name, body, code) => {
      const before = (await api.events()).length;
      const call = request(api.server)
        .post('/subscribe-user')
        .set(auth)
        .set('Content-Type', 'application/json');
      const response = await call
        .send(typeof body === 'string' ? body : JSON.stringify(body))
        .expect(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.code).toBe(code);
      expect(response.body.detail).toEqual(expect.any(String));
      expect((await api.events()).length).toBe(before);
    });

    it('refuses a body that is not JSON with 415', async () => {
      const response = await request(api.server)
        .post('/subscribe-user')
        .set(auth)
        .type('form')
        .send('chat_id=1&chat_name=x')
        .expect(415);
      expect(response.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('GET /subscribed-users', () => {
    it('lists subscribers with the seed fields', async () => {
      const user = await subscribe('Listed');
      const response = await request(api.server).get('/subscribed-users').set(auth).expect(200);
      expect(response.body).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ user_id: user.user_id, chat_name: 'Listed' }),
        ]),
      );
    });
  });

  describe('POST /schedule-message', () => {
    it('schedules a message with files, stores them in the bucket and answers with the seed fields', async () => {
      const [a, b] = [await subscribe('A'), await subscribe('B')];
      const pdf = Buffer.from('%PDF-1.4 not really a pdf');
      const response = await request(api.server)
        .post('/schedule-message')
        .set(auth)
        .field('target_user_id', `${a.user_id}, ${b.user_id}`)
        .field('message', 'Hello from the scheduler!')
        .field('scheduled_timestamp', '2030-01-31T09:30:00Z')
        .attach('files', pdf, 'document.pdf')
        .attach('files', Buffer.from('hello'), 'notes.txt')
        .expect(200);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        target_user_id: [a.user_id, b.user_id],
        message: 'Hello from the scheduler!',
        scheduled_timestamp: '2030-01-31T09:30:00.000Z',
        file_paths: [
          `attachments/${response.body.id}/1-document.pdf`,
          `attachments/${response.body.id}/2-notes.txt`,
        ],
        is_sent: false,
        from_sender: null,
        created_at: expect.any(String),
        // Added with audiences: who else a message may be for.
        target_topic: null,
        target_all: false,
        // Added with paid broadcasts.
        paid_broadcast: false,
        // Added with send options: how Telegram shows it (its defaults here).
        disable_notification: false,
        protect_content: false,
        message_thread_id: null,
        link_preview: 'on',
        buttons: [],
        // Added with parse modes: the seed's text is plain.
        parse_mode: 'plain',
        delete_after: null,
        send_as: 'documents',
        // Added with albums: each file on its own, as the seed sent them.
        as_album: false,
        // Added with the console: the series a message is an occurrence of.
        series_id: null,
      });
      for (const key of response.body.file_paths) expect(await api.storage.exists(key)).toBe(true);
      const scheduled = (await api.events()).find(
        (event) => event.type === 'MessageScheduled' && event.data.messageId === response.body.id,
      );
      expect(scheduled?.data.attachments).toEqual([
        expect.objectContaining({
          fileName: 'document.pdf',
          size: pdf.length,
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        }),
        expect.objectContaining({ fileName: 'notes.txt', size: 5 }),
      ]);
    });

    it('streams an attachment back by its number, with its decided type and name', async () => {
      const user = await subscribe();
      const png = Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        Buffer.alloc(3000, 7),
      ]);
      const { id } = (
        await request(api.server)
          .post('/schedule-message')
          .set(auth)
          .field('target_user_id', user.user_id)
          .field('message', 'A picture')
          .field('scheduled_timestamp', '2030-01-31T09:30:00Z')
          .attach('files', Buffer.from('plain words'), 'readme.txt')
          .attach('files', png, {
            filename: 'Grüße photo.png',
            contentType: 'application/octet-stream',
          })
          .expect(200)
      ).body as { id: string };
      const file = await request(api.server)
        .get(`/messages/${id}/files/2`)
        .set(auth)
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(Buffer.compare(file.body as Buffer, png)).toBe(0);
      // Sent as octet-stream, decided from the bytes.
      expect(file.headers['content-type']).toBe('image/png');
      expect(file.headers['content-disposition']).toBe(
        `attachment; filename*=UTF-8''${encodeURIComponent('Grüße photo.png')}`,
      );
      const text = await request(api.server).get(`/messages/${id}/files/1`).set(auth).expect(200);
      expect(text.headers['content-type']).toContain('text/plain');
      for (const n of ['3', '0', 'x']) {
        const missing = await request(api.server)
          .get(`/messages/${id}/files/${n}`)
          .set(auth)
          .expect(404);
        expect(missing.body.code).toBe('ATTACHMENT_NOT_FOUND');
      }
      await request(api.server).get(`/messages/${id}/files/1`).expect(401);
    });

    it('schedules without files: file_paths is null', async () => {
      const user = await subscribe();
      const response = await request(api.server)
        .post('/schedule-message')
        .set(auth)
        .field('target_user_id', user.user_id)
        .field('message', 'No files')
        .field('scheduled_timestamp', '2030-01-31T09:30:00')
        .expect(200);
      expect(response.body.file_paths).toBeNull();
    });

    it('refuses a paid broadcast while paid broadcasts are off, storing nothing', async () => {
      const user = await subscribe();
      const before = (await api.events()).length;
      const response = await request(api.server)
        .post('/schedule-message')
        .set(auth)
        .field('target_user_id', user.user_id)
        .field('message', 'Paid?')
        .field('paid_broadcast', 'true')
        .field('scheduled_timestamp', '2030-01-31T09:30:00')
        .expect(400);
      expect(response.body).toMatchObject({
        code: 'PAID_BROADCAST_DISABLED',
        details: { field: 'paid_broadcast' },
      });
      expect((await api.events()).length).toBe(before);
    });

    it('lists the message in GET /pending-messages', async () => {
      const user = await subscribe();
      const scheduled = await request(api.server)
        .post('/schedule-message')
        .set(auth)
        .field('target_user_id', user.user_id)
        .field('message', 'Pending')
        .field('scheduled_timestamp', '2031-05-05T10:00:00+02:00')
        .expect(200);
      const pending = await request(api.server).get('/pending-messages').set(auth).expect(200);
      expect(pending.body).toEqual(expect.arrayContaining([scheduled.body]));
      expect(scheduled.body.scheduled_timestamp).toBe('2031-05-05T08:00:00.000Z');
    });

    describe('refuses bad input with a 4xx naming the problem, leaving no event and no object', () => {
      let user: { user_id: string };
      let unsubscribed: { user_id: string };
      beforeAll(async () => {
        user = await subscribe();
        unsubscribed = await subscribe();
        // No route unsubscribes yet: the event goes in as the bot's /stop will append it.
        const { app } = api;
        const { EventStore } = await import('../libs/event-store/src/event-store');
        await app.get(EventStore).append(
          `subscriber-${unsubscribed.user_id}`,
          [
            {
              type: 'UserUnsubscribed',
              data: { userId: unsubscribed.user_id, chatId: '0', reason: 'requested' },
            },
          ],
          {
            expectedVersion: 1,
            metadata: { correlationId: randomUUID(), causationId: null, actor: 'test' },
          },
        );
      });

      type Case = {
        fields: Record<string, string>;
        files?: { name: string; size: number }[];
        status: number;
        code: string;
        mentions?: string | ((ids: { user: string; unsubscribed: string }) => string);
      };
      const valid = () => ({
        target_user_id: user.user_id,
        message: 'hi',
        scheduled_timestamp: '2030-01-01T00:00:00Z',
      });
      const cases: [string, () => Case][] = [
        [
          'an unparseable timestamp',
          () => ({
            fields: { ...valid(), scheduled_timestamp: 'tomorrow' },
            status: 400,
            code: 'INVALID_TIMESTAMP',
            mentions: 'scheduled_timestamp',
          }),
        ],
        [
          'an impossible date',
          () => ({
            fields: { ...valid(), scheduled_timestamp: '2026-02-30T10:00:00Z' },
            status: 400,
            code: 'INVALID_TIMESTAMP',
          }),
        ],
        [
          'a missing timestamp',
          () => ({
            fields: { target_user_id: user.user_id, message: 'hi' },
            status: 400,
            code: 'INVALID_TIMESTAMP',
          }),
        ],
        [
          'a missing message',
          () => ({
            fields: { target_user_id: user.user_id, scheduled_timestamp: '2030-01-01T00:00:00Z' },
            status: 400,
            code: 'MISSING_MESSAGE',
          }),
        ],
        [
          'an empty message',
          () => ({ fields: { ...valid(), message: '   ' }, status: 400, code: 'MISSING_MESSAGE' }),
        ],
        [
          'a message over 4096 characters',
          () => ({
            fields: { ...valid(), message: 'x'.repeat(4097) },
            status: 400,
            code: 'MESSAGE_TOO_LONG',
            mentions: '4096',
          }),
        ],
        [
          'no recipients',
          () => ({
            fields: { ...valid(), target_user_id: ' , ' },
            status: 400,
            code: 'NO_RECIPIENTS',
          }),
        ],
        [
          'an unknown recipient',
          () => ({
            fields: { ...valid(), target_user_id: `${user.user_id},nobody-here` },
            status: 400,
            code: 'UNKNOWN_RECIPIENTS',
            mentions: 'nobody-here',
          }),
        ],
        [
          'an unknown uuid recipient',
          () => ({
            fields: { ...valid(), target_user_id: '00000000-0000-4000-8000-000000000000' },
            status: 400,
            code: 'UNKNOWN_RECIPIENTS',
            mentions: '00000000-0000-4000-8000-000000000000',
          }),
        ],
        [
          'an unsubscribed recipient',
          () => ({
            fields: { ...valid(), target_user_id: unsubscribed.user_id },
            status: 400,
            code: 'UNSUBSCRIBED_RECIPIENTS',
            mentions: (ids) => ids.unsubscribed,
          }),
        ],
        [
          'more files than allowed',
          () => ({
            fields: valid(),
            files: [1, 2, 3, 4].map((n) => ({ name: `f${n}.txt`, size: 10 })),
            status: 400,
            code: 'TOO_MANY_ATTACHMENTS',
          }),
        ],
        [
          'a file over the size limit',
          () => ({
            fields: valid(),
            files: [
              { name: 'ok.txt', size: 10 },
              { name: 'big.bin', size: 64 * 1024 + 1 },
            ],
            status: 413,
            code: 'ATTACHMENT_TOO_LARGE',
          }),
        ],
        [
          'an empty file',
          () => ({
            fields: valid(),
            files: [
              { name: 'ok.txt', size: 10 },
              { name: 'empty.txt', size: 0 },
            ],
            status: 400,
            code: 'EMPTY_FILE',
          }),
        ],
        [
          'a file after the fields are refused',
          () => ({
            fields: { ...valid(), target_user_id: 'ghost' },
            files: [{ name: 'a.txt', size: 100 }],
            status: 400,
            code: 'UNKNOWN_RECIPIENTS',
          }),
        ],
        [
          'a field it does not take with a value over 1 kB',
          () => ({
            fields: { ...valid(), priority: 'h'.repeat(1025) },
            status: 400,
            code: 'EXTRA_FIELD_TOO_LONG',
            mentions: 'priority',
          }),
        ],
        [
          'a from_sender over 256 characters',
          () => ({
            fields: { ...valid(), from_sender: 's'.repeat(257) },
            status: 400,
            code: 'FROM_SENDER_TOO_LONG',
            mentions: 'from_sender',
          }),
        ],
      ];

      it.each(cases)('%s', async (_name, make) => {
        const { fields, files = [], status, code, mentions } = make();
        const [eventsBefore, objectsBefore] = [
          (await api.events()).length,
          (await api.objects()).length,
        ];
        let call = request(api.server).post('/schedule-message').set(auth);
        for (const [name, value] of Object.entries(fields)) call = call.field(name, value);
        for (const file of files)
          call = call.attach('files', Buffer.alloc(file.size, 97), file.name);
        const response = await call;
        expect(response.status).toBe(status);
        expect(response.body.code).toBe(code);
        if (mentions) {
          const text =
            typeof mentions === 'string'
              ? mentions
              : mentions({ user: user.user_id, unsubscribed: unsubscribed.user_id });
          expect(response.body.detail).toContain(text);
        }
        expect((await api.events()).length).toBe(eventsBefore);
        expect((await api.objects()).length).toBe(objectsBefore);
      });

      it('refuses JSON instead of multipart with 415', async () => {
        const response = await request(api.server)
          .post('/schedule-message')
          .set(auth)
          .send(valid())
          .expect(415);
        expect(response.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      });
    });
  });

  describe('DELETE and PATCH /messages/:id', () => {
    async function scheduled(at = '2030-06-01T10:00:00Z'): Promise<string> {
      const user = await subscribe();
      const response = await request(api.server)
        .post('/schedule-message')
        .set(auth)
        .field('target_user_id', user.user_id)
        .field('message', 'Maybe later')
        .field('scheduled_timestamp', at)
        .expect(200);
      return response.body.id as string;
    }

    it('cancels a message before it is due: it leaves the pending list; twice is 409', async () => {
      const id = await scheduled();
      const cancelled = await request(api.server).delete(`/messages/${id}`).set(auth).expect(200);
      expect(cancelled.body).toMatchObject({ id, status: 'cancelled', is_sent: false });
      const pending = await request(api.server).get('/pending-messages').set(auth).expect(200);
      expect(pending.body.map((message: { id: string }) => message.id)).not.toContain(id);
      const again = await request(api.server).delete(`/messages/${id}`).set(auth).expect(409);
      expect(again.body.code).toBe('MESSAGE_NOT_PENDING');
      const events = await request(api.server).get(`/messages/${id}/events`).set(auth).expect(200);
      expect(events.body.map((event: { type: string }) => event.type)).toEqual([
        'MessageScheduled',
        'MessageCancelled',
      ]);
      expect(events.body[1].metadata).toMatchObject({ actor: 'api-key:tester' });
    });

    it('reschedules a message before it is due; refuses a bad time and a cancelled message', async () => {
      const id = await scheduled();
      const moved = await request(api.server)
        .patch(`/messages/${id}`)
        .set(auth)
        .send({ scheduled_timestamp: '2030-07-01T12:00:00+02:00' })
        .expect(200);
      expect(moved.body).toMatchObject({
        id,
        status: 'scheduled',
        scheduled_timestamp: '2030-07-01T10:00:00.000Z',
      });
      const bad = await request(api.server)
        .patch(`/messages/${id}`)
        .set(auth)
        .send({ scheduled_timestamp: '2030-02-30' })
        .expect(400);
      expect(bad.body.code).toBe('INVALID_TIMESTAMP');
      // A field the route does not take changes nothing, and is kept in the event's metadata
      // (`message` it takes: it changes the text, see test/rich-messages.e2e-spec.ts).
      const extra = await request(api.server)
        .patch(`/messages/${id}`)
        .set(auth)
        .send({ scheduled_timestamp: '2030-07-01T12:00:00Z', subject: 'sneaky' })
        .expect(200);
      expect(extra.body).toMatchObject({
        message: 'Maybe later',
        scheduled_timestamp: '2030-07-01T12:00:00.000Z',
      });
      const rescheduled = (await api.events()).filter(
        (event) => event.type === 'MessageRescheduled' && event.data.messageId === id,
      );
      expect(rescheduled.at(-1)?.metadata).toMatchObject({ extraFields: { subject: 'sneaky' } });
      const tooLong = await request(api.server)
        .patch(`/messages/${id}`)
        .set(auth)
        .send({ scheduled_timestamp: '2030-07-02T12:00:00Z', note: 'n'.repeat(1025) })
        .expect(400);
      expect(tooLong.body).toMatchObject({
        code: 'EXTRA_FIELD_TOO_LONG',
        details: { field: 'note' },
      });
      await request(api.server).delete(`/messages/${id}`).set(auth).expect(200);
      const late = await request(api.server)
        .patch(`/messages/${id}`)
        .set(auth)
        .send({ scheduled_timestamp: '2030-08-01T00:00:00Z' })
        .expect(409);
      expect(late.body.code).toBe('MESSAGE_NOT_PENDING');
    });

    it('lists messages by status and time, a page at a time', async () => {
      const ids: string[] = [];
      for (const day of ['01', '02', '03', '04', '05'])
        ids.push(await scheduled(`2035-03-${day}T10:00:00Z`));
      await request(api.server).delete(`/messages/${ids[1]!}`).set(auth).expect(200);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await request(api.server)
          .get('/messages')
          .query({
            from: '2035-03-01T00:00:00Z',
            to: '2035-04-01T00:00:00Z',
            status: 'scheduled',
            limit: 2,
            ...(cursor ? { cursor } : {}),
          })
          .set(auth)
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((item: { id: string; status: string }) => item.id));
        cursor = page.body.next_cursor as string | null;
      } while (cursor);
      expect(seen).toEqual([ids[0], ids[2], ids[3], ids[4]]);
      const cancelled = await request(api.server)
        .get('/messages')
        .query({ status: 'cancelled', from: '2035-03-01T00:00:00Z' })
        .set(auth)
        .expect(200);
      expect(cancelled.body.items.map((item: { id: string }) => item.id)).toEqual([ids[1]]);
    });

    it.each([
      [{ status: 'lost' }, 'INVALID_REQUEST'],
      [{ from: 'yesterday' }, 'INVALID_TIMESTAMP'],
      [{ limit: '0' }, 'INVALID_LIMIT'],
      [{ limit: 'ten' }, 'INVALID_REQUEST'],
      [{ cursor: 'not-a-cursor' }, 'INVALID_CURSOR'],
      [{ from_sender: ['a', 'b'] }, 'INVALID_REQUEST'],
    ])('refuses the listing query %p with 400 %s', async (query, code) => {
      const response = await request(api.server)
        .get('/messages')
        .query(query)
        .set(auth)
        .expect(400);
      expect(response.body.code).toBe(code);
    });

    it('lists one sender’s messages with ?from_sender=, and ignores query parameters it does not take', async () => {
      const user = await subscribe();
      const schedule = async (fromSender?: string) => {
        let call = request(api.server)
          .post('/schedule-message')
          .set(auth)
          .field('target_user_id', user.user_id)
          .field('message', `from ${fromSender ?? 'nobody'}`)
          .field('scheduled_timestamp', '2036-01-01T10:00:00Z');
        if (fromSender !== undefined) call = call.field('from_sender', fromSender);
        return (await call.expect(200)).body as { id: string; from_sender: string | null };
      };
      const sender = `crm-${randomUUID()}`;
      const [mine, theirs, none, blank] = [
        await schedule(sender),
        await schedule(`${sender}-other`),
        await schedule(),
        await schedule(''),
      ];
      expect([mine.from_sender, theirs.from_sender, none.from_sender, blank.from_sender]).toEqual([
        sender,
        `${sender}-other`,
        null,
        null,
      ]);
      const pending = await request(api.server)
        .get('/pending-messages')
        .query({ from_sender: sender, sort: 'desc' })
        .set(auth)
        .expect(200);
      expect(pending.body).toEqual([mine]);
      const listed = await request(api.server)
        .get('/messages')
        .query({ from_sender: sender, from: '2036-01-01T00:00:00Z', page: 3 })
        .set(auth)
        .expect(200);
      expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([mine.id]);
      // Without the filter (or with it empty), every sender's.
      for (const query of [{}, { from_sender: '' }]) {
        const all = await request(api.server)
          .get('/pending-messages')
          .query(query)
          .set(auth)
          .expect(200);
        expect(all.body.map((message: { id: string }) => message.id)).toEqual(
          expect.arrayContaining([mine.id, theirs.id, none.id, blank.id]),
        );
      }
      const details = await request(api.server)
        .get(`/messages/${mine.id}`)
        .set(auth)
        .query({ verbose: 'yes' })
        .expect(200);
      expect(details.body.from_sender).toBe(sender);
      await request(api.server)
        .get('/subscribed-users')
        .query({ from_sender: sender })
        .set(auth)
        .expect(200);
      await request(api.server)
        .get('/events')
        .query({ after: 0, format: 'x' })
        .set(auth)
        .expect(200);
      await request(api.server)
        .get(`/messages/${mine.id}/events`)
        .query({ pretty: 1 })
        .set(auth)
        .expect(200);
    });

    it('answers 404 for a message that does not exist', async () => {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
        const response = await request(api.server).delete(`/messages/${id}`).set(auth).expect(404);
        expect(response.body.code).toBe('MESSAGE_NOT_FOUND');
      }
    });
  });

  describe('audit routes, paged', () => {
    it("pages through a subscriber's events with a Link to the next page", async () => {
      const { user_id, chat_id } = await subscribe();
      // Unsubscribe and come back: three events in the stream.
      await api.app
        .get(CommandBus)
        .execute(
          new UnsubscribeUserCommand(chat_id, 'requested', { correlationId: 'c', actor: 'test' }),
        );
      await request(api.server)
        .post('/subscribe-user')
        .set(auth)
        .send({ chat_id, chat_name: 'back' })
        .expect(200);

      const all = await request(api.server).get(`/subscribers/${user_id}/events`).set(auth);
      expect(all.body.map((event: { type: string }) => event.type)).toEqual([
        'UserSubscribed',
        'UserUnsubscribed',
        'UserSubscribed',
      ]);
      expect(all.headers.link).toBeUndefined();

      const first = await request(api.server)
        .get(`/subscribers/${user_id}/events?limit=2`)
        .set(auth)
        .expect(200);
      expect(first.body.map((event: { stream_version: number }) => event.stream_version)).toEqual([
        1, 2,
      ]);
      const next = /^<([^>]+)>; rel="next"$/.exec(first.headers.link as string)?.[1];
      expect(next).toBe(`/subscribers/${user_id}/events?after=2&limit=2`);
      const second = await request(api.server).get(next!).set(auth).expect(200);
      expect(second.body.map((event: { stream_version: number }) => event.stream_version)).toEqual([
        3,
      ]);
      expect(second.headers.link).toBeUndefined();
      // Past the end of a stream that exists: an empty page, not a 404.
      await request(api.server)
        .get(`/subscribers/${user_id}/events?after=3`)
        .set(auth)
        .expect(200, []);
      await request(api.server)
        .get(`/subscribers/${randomUUID()}/events?after=1`)
        .set(auth)
        .expect(404);
    });

    it('pages through the whole log in log order, by type if asked', async () => {
      const stored = await api.events();
      const seen: { position: number; type: string; event_id: string }[] = [];
      let after = 0;
      // The log shows a transaction once every older one in the cluster has ended (see README,
      // The event log): other test files' transactions can hold the newest events back a moment.
      for (const deadline = Date.now() + 15_000; seen.length < stored.length;) {
        const page = await request(api.server)
          .get(`/events?after=${after}&limit=7`)
          .set(auth)
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(7);
        seen.push(...page.body.items);
        if (page.body.items.length === 0) {
          expect(page.body.next_after).toBe(after);
          if (Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        after = page.body.next_after;
        expect(after).toBe(page.body.items.at(-1).position);
      }
      expect(seen).toHaveLength(stored.length);
      expect(new Set(seen.map((event) => event.event_id)).size).toBe(seen.length);

      const { user_id } = await subscribe();
      let latest: { type: string; data: { userId: string } }[] = [];
      for (const deadline = Date.now() + 15_000; latest.length === 0 && Date.now() < deadline;) {
        const page = await request(api.server)
          .get(`/events?after=${after}&type=UserSubscribed`)
          .set(auth)
          .expect(200);
        latest = page.body.items;
        if (latest.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(latest).toHaveLength(1);
      expect(latest[0]).toMatchObject({ type: 'UserSubscribed', data: { userId: user_id } });
      const only = await request(api.server)
        .get('/events?type=UserSubscribed&limit=1000')
        .set(auth);
      expect(new Set(only.body.items.map((event: { type: string }) => event.type))).toEqual(
        new Set(['UserSubscribed']),
      );
    });

    it('refuses a position it never gave, a bad limit or type, and a request without a key', async () => {
      const unknown = await request(api.server)
        .get('/events?after=999999999')
        .set(auth)
        .expect(400);
      expect(unknown.body.code).toBe('UNKNOWN_POSITION');
      expect(
        (await request(api.server).get('/events?limit=0').set(auth).expect(400)).body.code,
      ).toBe('INVALID_LIMIT');
      expect(
        (await request(api.server).get('/events?limit=5000').set(auth).expect(400)).body.code,
      ).toBe('INVALID_LIMIT');
      expect(
        (await request(api.server).get('/events?type=Nonsense').set(auth).expect(400)).body.detail,
      ).toContain('type must be one of');
      await request(api.server).get('/events').expect(401);
    });
  });

  describe('authentication', () => {
    it.each([
      ['GET', '/pending-messages'],
      ['GET', '/subscribed-users'],
      ['POST', '/subscribe-user'],
      ['POST', '/schedule-message'],
    ])('%s %s answers 401 without a key and with a wrong one', async (method, path) => {
      const call = () =>
        method === 'GET' ? request(api.server).get(path) : request(api.server).post(path);
      const missing = await call().expect(401);
      expect(missing.body.code).toBe('API_KEY_MISSING');
      const wrong = await call().set('Authorization', 'Bearer wrong-key-0123456789').expect(401);
      expect(wrong.body.code).toBe('API_KEY_INVALID');
      expect(JSON.stringify(wrong.body)).not.toContain('wrong-key');
    });

    it('takes the key as X-API-Key too', async () => {
      await request(api.server).get('/pending-messages').set('X-API-Key', TEST_API_KEY).expect(200);
    });

    it('leaves /, /docs and health open', async () => {
      await request(api.server).get('/').expect(200);
      await request(api.server).get('/health/live').expect(200);
      const docs = await request(api.server).get('/docs-json').expect(200);
      const schedule = docs.body.paths['/schedule-message'].post;
      expect(Object.keys(schedule.requestBody.content)).toEqual(['multipart/form-data']);
      expect(
        schedule.requestBody.content['multipart/form-data'].schema.properties.files.items.format,
      ).toBe('binary');
    });

    it('serves the OpenAPI document kept in openapi.json (run `npm run openapi` after changing a route)', async () => {
      const served = (await request(api.server).get('/docs-json').expect(200)).body;
      const kept = JSON.parse(
        await readFile(join(__dirname, '..', 'openapi.json'), 'utf8'),
      ) as unknown;
      expect(served).toEqual(kept);
      // Every route behind a key documents its error answers.
      for (const [path, operations] of Object.entries(
        served.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>,
      )) {
        if (['/', '/health/live', '/health/ready', '/metrics', '/telegram/webhook'].includes(path))
          continue;
        for (const operation of Object.values(operations))
          expect([path, Object.keys(operation.responses)]).toEqual([
            path,
            expect.arrayContaining(['401', '429', '500']),
          ]);
      }
    });

    it('reports readiness of the database, the broker and the object store, and the bot', async () => {
      const deadline = Date.now() + 10_000;
      let response = await request(api.server).get('/health/ready');
      while (
        (response.status !== 200 || response.body.details?.telegram?.mode !== 'polling') &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        response = await request(api.server).get('/health/ready');
      }
      const up = { status: 'up' };
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: 'ok',
        info: { database: up, broker: up, storage: up, telegram: { ...up, mode: 'polling' } },
        error: {},
        details: { database: up, broker: up, storage: up, telegram: { ...up, mode: 'polling' } },
      });
    });

    it('answers 503 naming the dependency that is down', async () => {
      const storage = api.app.get(ObjectStorage);
      const reachable = jest.spyOn(storage, 'isReachable').mockResolvedValue(false);
      try {
        const response = await request(api.server).get('/health/ready').expect(503);
        expect(response.body.status).toBe('error');
        expect(response.body.error).toEqual({
          storage: { status: 'down', message: 'The object store cannot be reached' },
        });
        expect(response.body.info.database).toEqual({ status: 'up' });
      } finally {
        reachable.mockRestore();
      }
    });

    it('serves Prometheus metrics without a key, counting what was scheduled', async () => {
      const scheduled = async () => {
        const text = (await request(api.server).get('/metrics').expect(200)).text;
        const match = /^sm_messages_scheduled_total\{app="api"\} (\d+)$/m.exec(text);
        return Number(match?.[1]);
      };
      const before = await scheduled();
      const { user_id } = await subscribe();
      await request(api.server)
        .post('/schedule-message')
        .set(auth)
        .field('target_user_id', user_id)
        .field('message', 'counted')
        .field('scheduled_timestamp', new Date(Date.now() + 3_600_000).toISOString())
        .expect(200);
      expect(await scheduled()).toBe(before + 1);
      const response = await request(api.server).get('/metrics').expect(200);
      expect(response.headers['content-type']).toContain('text/plain');
      expect(response.text).toContain('# TYPE sm_delivery_lateness_seconds histogram');
      expect(response.text).toMatch(/^sm_outbox_lag_positions\{app="api"\} \d+$/m);
    });
  });

  it('hides the cause of a 500 and answers with a correlation id', async () => {
    const orm = api.app.get<MikroORM>(MikroORM);
    // Break the read model for a moment: the query behind the route fails.
    await orm.em.fork().execute('ALTER TABLE messages RENAME TO messages_away');
    try {
      const response = await request(api.server)
        .get('/pending-messages')
        .set(auth)
        .set('X-Correlation-Id', 'trace-500')
        .expect(500);
      expect(response.body).toEqual({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        code: 'INTERNAL_ERROR',
        detail: 'The server failed to handle the request',
        correlation_id: 'trace-500',
      });
    } finally {
      await orm.em.fork().execute('ALTER TABLE messages_away RENAME TO messages');
    }
  });
});
