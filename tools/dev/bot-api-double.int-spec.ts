import { BotApiDouble } from './bot-api-double';

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

  const send = async (chatId: string) => {
    const response = await fetch(`${url}/bot123:token/sendMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ chat_id: chatId, text: 'hi' }),
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

  it('lets everything through without limits set', async () => {
    telegram.enforcedLimits = undefined;
    for (let n = 0; n < 5; n++) expect((await send('400')).status).toBe(200);
  });
});
