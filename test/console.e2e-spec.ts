import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import request from 'supertest';
import { TEST_API_KEY } from './support/api-harness';
import { auth, startChat } from './support/api-calls';
import { TestSystem } from './support/system';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..');
const ZONE = 'Europe/Berlin';
/** UPDATE_SCREENSHOTS=1: the README's screenshots are made again, into docs/. */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs') : undefined;
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The local date (YYYY-MM-DD) in ZONE of an instant, as the calendar's day cells name theirs. */
function zoneDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, dateStyle: 'short' }).format(at);
}

/** What axe-core finds serious or critical on the page as it is now. */
async function seriousAccessibilityFindings(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol, which the page's CSP does not restrict.
  await page.evaluate(AXE_SOURCE);
  // A string: the page's globals (window, document) are not this file's to type.
  // A string: the page's globals (window, document) are not this file's to type. axe's default
  // rules: WCAG 2 A and AA and best practices (experimental rules left out).
  const violations = await page.evaluate<
    { id: string; impact: string | null; targets: string[] }[]
  >(`axe
    .run(document)
    .then((result) =>
      result.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        targets: violation.nodes.map((node) => node.html.slice(0, 160)),
      })),
    )`);
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.targets.join(' ')}`);
}

/** The web console in headless Chromium, against the whole system and the Bot API double. */
describe('The web console in a real browser', () => {
  const system = new TestSystem(1000);
  let browser: Browser;
  let context: BrowserContext;
  let baseUrl: string;
  const pageErrors: string[] = [];
  /** Every page of the context reports its uncaught errors, checked by the last test. */
  const watchErrors = (watched: BrowserContext) =>
    watched.on('page', (page) =>
      page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`)),
    );

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does)`);
    if (!existsSync(join(ROOT, 'dist', 'console', 'index.html')))
      throw new Error('dist/console is missing: `npm run build` first (npm test does)');
    await system.start();
    system.spawn('scheduler');
    system.spawn('delivery');
    const server = system.api.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
    });
    context = await browser.newContext({
      timezoneId: ZONE,
      locale: 'en-GB',
      viewport: { width: 1280, height: 900 },
    });
    watchErrors(context);
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await system.stop();
  });

  async function openSignedIn(path = '/console/calendar'): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${baseUrl}/console/sign-in`);
    await page.getByLabel('API key').fill(TEST_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Calendar' }).waitFor();
    if (path !== '/console/calendar') await page.goto(`${baseUrl}${path}`);
    return page;
  }

  it('serves the console at /console with a CSP, the page revalidated and hashed assets cached for good', async () => {
    const page = await request(system.server).get('/console/calendar').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(asset).toBeDefined();
    const script = await request(system.server).get(asset!).expect(200);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    await request(system.server).get('/console/assets/gone-1234.js').expect(404);
  });

  it('refuses a wrong key, keeps the right one for the session only, and signs out', async () => {
    const page = await context.newPage();
    await page.goto(`${baseUrl}/console`);
    await page.getByRole('heading', { name: 'Scheduled messages' }).waitFor();
    expect(page.url()).toBe(`${baseUrl}/console/sign-in`);
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That API key was not accepted').waitFor();

    await page.getByLabel('API key').fill(TEST_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Calendar' }).waitFor();
    expect(page.url()).not.toContain(TEST_API_KEY);
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(await page.evaluate('localStorage.length')).toBe(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.close();
  });

  it('composes a message with two files, which turns to sent live on its page, both recipients delivered', async () => {
    const ann = await startChat(system, 7_100_001, { firstName: 'Ann' });
    const bob = await startChat(system, 7_100_002, { firstName: 'Bob' });
    const page = await openSignedIn();
    await page.getByRole('link', { name: 'New message' }).click();
    await page.getByRole('heading', { name: 'New message' }).waitFor();
    expect(await seriousAccessibilityFindings(page)).toEqual([]);

    await page.getByLabel('Text').fill('Console hello, <b>bold</b>');
    await page.getByLabel('Formatting').selectOption('HTML');
    await expect(page.locator('.preview strong').innerText()).resolves.toBe('bold');
    const subscribers = page.getByRole('list', { name: 'Subscribers' });
    await subscribers.getByText(ann.userId).waitFor();
    await subscribers.getByRole('checkbox', { name: new RegExp(ann.userId) }).check();
    await subscribers.getByRole('checkbox', { name: new RegExp(bob.userId) }).check();
    await page.getByLabel('Files', { exact: true }).setInputFiles([
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('first file') },
      { name: 'data.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n1,2\n') },
    ]);
    // Due in a few seconds, in the browser's zone.
    const dueAt = new Date(Date.now() + 6000);
    const local = await page.evaluate((at) => {
      const date = new Date(at);
      const pad = (value: number) => String(value).padStart(2, '0');
      return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
    }, dueAt.getTime());
    await page.getByLabel(/^Send at/).fill(local);
    // A double click: one message (the second click is ignored, and would carry the same key).
    await page.getByRole('button', { name: 'Schedule' }).dblclick();
    await page.getByRole('heading', { name: 'Message', exact: true }).waitFor();
    const messageId = page.url().split('/').at(-1)!;
    // Once, whatever state it is in by now (it is due in seconds).
    const listed = await request(system.server).get('/messages?limit=200').set(auth).expect(200);
    expect(
      (listed.body.items as { message: string }[]).filter((m) =>
        m.message.startsWith('Console hello'),
      ),
    ).toHaveLength(1);

    await page.evaluate('window.stillHere = true');
    await page.getByTestId('message-status').getByText('sent').waitFor({ timeout: 30_000 });
    await page.getByTestId('recipient-counts').getByText('2 delivered').waitFor();
    // Changed live: the page was never loaded again.
    expect(await page.evaluate('window.stillHere')).toBe(true);
    expect(await page.getByTestId('recipient-row').count()).toBe(2);
    await page.getByTestId('timeline').getByText('MessageSent').waitFor();
    expect(await page.getByRole('button', { name: 'notes.txt' }).count()).toBe(1);
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    if (SCREENSHOTS)
      await page.screenshot({ path: join(SCREENSHOTS, 'console-message.png'), fullPage: true });

    for (const chat of [ann.chatId, bob.chatId]) {
      const calls = system.telegram
        .delivered(chat)
        .filter((call) => call.method !== 'sendMessage' || call.text?.includes('Console hello'));
      expect(calls.map((call) => call.method).sort()).toEqual([
        'sendDocument',
        'sendDocument',
        'sendMessage',
      ]);
    }
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
    await page.close();
  });

  it('charts delivery health from GET /delivery-health: the two deliveries above, no dead letter', async () => {
    const health = await request(system.server).get('/delivery-health').set(auth).expect(200);
    const delivered = (health.body.sends_per_minute as { delivered: number }[]).reduce(
      (sum, minute) => sum + minute.delivered,
      0,
    );
    expect(delivered).toBe(2);
    const onTime = (health.body.lateness as { up_to_seconds: number | null; recipients: number }[])
      .filter((bucket) => bucket.up_to_seconds !== null && bucket.up_to_seconds <= 30)
      .reduce((sum, bucket) => sum + bucket.recipients, 0);
    expect(onTime).toBe(2);
    expect(health.body.dead_letters).toBe(0);
    expect(health.body.followers.map((follower: { name: string }) => follower.name)).toContain(
      'outbox',
    );
    await request(system.server).get('/delivery-health?minutes=0').set(auth).expect(400);

    const page = await openSignedIn('/console/health');
    await page.getByRole('heading', { name: 'Delivery health' }).waitFor();
    await page.getByTestId('delivered-total').getByText('2').waitFor();
    expect(await page.getByTestId('dead-letters').innerText()).toBe('0');
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    await page.close();
  });

  it('reschedules a message dragged to another day on the calendar (MessageRescheduled in its timeline)', async () => {
    const { userId } = await startChat(system, 7_100_003, { firstName: 'Cleo' });
    const tomorrow = new Date(Date.now() + 86_400_000);
    const scheduled = await request(system.server)
      .post('/schedule-message')
      .set(auth)
      .field('target_user_id', userId)
      .field('message', 'Drag me')
      .field('scheduled_timestamp', tomorrow.toISOString())
      .expect(200);
    const page = await openSignedIn();
    await page.getByRole('button', { name: 'month' }).click();
    const entry = page.locator('.fc-event', { hasText: 'Drag me' });
    await entry.waitFor();
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'console-calendar.png') });

    const target = page.locator(
      `td.fc-daygrid-day[data-date="${zoneDate(new Date(tomorrow.getTime() + 86_400_000))}"]`,
    );
    const from = (await entry.boundingBox())!;
    const to = (await target.boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 15 });
    await page.mouse.up();
    await page.getByText('moved to').waitFor();

    const events = await request(system.server)
      .get(`/messages/${scheduled.body.id}/events`)
      .set(auth)
      .expect(200);
    const rescheduled = (events.body as { type: string; data: { scheduledAt: string } }[]).find(
      (event) => event.type === 'MessageRescheduled',
    );
    expect(rescheduled).toBeDefined();
    expect(Date.parse(rescheduled!.data.scheduledAt) - tomorrow.getTime()).toBeCloseTo(
      86_400_000,
      -4,
    );

    // From the keyboard: the entry takes the focus, Enter opens the message.
    await entry.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('timeline').getByText('MessageRescheduled').waitFor();
    await page.close();
  });

  it('shows message text and names as text, never as HTML', async () => {
    const { userId } = await startChat(system, 7_100_004, {
      firstName: '<img src=x onerror="window.pwned=1">',
    });
    const text = '<script>window.pwned = 2</script><img src=x onerror="window.pwned=3">';
    const scheduled = await request(system.server)
      .post('/schedule-message')
      .set(auth)
      .field('target_user_id', userId)
      .field('message', text)
      .field('scheduled_timestamp', new Date(Date.now() + 3_600_000).toISOString())
      .expect(200);
    const page = await openSignedIn(`/console/messages/${scheduled.body.id}`);
    await page.getByTestId('message-text').waitFor();
    expect(await page.getByTestId('message-text').innerText()).toBe(text);
    await page.goto(`${baseUrl}/console/subscribers`);
    await page
      .getByRole('link', { name: /onerror/ })
      .first()
      .waitFor();
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    // Searched on the server: by user id, one subscriber.
    await page.getByLabel('Search').fill(userId);
    await page.getByText('1 shown').waitFor();
    await page
      .getByRole('link', { name: /onerror/ })
      .first()
      .click();
    await page.getByTestId('timeline').getByText('UserSubscribed').waitFor();
    expect(await seriousAccessibilityFindings(page)).toEqual([]);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    await page.close();
  });

  it('fits a 375-pixel-wide phone screen', async () => {
    const phone = await browser.newContext({
      timezoneId: ZONE,
      viewport: { width: 375, height: 740 },
    });
    watchErrors(phone);
    const page = await phone.newPage();
    await page.goto(`${baseUrl}/console/sign-in`);
    await page.getByLabel('API key').fill(TEST_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Calendar' }).waitFor();
    for (const path of [
      '/console/calendar',
      '/console/compose',
      '/console/subscribers',
      '/console/health',
    ]) {
      await page.goto(`${baseUrl}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      const overflow = await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      // What sticks out, named (a wide table scrolls in its own box, which is fine).
      const wide = await page.evaluate<string[]>(`[...document.querySelectorAll('body *')]
        .filter((element) => !element.closest('.table-scroll'))
        .filter((element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .slice(0, 5)
        .map((element) => element.tagName + '.' + element.className + ' ' + Math.round(element.getBoundingClientRect().right))`);
      expect({ path, overflow, wide }).toEqual({ path, overflow: 0, wide: [] });
    }
    await phone.close();
  });

  it('raised no error in the pages', () => {
    expect(pageErrors).toEqual([]);
  });
});

// The routes the console stands on: the live stream (resumed after a drop, with Last-Event-ID)
// and the subscribers' search.
describe('GET /events/live, GET /subscribers', () => {
  const system = new TestSystem(1000);
  beforeAll(async () => system.start());
  afterAll(async () => system.stop());

  /**
   * Opens the stream; resolves once its headers came, which the server sends after its first read
   * of the log (so what is committed from then on is in it). `read(n)` reads the next n events.
   */
  async function openLive(headers: Record<string, string>) {
    const server = system.api.getHttpServer() as Server;
    if (!server.listening)
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events/live`;
    const controller = new AbortController();
    const response = await fetch(url, {
      headers: { 'X-API-Key': TEST_API_KEY, ...headers },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    /** Every id the stream named, events or not (the first names where it starts). */
    const ids: string[] = [];
    return {
      ids,
      async read(count: number): Promise<{ id: string; type: string }[]> {
        const records: { id: string; type: string }[] = [];
        while (records.length < count) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const record = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id: (.*)$/m.exec(record)?.[1];
            const type = /^event: (.*)$/m.exec(record)?.[1];
            if (id) ids.push(id);
            if (id && type) records.push({ id, type });
          }
        }
        return records;
      },
      close: () => controller.abort(),
    };
  }

  it('streams events committed from now on, and goes on after Last-Event-ID without a gap or a repeat', async () => {
    const subscribe = (chat: string) =>
      request(system.server)
        .post('/subscribe-user')
        .set(auth)
        .send({ chat_id: chat, chat_name: `live ${chat}` })
        .expect(200);
    await subscribe('8100001');
    // The stream starts at the end of the log: the subscription before it is not sent.
    const live = await openLive({});
    await subscribe('8100002');
    await subscribe('8100003');
    const first = await live.read(2);
    live.close();
    expect(first.map((record) => record.type)).toEqual(['UserSubscribed', 'UserSubscribed']);
    // It named its starting place first: the position of the subscription before it.
    expect(Number(live.ids[0])).toBeLessThan(Number(first[0]!.id));

    await subscribe('8100004');
    const resumed = await openLive({ 'Last-Event-ID': first[0]!.id });
    const next = await resumed.read(2);
    resumed.close();
    expect(next.map((record) => record.id)).toEqual([first[1]!.id, expect.any(String)]);
    expect(Number(next[1]!.id)).toBeGreaterThan(Number(first[1]!.id));
  });

  it('pages through subscribers searched by name, each once, and refuses a bad page', async () => {
    const names = ['Zed one', 'zed two', 'Zed three', 'Other'];
    for (const [n, name] of names.entries())
      await request(system.server)
        .post('/subscribe-user')
        .set(auth)
        .send({ chat_id: String(8200001 + n), chat_name: name })
        .expect(200);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(system.server)
        .get('/subscribers')
        .query({ search: 'ZED', limit: 2, ...(cursor ? { cursor } : {}) })
        .set(auth)
        .expect(200);
      seen.push(...(page.body.items as { chat_name: string }[]).map((item) => item.chat_name));
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    expect(seen).toEqual(['Zed one', 'zed two', 'Zed three']);
    const unsubscribed = await request(system.server)
      .get('/subscribers?status=unsubscribed&search=zed')
      .set(auth)
      .expect(200);
    expect(unsubscribed.body.items).toEqual([]);
    await request(system.server).get('/subscribers?limit=0').set(auth).expect(400);
    await request(system.server).get('/subscribers?cursor=nonsense').set(auth).expect(400);
    const notAnId = Buffer.from('2026-01-01T00:00:00.000000Z|zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz');
    await request(system.server)
      .get(`/subscribers?cursor=${notAnId.toString('base64url')}`)
      .set(auth)
      .expect(400);
    await request(system.server).get('/subscribers?search=a%00b').set(auth).expect(400);
  });

  it('refuses a position that is not one, and asks for the key', async () => {
    await request(system.server)
      .get('/events/live')
      .set(auth)
      .set('Last-Event-ID', 'abc')
      .expect(400);
    await request(system.server).get('/events/live').expect(401);
  });
});
