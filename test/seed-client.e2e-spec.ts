import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { TEST_API_KEY } from './support/api-harness';
import { TestSystem, waitUntil } from './support/system';

/**
 * A client written against the seed's server (FastAPI, which ignores what its models do not
 * declare) sends fields the seed never knew: its requests as a browser would make them (fetch and
 * FormData, a typed File), answered as the seed answered them, and the message delivered.
 */
describe('Clients of the seed keep working', () => {
  const system = new TestSystem(1000);
  let base: string;
  const headers = { Authorization: `Bearer ${TEST_API_KEY}` };
  const sha256 = (content: Uint8Array) => createHash('sha256').update(content).digest('hex');

  beforeAll(async () => {
    await system.start();
    await system.api.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(system.api.getHttpServer().address() as AddressInfo).port}`;
    system.spawn('scheduler');
    system.spawn('delivery');
  });
  afterAll(async () => system.stop());

  const subscribe = (body: object) =>
    fetch(`${base}/subscribe-user`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** The form a browser page of such a client builds: the seed's fields, its own, and a file. */
  function seedForm(userId: string, at: Date, extra: Record<string, string>): FormData {
    const form = new FormData();
    form.append('target_user_id', userId);
    form.append('message', 'Quarterly report attached');
    form.append('scheduled_timestamp', at.toISOString());
    for (const [name, value] of Object.entries(extra)) form.append(name, value);
    form.append('files', REPORT);
    return form;
  }

  const PDF_BYTES = new TextEncoder().encode('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n');
  const REPORT = new File([PDF_BYTES], 'report.pdf', { type: 'application/pdf' });

  it('subscribes with from_sender in the JSON, schedules with from_sender and username, lists by sender, delivers', async () => {
    // POST /subscribe-user with a property the seed ignored: 200, the seed's answer.
    const subscribed = await subscribe({
      chat_id: '90210',
      chat_name: 'Ann',
      from_sender: 'backoffice',
    });
    expect(subscribed.status).toBe(200);
    const subscriber = (await subscribed.json()) as Record<string, unknown>;
    expect(subscriber).toEqual({
      user_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      chat_id: '90210',
      chat_name: 'Ann',
      created_at: expect.any(String),
    });
    const userId = subscriber.user_id as string;
    // The same chat again: 400, as the seed answered, extra property or not.
    expect(
      (await subscribe({ chat_id: '90210', chat_name: 'Ann', from_sender: 'backoffice' })).status,
    ).toBe(400);
    const subscriberEvents = (await (
      await fetch(`${base}/subscribers/${userId}/events`, { headers })
    ).json()) as { type: string; metadata: Record<string, unknown> }[];
    expect(subscriberEvents).toHaveLength(1);
    expect(subscriberEvents[0]?.metadata).toMatchObject({
      extraFields: { from_sender: 'backoffice' },
    });

    // POST /schedule-message as a browser sends it, with two fields the seed ignored.
    const at = new Date(Date.now() + 2000);
    const scheduled = await fetch(`${base}/schedule-message`, {
      method: 'POST',
      headers,
      body: seedForm(userId, at, { from_sender: 'backoffice', username: 'ann.admin' }),
    });
    expect(scheduled.status).toBe(200);
    const message = (await scheduled.json()) as Record<string, unknown>;
    expect(message).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      target_user_id: [userId],
      message: 'Quarterly report attached',
      scheduled_timestamp: at.toISOString(),
      file_paths: [`attachments/${String(message.id)}/1-report.pdf`],
      is_sent: false,
      from_sender: 'backoffice',
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
    const id = message.id as string;

    // Another sender's message, and one without a sender: not in backoffice's list.
    const other = (await (
      await fetch(`${base}/schedule-message`, {
        method: 'POST',
        headers,
        body: seedForm(userId, new Date('2030-01-01T00:00:00Z'), { from_sender: 'crm' }),
      })
    ).json()) as { id: string };
    const unlabelled = (await (
      await fetch(`${base}/schedule-message`, {
        method: 'POST',
        headers,
        body: seedForm(userId, new Date('2030-01-01T00:00:00Z'), {}),
      })
    ).json()) as { id: string };
    const listed = async (query: string) =>
      (
        (await (await fetch(`${base}/pending-messages${query}`, { headers })).json()) as {
          id: string;
        }[]
      ).map((pending) => pending.id);
    expect(await listed('?from_sender=crm')).toEqual([other.id]);
    expect(await listed('?from_sender=crm&page=2&format=json')).toEqual([other.id]);
    expect(await listed('')).toEqual(expect.arrayContaining([other.id, unlabelled.id]));

    // Delivered: the text and the file reach the chat, once each.
    await waitUntil(
      async () =>
        (
          (await (await fetch(`${base}/messages/${id}`, { headers })).json()) as {
            is_sent: boolean;
          }
        ).is_sent,
      30_000,
      `message ${id} to be sent`,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${system.logs()}`);
    });
    const calls = system.telegram.delivered('90210');
    expect(calls.map((call) => [call.method, call.text ?? call.fileName])).toEqual([
      ['sendMessage', 'Quarterly report attached'],
      ['sendDocument', 'report.pdf'],
    ]);
    expect(calls[1]?.sha256).toBe(sha256(PDF_BYTES));
    const details = (await (await fetch(`${base}/messages/${id}`, { headers })).json()) as Record<
      string,
      unknown
    >;
    expect(details).toMatchObject({
      status: 'sent',
      from_sender: 'backoffice',
      attachments: [
        expect.objectContaining({ file_name: 'report.pdf', content_type: 'application/pdf' }),
      ],
    });
    expect(await listed('?from_sender=backoffice')).toEqual([]);

    // The audit trail shows what the client sent.
    const events = (await (await fetch(`${base}/messages/${id}/events`, { headers })).json()) as {
      type: string;
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
    }[];
    expect(events[0]).toMatchObject({
      type: 'MessageScheduled',
      data: { fromSender: 'backoffice' },
      metadata: { extraFields: { username: 'ann.admin' } },
    });
    expect(events.map((event) => event.type)).toContain('MessageSent');
  });

  it('refuses too many or too large extra fields with a 400 naming the problem, storing nothing', async () => {
    const subscribed = (await (await subscribe({ chat_id: '90211', chat_name: 'Bo' })).json()) as {
      user_id: string;
    };
    const before = (await system.events()).length;
    const tooLong = await fetch(`${base}/schedule-message`, {
      method: 'POST',
      headers,
      body: seedForm(subscribed.user_id, new Date('2030-01-01T00:00:00Z'), {
        username: 'u'.repeat(1025),
      }),
    });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({
      code: 'EXTRA_FIELD_TOO_LONG',
      details: { field: 'username' },
    });
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, n) => [`field_${n}`, 'x']));
    const tooMany = await fetch(`${base}/schedule-message`, {
      method: 'POST',
      headers,
      body: seedForm(subscribed.user_id, new Date('2030-01-01T00:00:00Z'), many),
    });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ code: 'TOO_MANY_EXTRA_FIELDS' });
    const longName = await subscribe({ chat_id: '90212', chat_name: 'Cy', ['x'.repeat(65)]: 1 });
    expect(longName.status).toBe(400);
    expect(await longName.json()).toMatchObject({ code: 'EXTRA_FIELD_NAME_TOO_LONG' });
    // Exactly at the limits is accepted.
    const atLimits = await fetch(`${base}/schedule-message`, {
      method: 'POST',
      headers,
      body: seedForm(subscribed.user_id, new Date('2030-01-01T00:00:00Z'), {
        ...Object.fromEntries(Array.from({ length: 31 }, (_, n) => [`field_${n}`, 'x'])),
        ['n'.repeat(64)]: 'é'.repeat(512),
      }),
    });
    expect(atLimits.status).toBe(200);
    expect((await system.events()).length).toBe(before + 1);
    expect((await system.storage.list()).filter((key) => key.includes('report.pdf'))).toHaveLength(
      4,
    );
  });
});
