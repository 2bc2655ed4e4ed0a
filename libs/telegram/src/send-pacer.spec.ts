import { ManualClock } from '../../runtime/src/clock';
import { SendPacer } from './send-pacer';

/** Runs sends against a manual clock; the pacer's sleeps move the clock instead of waiting. */
function harness(limits = { perSecond: 30, chatIntervalMs: 1000, groupPerMinute: 20 }) {
  const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
  const created = clock.now().getTime();
  // Each sleep moves the clock, then yields to the event loop as a real timer would.
  const pacer = new SendPacer(limits, clock, async (ms) => {
    clock.set(new Date(clock.now().getTime() + ms));
    await new Promise((resolve) => setImmediate(resolve));
  });
  // Past the pause a new pacer starts with (see the warm-up test).
  clock.set(new Date(created + 1100));
  const started = clock.now().getTime();
  const starts: { chatId: string; at: number }[] = [];
  async function send(chatId: string, durationMs = 0) {
    const slot = await pacer.acquire(chatId);
    starts.push({ chatId, at: clock.now().getTime() - started });
    clock.set(new Date(clock.now().getTime() + durationMs));
    slot.release();
  }
  return { pacer, clock, starts, send };
}

function maxInWindow(times: number[], windowMs: number): number {
  return Math.max(
    0,
    ...times.map(
      (time) => times.filter((other) => other >= time && other < time + windowMs).length,
    ),
  );
}

describe('SendPacer', () => {
  it('keeps the whole bot at no more than 30 sends in any second', async () => {
    const { starts, send } = harness();
    for (let chat = 0; chat < 200; chat++) await send(String(1000 + chat));
    expect(
      maxInWindow(
        starts.map((start) => start.at),
        1000,
      ),
    ).toBeLessThanOrEqual(30);
    // And it does not crawl: 200 sends take about 200 / 30 seconds.
    expect(starts.at(-1)!.at).toBeLessThan(8000);
  });

  it('leaves a second between the end of one send to a chat and the start of the next', async () => {
    const { starts, send } = harness();
    for (let part = 0; part < 5; part++) await send('42', 300);
    const gaps = starts.slice(1).map((start, index) => start.at - starts[index]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1300);
  });

  it('sends to one group at most 20 times a minute', async () => {
    const { starts, send } = harness();
    for (let part = 0; part < 45; part++) await send('-100123');
    expect(
      maxInWindow(
        starts.map((start) => start.at),
        60_000,
      ),
    ).toBeLessThanOrEqual(20);
  });

  it('holds every send of the bot while a 429 is waited out', async () => {
    const { pacer, starts, send } = harness();
    await send('1');
    pacer.pauseAll(5000);
    await send('2');
    await send('3');
    expect(starts.map((start) => start.at)).toEqual([0, 5000, 5000]);
  });

  it('does not let two sends to one chat overlap', async () => {
    const { pacer } = harness();
    const first = await pacer.acquire('7');
    let second = false;
    const waiting = pacer.acquire('7').then((slot) => {
      second = true;
      slot.release();
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(second).toBe(false);
    first.release();
    await waiting;
    expect(second).toBe(true);
  });

  it('counts the bot-wide second from when a request departs, not from when it took its slot', async () => {
    const { pacer, clock, starts, send } = harness();
    const started = clock.now().getTime();
    // An upload takes its slot, then spends 400 ms opening its stream before it leaves.
    const upload = await pacer.acquire('500');
    clock.set(new Date(started + 400));
    upload.departing();
    upload.release();
    for (let chat = 0; chat < 40; chat++) await send(String(1000 + chat));
    // 29 more fit beside the upload; the 30th waits for the upload's second to pass, counted
    // from its departure at 400 ms.
    const thirtieth = starts[29]!.at;
    expect(thirtieth).toBeGreaterThanOrEqual(1400);
    const times = [400, ...starts.map((start) => start.at)];
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(30);
  });

  it('counts a request that leaves after its slot has dropped out of the window', async () => {
    const { pacer, clock, starts, send } = harness({
      perSecond: 2,
      chatIntervalMs: 1000,
      groupPerMinute: 20,
    });
    const started = clock.now().getTime();
    const upload = await pacer.acquire('500');
    // Another send, then the upload leaves 1.5 s after taking its slot.
    clock.set(new Date(started + 1100));
    await send('501');
    clock.set(new Date(started + 1500));
    upload.departing();
    upload.release();
    await send('502');
    // 501 (at 1100) and the upload (at 1500) fill the second: 502 waits for 501's to pass.
    expect(starts.at(-1)!.at).toBeGreaterThanOrEqual(1100 + 1000);
  });

  it('makes a new process wait one chat interval before its first send', async () => {
    const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
    const created = clock.now().getTime();
    const pacer = new SendPacer(
      { perSecond: 30, chatIntervalMs: 1000, groupPerMinute: 20 },
      clock,
      async (ms) => {
        clock.set(new Date(clock.now().getTime() + ms));
        await new Promise((resolve) => setImmediate(resolve));
      },
    );
    (await pacer.acquire('1')).release();
    expect(clock.now().getTime() - created).toBeGreaterThanOrEqual(1000);
  });

  it('counts the sends another process made, as the log shows them, when it takes over', async () => {
    const { pacer, clock, starts, send } = harness();
    expect(pacer.isCold()).toBe(true);
    const now = clock.now().getTime();
    pacer.observe('42', new Date(now - 200));
    for (let chat = 0; chat < 29; chat++) pacer.observe(String(chat), new Date(now - 100));
    await send('42');
    await send('43');
    // Chat 42 had a send 200 ms ago: its next waits for the interval; the bot's window is full.
    expect(starts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(pacer.isCold()).toBe(false);
  });
});
