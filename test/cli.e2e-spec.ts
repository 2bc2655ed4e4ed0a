import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { TEST_API_KEY } from './support/api-harness';
import { TestSystem, waitUntil } from './support/system';

const ROOT = resolve(__dirname, '..');
const auth = { Authorization: `Bearer ${TEST_API_KEY}` };

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('The CLI: replay, audit, events, verify', () => {
  const system = new TestSystem();
  let chat = 900_000;

  beforeAll(async () => system.start());
  afterAll(async () => system.stop());

  function cli(args: string[], onStdout?: (text: string) => void) {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js'), ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: system.databaseUrl },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const run: CliRun = { code: null, stdout: '', stderr: '' };
    child.stdout.on('data', (chunk: Buffer) => {
      run.stdout += chunk.toString();
      onStdout?.(run.stdout);
    });
    child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
    const done = new Promise<CliRun>((finish) =>
      child.once('exit', (code) => finish({ ...run, code })),
    );
    return { child, done, run };
  }

  const runCli = (...args: string[]) => cli(args).done;

  async function subscribe(): Promise<{ userId: string; chatId: string }> {
    const chatId = String(++chat);
    const response = await request(system.server)
      .post('/subscribe-user')
      .set(auth)
      .send({ chat_id: chatId, chat_name: `chat ${chatId}` })
      .expect(200);
    return { userId: response.body.user_id, chatId };
  }

  async function schedule(recipients: string[], text: string): Promise<string> {
    const response = await request(system.server)
      .post('/schedule-message')
      .set(auth)
      .field('target_user_id', recipients.join(','))
      .field('message', text)
      .field('scheduled_timestamp', '2031-06-01T12:00:00Z')
      .attach('files', Buffer.from('agenda'), 'agenda.txt')
      .expect(200);
    return response.body.id as string;
  }

  async function tables(): Promise<unknown> {
    const em = system.orm.em.fork();
    return {
      subscribers: await em.execute(
        'SELECT to_jsonb(t) AS row FROM subscribers t ORDER BY user_id',
      ),
      messages: await em.execute('SELECT to_jsonb(t) AS row FROM messages t ORDER BY id'),
      recipients: await em.execute(
        'SELECT to_jsonb(t) AS row FROM message_recipients t ORDER BY message_id, user_id',
      ),
      series: await em.execute('SELECT to_jsonb(t) AS row FROM series t ORDER BY id'),
      occurrences: await em.execute(
        'SELECT to_jsonb(t) AS row FROM series_occurrences t ORDER BY series_id, occurrence_at',
      ),
    };
  }

  it('is what `npm run cli` runs', async () => {
    const { scripts } = (await import('../package.json')) as { scripts: Record<string, string> };
    expect(scripts.cli).toMatch(/&& node dist\/apps\/cli\/src\/main\.js$/);
  });

  it('audits a message and a subscriber as timelines', async () => {
    const [a, b] = [await subscribe(), await subscribe()];
    const id = await schedule([a.userId, b.userId], 'Quarterly review');
    await request(system.server)
      .patch(`/messages/${id}`)
      .set(auth)
      .send({ scheduled_timestamp: '2031-07-01T12:00:00Z' })
      .expect(200);

    const message = await runCli('audit', 'message', id);
    expect(message.code).toBe(0);
    const lines = message.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Message ${id}: 2 events`);
    expect(lines[1]).toMatch(
      /^\d{4}-\d{2}-\d{2}T\S+Z\s+#\d+\s+MessageScheduled\s+api-key:tester\s+for 2031-06-01T12:00:00.000Z, to 2 recipients, 1 file \(agenda.txt\), "Quarterly review"$/,
    );
    expect(lines[2]).toContain('moved from 2031-06-01T12:00:00.000Z to 2031-07-01T12:00:00.000Z');

    const subscriber = await runCli('audit', 'subscriber', a.chatId);
    expect(subscriber.code).toBe(0);
    expect(subscriber.stdout).toContain(`Subscriber ${a.userId}: 2 events`);
    expect(subscriber.stdout).toMatch(/UserSubscribed .*chat \d+ \(chat \d+\) subscribed as/);
    expect(subscriber.stdout).toContain(`[message-${id}]`);

    const unknown = await runCli('audit', 'message', 'not-an-id');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('takes a message id');
  });

  it('audits a series with what became of each occurrence', async () => {
    const a = await subscribe();
    const created = await request(system.server)
      .post('/series')
      .set(auth)
      .field('target_user_id', a.userId)
      .field('message', 'Team lunch')
      .field('rrule', 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=12;BYMINUTE=30')
      .field('dtstart', '2031-01-03T12:30')
      .field('time_zone', 'America/New_York')
      .expect(201);
    const id = created.body.id as string;
    await request(system.server)
      .post(`/series/${id}/occurrences/${created.body.next_occurrences[1]}/skip`)
      .set(auth)
      .expect(200);
    await request(system.server).post(`/series/${id}/pause`).set(auth).expect(200);

    const audit = await runCli('audit', 'series', id);
    expect(audit.code).toBe(0);
    const lines = audit.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Series ${id}: 4 events`);
    expect(lines[1]).toMatch(
      /SeriesCreated\s+api-key:tester\s+FREQ=WEEKLY;BYDAY=FR;BYHOUR=12;BYMINUTE=30 from 2031-01-03T12:30 \(America\/New_York\), to 1 recipient, "Team lunch"$/,
    );
    expect(lines[2]).toMatch(
      /OccurrencePlanned .*occurrence 2031-01-03T17:30:00.000Z \(2031-01-03T12:30:00 local\)/,
    );
    expect(lines[3]).toMatch(/└ message [0-9a-f-]{36}: MessageCancelled$/);
    expect(lines[4]).toContain('occurrence 2031-01-10T17:30:00.000Z skipped');
    expect(lines[5]).toMatch(/SeriesPaused .*paused \(cancels [0-9a-f-]{36}\)$/);
    const unknown = await runCli('audit', 'series', 'nope');
    expect(unknown.code).toBe(2);
  });

  it('exports the log as JSON lines, whole or by position', async () => {
    const stored = await system.events();
    // The log shows a transaction once every older one in the cluster has ended: other test
    // files' transactions may hold the newest events back a moment.
    let events: { position: number; type: string; event_id: string }[] = [];
    for (let attempt = 1; attempt <= 20 && events.length < stored.length; attempt++) {
      const all = await runCli('events', 'export');
      expect(all.code).toBe(0);
      events = all.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { position: number; type: string; event_id: string });
    }
    expect(events).toHaveLength(stored.length);
    expect(new Set(events.map((event) => event.type))).toEqual(
      new Set(stored.map((event) => event.type)),
    );
    const positions = events.map((event) => event.position).sort((x, y) => x - y);
    const [from, to] = [positions[1]!, positions.at(-1)!];
    const some = await runCli('events', 'export', '--from', String(from), '--to', String(to));
    const slice = some.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).position);
    expect(slice.sort((x: number, y: number) => x - y)).toEqual(
      positions.filter((position) => position >= from && position < to),
    );
  });

  it('tails the log live, filtered by type, until interrupted', async () => {
    const user = await subscribe();
    let seen = '';
    const tail = cli(['events', 'tail', '--type', 'MessageScheduled', '--json'], (text) => {
      seen = text;
    });
    // Events from before it found the end of the log must not show; it says when it has.
    await waitUntil(
      () => tail.run.stderr.includes('Following the log'),
      15_000,
      'the tail to start',
    );
    const id = await schedule([user.userId], 'Live');
    await waitUntil(() => seen.includes(id), 15_000, 'the tail to show the new message');
    tail.child.kill('SIGINT');
    const ended = await tail.done;
    expect(ended.code).toBe(0);
    const lines = ended.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ type: 'MessageScheduled', data: { messageId: id } });
  });

  it('replays the projections to the same rows while the API keeps accepting requests', async () => {
    const user = await subscribe();
    const before = await tables();
    const replay = await runCli('replay');
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(
      /^Replayed \d+ events into read-models, scheduler-pending-deadlines/,
    );
    expect(replay.stderr).toMatch(/100%/);
    expect(await tables()).toEqual(before);

    // Requests during a replay: none lost from the rebuilt tables, none shown twice.
    const running = runCli('replay', 'read-models');
    const ids: string[] = [];
    for (let n = 0; n < 20; n++) ids.push(await schedule([user.userId], `during replay ${n}`));
    expect((await running).code).toBe(0);
    const pending = await request(system.server).get('/pending-messages').set(auth).expect(200);
    const listed = (pending.body as { id: string }[]).map((message) => message.id);
    for (const id of ids) expect(listed.filter((entry) => entry === id)).toHaveLength(1);
    const afterConcurrent = await tables();
    expect((await runCli('replay', 'read-models')).code).toBe(0);
    expect(await tables()).toEqual(afterConcurrent);
  });

  it('verifies the log, and lists what breaks an invariant', async () => {
    const clean = await runCli('verify');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/^Checked \d+ events: no violations$/m);

    // A MessageSent for a message nobody delivered: written past the application, as a bug might.
    const user = await subscribe();
    const id = await schedule([user.userId], 'Never delivered');
    await system.orm.em.fork().execute(
      `INSERT INTO events (event_id, stream_id, stream_version, type, data, metadata)
       VALUES (gen_random_uuid(), ?, 2, 'MessageSent', ?::jsonb, '{"actor":"test","correlationId":"x","causationId":null}')`,
      [`message-${id}`, JSON.stringify({ messageId: id, delivered: 0, failed: 0 })],
    );
    const broken = await runCli('verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`message-${id}  MessageSent  delivery_after_due`);
    expect(broken.stdout).toContain(`message-${id}  MessageSent  sent_after_every_outcome`);
    expect(broken.stdout).toMatch(/: 2 violation\(s\)$/m);
  });
});
