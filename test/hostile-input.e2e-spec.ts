import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Test } from 'supertest';
import type { OpenAPIObject } from '@nestjs/swagger';
import { openApiDocument } from '../apps/api/src/create-api-app';
import { startApi, type ApiHarness, TEST_API_KEY } from './support/api-harness';

const auth = { Authorization: `Bearer ${TEST_API_KEY}` };
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72]);
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');

interface Ids {
  user: string;
  other: string;
  unsubscribed: string;
  message: string;
  series: string;
}

type File = { name: string; content: Buffer; type?: string; field?: string };

/** One hostile request: how to send it, and the 4xx code it must get. */
interface Case {
  readonly send: (server: ApiHarness['server'], ids: Ids) => Test;
  readonly status: number;
  readonly code: string;
}

function schedule(fields: Record<string, string | string[]>, files: File[] = []) {
  return (server: ApiHarness['server']) => {
    let call = request(server).post('/schedule-message').set(auth);
    for (const [name, value] of Object.entries(fields))
      for (const one of ([] as string[]).concat(value)) call = call.field(name, one);
    for (const file of files)
      call = call.attach(file.field ?? 'files', file.content, {
        filename: file.name,
        contentType: file.type ?? 'text/plain',
      });
    return call;
  };
}

/** A multipart body written by hand, with one file part whose disposition ends `filename`. */
const rawMultipart =
  (fields: Record<string, string>, filename: string) => (server: ApiHarness['server']) =>
    request(server)
      .post('/schedule-message')
      .set({ ...auth, 'Content-Type': 'multipart/form-data; boundary=B0UNDARY' })
      .send(
        [
          ...Object.entries(fields).map(
            ([name, value]) =>
              `--B0UNDARY\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
          ),
          `--B0UNDARY\r\nContent-Disposition: form-data; name="files"; ${filename}\r\nContent-Type: text/plain\r\n\r\nnotes\r\n`,
          '--B0UNDARY--\r\n',
        ].join(''),
      );

const json =
  (
    path: string,
    body: string,
    contentType = 'application/json',
    method: 'post' | 'patch' = 'post',
  ) =>
  (server: ApiHarness['server']) => {
    const call = method === 'post' ? request(server).post(path) : request(server).patch(path);
    return call.set({ ...auth, 'Content-Type': contentType }).send(body);
  };

const MAX_RECIPIENTS = 3;
/** Within the horizon below. */
const SOON = new Date(Date.now() + 7 * 86_400_000).toISOString();
const HORIZON_DAYS = 30;
const MAX_BYTES = 64 * 1024;
const MAX_FILES = 2;

const valid = (ids: Ids) => ({
  target_user_id: ids.user,
  message: 'hello',
  scheduled_timestamp: SOON,
});
const text = (name = 'notes.txt', body = 'some notes') => ({ name, content: Buffer.from(body) });

function series(fields: Record<string, string>, files: File[] = []) {
  return (server: ApiHarness['server']) => {
    let call = request(server).post('/series').set(auth);
    for (const [name, value] of Object.entries(fields)) call = call.field(name, value);
    for (const file of files) call = call.attach('files', file.content, file.name);
    return call;
  };
}
const weekly = (ids: Ids) => ({
  target_user_id: ids.user,
  message: 'weekly',
  rrule: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0',
  dtstart: '2027-01-04T09:00',
  time_zone: 'Europe/Berlin',
});

const CASES: Record<string, (ids: Ids) => Case> = {
  // scheduled_timestamp
  'a timestamp with no date': (ids) => ({
    send: schedule({ ...valid(ids), scheduled_timestamp: '10:30:00' }),
    status: 400,
    code: 'INVALID_TIMESTAMP',
  }),
  'an impossible date (2026-02-30)': (ids) => ({
    send: schedule({ ...valid(ids), scheduled_timestamp: '2026-02-30T10:00:00Z' }),
    status: 400,
    code: 'INVALID_TIMESTAMP',
  }),
  'a timestamp beyond the horizon': (ids) => ({
    send: schedule({ ...valid(ids), scheduled_timestamp: '2099-01-01T00:00:00Z' }),
    status: 400,
    code: 'SCHEDULED_TOO_FAR',
  }),
  'a garbage timestamp': (ids) => ({
    send: schedule({ ...valid(ids), scheduled_timestamp: "'; DROP TABLE events; --" }),
    status: 400,
    code: 'INVALID_TIMESTAMP',
  }),
  'no timestamp': (ids) => ({
    send: schedule({ target_user_id: ids.user, message: 'hello' }),
    status: 400,
    code: 'INVALID_TIMESTAMP',
  }),
  // target_user_id
  'no recipients': (ids) => ({
    send: schedule({ ...valid(ids), target_user_id: ' , ,' }),
    status: 400,
    code: 'NO_RECIPIENTS',
  }),
  'a recipient listed twice': (ids) => ({
    send: schedule({ ...valid(ids), target_user_id: `${ids.user},${ids.user}` }),
    status: 400,
    code: 'INVALID_RECIPIENT',
  }),
  'more recipients than allowed': (ids) => ({
    send: schedule({
      ...valid(ids),
      target_user_id: [ids.user, ids.other, randomUUID(), randomUUID()].join(','),
    }),
    status: 400,
    code: 'TOO_MANY_RECIPIENTS',
  }),
  'a malformed recipient id': (ids) => ({
    send: schedule({ ...valid(ids), target_user_id: '<script>alert(1)</script>' }),
    status: 400,
    code: 'UNKNOWN_RECIPIENTS',
  }),
  'an unknown recipient': (ids) => ({
    send: schedule({ ...valid(ids), target_user_id: randomUUID() }),
    status: 400,
    code: 'UNKNOWN_RECIPIENTS',
  }),
  'an unsubscribed recipient': (ids) => ({
    send: schedule({ ...valid(ids), target_user_id: ids.unsubscribed }),
    status: 400,
    code: 'UNSUBSCRIBED_RECIPIENTS',
  }),
  // message
  'an empty text': (ids) => ({
    send: schedule({ ...valid(ids), message: '' }),
    status: 400,
    code: 'MISSING_MESSAGE',
  }),
  'a whitespace-only text': (ids) => ({
    send: schedule({ ...valid(ids), message: ' \t\n ' }),
    status: 400,
    code: 'MISSING_MESSAGE',
  }),
  'a text over 4096 characters': (ids) => ({
    send: schedule({ ...valid(ids), message: 'x'.repeat(4097) }),
    status: 400,
    code: 'MESSAGE_TOO_LONG',
  }),
  // files
  'an empty file': (ids) => ({
    send: schedule(valid(ids), [text(), text('empty.txt', '')]),
    status: 400,
    code: 'EMPTY_FILE',
  }),
  'a file over the size limit': (ids) => ({
    send: schedule(valid(ids), [
      text(),
      { name: 'big.txt', content: Buffer.alloc(MAX_BYTES + 1, 97) },
    ]),
    status: 413,
    code: 'ATTACHMENT_TOO_LARGE',
  }),
  'more files than allowed': (ids) => ({
    send: schedule(valid(ids), [text('a.txt'), text('b.txt'), text('c.txt')]),
    status: 400,
    code: 'TOO_MANY_ATTACHMENTS',
  }),
  'a file name with a path': (ids) => ({
    // Sent raw: client libraries cut a path off themselves.
    send: rawMultipart(valid(ids), 'filename="../../etc/passwd"'),
    status: 400,
    code: 'INVALID_FILE_NAME',
  }),
  'a file name with a Windows path': (ids) => ({
    send: schedule(valid(ids), [text('C:\\Users\\me\\notes.txt')]),
    status: 400,
    code: 'INVALID_FILE_NAME',
  }),
  'a file name with control characters': (ids) => ({
    // RFC 7578 allows a percent-encoded name: this one decodes to a BEL character.
    send: rawMultipart(valid(ids), `filename*=utf-8''bell%07.txt`),
    status: 400,
    code: 'INVALID_FILE_NAME',
  }),
  'a file with a blank name': (ids) => ({
    send: schedule(valid(ids), [text('   ')]),
    status: 400,
    code: 'INVALID_FILE_NAME',
  }),
  'text sent as a PNG': (ids) => ({
    send: schedule(valid(ids), [{ ...text('picture.png'), type: 'image/png' }]),
    status: 415,
    code: 'ATTACHMENT_TYPE_MISMATCH',
  }),
  'a PDF sent as a JPEG': (ids) => ({
    send: schedule(valid(ids), [{ name: 'photo.jpg', content: PDF, type: 'image/jpeg' }]),
    status: 415,
    code: 'ATTACHMENT_TYPE_MISMATCH',
  }),
  'a PNG sent as text': (ids) => ({
    send: schedule(valid(ids), [{ name: 'notes.txt', content: PNG, type: 'text/plain' }]),
    status: 415,
    code: 'ATTACHMENT_TYPE_MISMATCH',
  }),
  'a file under another field': (ids) => ({
    send: schedule(valid(ids), [{ ...text(), field: 'attachment' }]),
    status: 400,
    code: 'UNEXPECTED_FILE_FIELD',
  }),
  // the form itself
  // fields the route does not take: accepted (as the seed did), but bounded
  'over 32 form fields the route does not take': (ids) => ({
    send: schedule({
      ...valid(ids),
      ...Object.fromEntries(Array.from({ length: 33 }, (_, n) => [`extra_${n}`, 'x'])),
    }),
    status: 400,
    code: 'TOO_MANY_EXTRA_FIELDS',
  }),
  'a form field it does not take, given 33 times': (ids) => ({
    send: schedule({ ...valid(ids), tag: Array.from({ length: 33 }, () => 'x') }),
    status: 400,
    code: 'TOO_MANY_EXTRA_FIELDS',
  }),
  'an extra form field with a name over 64 characters': (ids) => ({
    send: schedule({ ...valid(ids), ['n'.repeat(65)]: 'x' }),
    status: 400,
    code: 'EXTRA_FIELD_NAME_TOO_LONG',
  }),
  'an extra form field with a name too long to parse': (ids) => ({
    send: schedule({ ...valid(ids), ['n'.repeat(300)]: 'x' }),
    status: 400,
    code: 'EXTRA_FIELD_NAME_TOO_LONG',
  }),
  'an extra form field with a value over 1 kB': (ids) => ({
    send: schedule({ ...valid(ids), username: 'é'.repeat(513) }, [text()]),
    status: 400,
    code: 'EXTRA_FIELD_TOO_LONG',
  }),
  'a from_sender over 256 characters': (ids) => ({
    send: schedule({ ...valid(ids), from_sender: 's'.repeat(257) }, [text()]),
    status: 400,
    code: 'FROM_SENDER_TOO_LONG',
  }),
  'a field given twice': (ids) => ({
    send: schedule({ ...valid(ids), message: ['one', 'two'] }),
    status: 400,
    code: 'DUPLICATE_FIELD',
  }),
  'a broken multipart body': () => ({
    send: (server) =>
      request(server)
        .post('/schedule-message')
        .set({ ...auth, 'Content-Type': 'multipart/form-data; boundary=XYZ' })
        .send('--XYZ\r\nContent-Disposition: form-data; name="message"\r\n\r\nhello'),
    status: 400,
    code: 'MALFORMED_MULTIPART',
  }),
  'JSON sent to the multipart route': (ids) => ({
    send: json('/schedule-message', JSON.stringify(valid(ids))),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  }),
  // JSON routes
  'malformed JSON': () => ({
    send: json('/subscribe-user', '{"chat_id": "1", '),
    status: 400,
    code: 'MALFORMED_JSON',
  }),
  'a chat_id of the wrong type': () => ({
    send: json('/subscribe-user', JSON.stringify({ chat_id: { $gt: '' }, chat_name: 'x' })),
    status: 400,
    code: 'INVALID_CHAT_ID',
  }),
  'an extra JSON field with a value over 1 kB': () => ({
    send: json(
      '/subscribe-user',
      JSON.stringify({ chat_id: '42', chat_name: 'x', profile: { bio: 'b'.repeat(1020) } }),
    ),
    status: 400,
    code: 'EXTRA_FIELD_TOO_LONG',
  }),
  'over 32 extra JSON fields': () => ({
    send: json(
      '/subscribe-user',
      JSON.stringify({
        chat_id: '45',
        chat_name: 'x',
        ...Object.fromEntries(Array.from({ length: 33 }, (_, n) => [`f${n}`, true])),
      }),
    ),
    status: 400,
    code: 'TOO_MANY_EXTRA_FIELDS',
  }),
  'an extra JSON field with a name over 64 characters': () => ({
    send: json(
      '/subscribe-user',
      JSON.stringify({ chat_id: '46', chat_name: 'x', ['k'.repeat(65)]: 1 }),
    ),
    status: 400,
    code: 'EXTRA_FIELD_NAME_TOO_LONG',
  }),
  'a reschedule with an extra field over 1 kB': (ids) => ({
    send: json(
      `/messages/${ids.message}`,
      JSON.stringify({ scheduled_timestamp: SOON, reason: 'r'.repeat(2000) }),
      'application/json',
      'patch',
    ),
    status: 400,
    code: 'EXTRA_FIELD_TOO_LONG',
  }),
  'a missing chat_name': () => ({
    send: json('/subscribe-user', JSON.stringify({ chat_id: '43' })),
    status: 400,
    code: 'INVALID_REQUEST',
  }),
  'a chat_id that is no Telegram id': () => ({
    send: json('/subscribe-user', JSON.stringify({ chat_id: '12ab', chat_name: 'x' })),
    status: 400,
    code: 'INVALID_CHAT_ID',
  }),
  'form data sent to a JSON route': () => ({
    send: json('/subscribe-user', 'chat_id=1&chat_name=x', 'application/x-www-form-urlencoded'),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  }),
  'an oversized JSON body': () => ({
    send: json('/subscribe-user', JSON.stringify({ chat_id: '44', chat_name: 'x'.repeat(70_000) })),
    status: 413,
    code: 'BODY_TOO_LARGE',
  }),
  'a reschedule to an impossible time': (ids) => ({
    send: json(
      `/messages/${ids.message}`,
      JSON.stringify({ scheduled_timestamp: '2027-13-01T00:00:00Z' }),
      'application/json',
      'patch',
    ),
    status: 400,
    code: 'INVALID_TIMESTAMP',
  }),
  // recurring series
  'a series firing every second, with a file': (ids) => ({
    send: series({ ...weekly(ids), rrule: 'FREQ=SECONDLY' }, [text()]),
    status: 400,
    code: 'UNSUPPORTED_RRULE',
  }),
  'a series firing every five minutes': (ids) => ({
    send: series({ ...weekly(ids), rrule: 'FREQ=MINUTELY;INTERVAL=5' }),
    status: 400,
    code: 'RRULE_TOO_FREQUENT',
  }),
  'a series in a time zone that does not exist': (ids) => ({
    send: series({ ...weekly(ids), time_zone: 'Mars/Olympus_Mons' }, [text()]),
    status: 400,
    code: 'UNKNOWN_TIME_ZONE',
  }),
  'a series start with an offset': (ids) => ({
    send: series({ ...weekly(ids), dtstart: '2027-01-04T09:00:00Z' }),
    status: 400,
    code: 'INVALID_DTSTART',
  }),
  'a series rule with COUNT and UNTIL': (ids) => ({
    send: series({ ...weekly(ids), rrule: 'FREQ=DAILY;COUNT=2;UNTIL=20270301T000000Z' }),
    status: 400,
    code: 'COUNT_AND_UNTIL',
  }),
  'a series rule that never fires': (ids) => ({
    send: series({ ...weekly(ids), rrule: 'FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31' }),
    status: 400,
    code: 'RULE_NEVER_FIRES',
  }),
  'a series change to a rule injected with SQL': (ids) => ({
    send: json(
      `/series/${ids.series}`,
      JSON.stringify({ rrule: "FREQ=DAILY'; DROP TABLE events; --" }),
      'application/json',
      'patch',
    ),
    status: 400,
    code: 'INVALID_RRULE',
  }),
  'skipping a time that is no occurrence': (ids) => ({
    send: (server) =>
      request(server)
        .post(`/series/${ids.series}/occurrences/2027-01-05T08:00:00.000Z/skip`)
        .set(auth),
    status: 404,
    code: 'OCCURRENCE_NOT_FOUND',
  }),
  'skipping an occurrence named by garbage': (ids) => ({
    send: (server) =>
      request(server).post(`/series/${ids.series}/occurrences/next-monday/skip`).set(auth),
    status: 400,
    code: 'INVALID_TIMESTAMP',
  }),
  'a reschedule beyond the horizon': (ids) => ({
    send: json(
      `/messages/${ids.message}`,
      JSON.stringify({ scheduled_timestamp: '2099-01-01T00:00:00Z' }),
      'application/json',
      'patch',
    ),
    status: 400,
    code: 'SCHEDULED_TOO_FAR',
  }),
};

describe('Hostile input: every bad request gets a 4xx naming it, and leaves nothing behind', () => {
  let api: ApiHarness;
  let ids: Ids;
  const outcomes: { name: string; status: number; stored: boolean }[] = [];

  beforeAll(async () => {
    api = await startApi({
      maxFileBytes: MAX_BYTES,
      maxFiles: MAX_FILES,
      maxRecipients: MAX_RECIPIENTS,
      scheduleHorizonDays: HORIZON_DAYS,
    });
    const subscribe = async (chatId: string) =>
      (
        await request(api.server)
          .post('/subscribe-user')
          .set(auth)
          .send({ chat_id: chatId, chat_name: `chat ${chatId}` })
          .expect(200)
      ).body.user_id as string;
    const [user, other, unsubscribed] = [
      await subscribe('811'),
      await subscribe('812'),
      await subscribe('813'),
    ];
    const { CommandBus } = await import('@nestjs/cqrs');
    const { UnsubscribeUserCommand } =
      await import('../libs/application/src/commands/unsubscribe-user/unsubscribe-user.command');
    await api.app
      .get(CommandBus)
      .execute(
        new UnsubscribeUserCommand('813', 'requested', { correlationId: 'c', actor: 'test' }),
      );
    const message = (
      await request(api.server)
        .post('/schedule-message')
        .set(auth)
        .field('target_user_id', user)
        .field('message', 'to move')
        .field('scheduled_timestamp', SOON)
        .expect(200)
    ).body.id as string;
    const seriesId = (
      await request(api.server)
        .post('/series')
        .set(auth)
        .field('target_user_id', user)
        .field('message', 'weekly')
        .field('rrule', 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0')
        .field('dtstart', '2027-01-04T09:00')
        .field('time_zone', 'Europe/Berlin')
        .expect(201)
    ).body.id as string;
    ids = { user, other, unsubscribed, message, series: seriesId };
  });
  afterAll(async () => {
    const fivexx = outcomes.filter((outcome) => outcome.status >= 500).length;
    const stored = outcomes.filter((outcome) => outcome.stored).length;
    process.stdout.write(
      `HOSTILE ${outcomes.length} bad requests: ${fivexx} answered 5xx, ${stored} left something stored\n` +
        outcomes.map((o) => `  ${String(o.status)}  ${o.name}`).join('\n') +
        '\n',
    );
    await api.close();
  });

  it('has at least 30 cases', () => {
    expect(Object.keys(CASES).length).toBeGreaterThanOrEqual(30);
  });

  it.each(Object.keys(CASES))('%s', async (name) => {
    const hostile = CASES[name]!(ids);
    const [events, objects] = [(await api.events()).length, (await api.objects()).length];
    const response = await hostile.send(api.server, ids);
    const stored =
      (await api.events()).length !== events || (await api.objects()).length !== objects;
    outcomes.push({ name, status: response.status, stored });
    // The route's OpenAPI document names the answer: its problem lists cannot drift from it.
    const { method, url } = response.request as unknown as { method: string; url: string };
    expect(documentedProblems(openApiDocument(api.app), method, url, response.status)).toContain(
      `${String(response.body.code)}: `,
    );
    expect({ status: response.status, code: response.body.code }).toEqual({
      status: hostile.status,
      code: hostile.code,
    });
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(typeof response.body.detail).toBe('string');
    expect(stored).toBe(false);
  });
});

/** The description of a route's answer with that status, as the OpenAPI document gives it. */
function documentedProblems(
  document: OpenAPIObject,
  method: string,
  url: string,
  status: number,
): string {
  const path = new URL(url).pathname;
  const template = Object.keys(document.paths).find((candidate) =>
    new RegExp(`^${candidate.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
  );
  const operation = template
    ? (document.paths[template] as Record<string, { responses?: Record<string, unknown> }>)[
        method.toLowerCase()
      ]
    : undefined;
  const answer = operation?.responses?.[String(status)] as { description?: string } | undefined;
  return answer?.description ?? `nothing documented for ${method} ${path} ${status}`;
}
