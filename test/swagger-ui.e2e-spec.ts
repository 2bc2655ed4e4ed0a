import { existsSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { startApi, type ApiHarness, TEST_API_KEY } from './support/api-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Swagger UI driven as a person would: authorise with a key, try a route, read the answer. */
describe('Swagger UI in a real browser', () => {
  let api: ApiHarness;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does)`);
    api = await startApi();
    const server = api.server as unknown as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await api.close();
  });

  it('authorises with an API key and runs "Try it out" on GET /subscribed-users', async () => {
    await request(api.server)
      .post('/subscribe-user')
      .set('X-API-Key', TEST_API_KEY)
      .send({ chat_id: '424242', chat_name: 'Browser' })
      .expect(200);
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/docs`);

    await page.getByRole('button', { name: 'Authorize' }).first().click();
    const dialog = page.locator('.modal-ux');
    // The first scheme is the X-API-Key header.
    await dialog.locator('input').first().fill(TEST_API_KEY);
    await dialog.locator('button.authorize').first().click();
    // The scheme shows as authorised, its value masked.
    await dialog.getByText('Authorized', { exact: true }).waitFor();
    await dialog.locator('button.close-modal').click();

    const operation = page.locator('#operations-subscribers-SubscribersController_list');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();
    const body = operation.locator('.live-responses-table .response-col_description pre').first();
    await body.waitFor();
    const text = await body.innerText();
    const users = JSON.parse(text) as { chat_id: string; chat_name: string }[];
    expect(users).toEqual([expect.objectContaining({ chat_id: '424242', chat_name: 'Browser' })]);
    const status = await operation
      .locator('.live-responses-table tr.response .response-col_status')
      .first()
      .innerText();
    expect(status.trim()).toBe('200');
  });
});
