import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { DEFAULT_LEAD_MS } from '../../libs/config/src/config';
import { type AppProcess, TestSystem, waitUntil } from '../support/system';
import { type Figures, measure, report, scheduleWorkload, waitAllSent } from './fault-workload';

const run = promisify(execFile);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SHAPE = { chatCount: 20, messageCount: 30, recipientsPerMessage: 4 };

/**
 * Exactly once per recipient through faults, against the real Postgres and RabbitMQ and the Bot
 * API double. Each scenario prints its figures; lost and limit violations must be 0, and every
 * duplicate must be one of a send Telegram accepted in the instant before its sender died.
 */
describe('Delivery through faults', () => {
  let system: TestSystem;
  let base = 700_000_000;

  beforeEach(async () => {
    // The double in a process of its own: its arrival stamps judge the bot's limits.
    // The deployed lead: faults meet messages held in delivery until their time.
    system = new TestSystem(500, false, true, DEFAULT_LEAD_MS);
    await system.start();
  });
  afterEach(async () => system.stop());

  function expectClean(figures: Figures): void {
    report(figures);
    expect(figures.lost).toBe(0);
    expect(figures.limitViolations).toBe(0);
    expect(figures.duplicates).toBe(figures.duplicatesInCrashWindow);
  }

  async function workload(shape: Partial<typeof SHAPE> & { toEveryone?: boolean } = {}) {
    base += 1000;
    return scheduleWorkload(system, { ...SHAPE, ...shape, chatIdBase: base });
  }

  async function firstSends(count: number): Promise<void> {
    await waitUntil(
      async () => (await system.remoteTelegram.delivered()).length >= count,
      60_000,
      `${count} sends`,
    );
  }

  it('survives the delivery process killed with SIGKILL at random moments, ten times', async () => {
    system.spawn('scheduler');
    let delivery: AppProcess = system.spawn('delivery');
    const work = await workload();
    await firstSends(1);
    for (let kill = 0; kill < 10; kill++) {
      await pause(300 + Math.random() * 900);
      await delivery.kill();
      delivery = system.spawn('delivery');
    }
    await waitAllSent(system, work, 180_000);
    const figures = await measure(system, work, 'delivery SIGKILLed 10 times');
    expectClean(figures);
    expect(figures.delivered).toBe(figures.recipients);
  });

  it('survives RabbitMQ stopped and started mid-run', async () => {
    system.spawn('scheduler');
    system.spawn('delivery');
    const work = await workload();
    await firstSends(10);
    await run('rabbitmqctl', ['-q', 'stop_app']);
    await pause(3000);
    await run('rabbitmqctl', ['-q', 'start_app']);
    await waitAllSent(system, work, 180_000);
    const figures = await measure(system, work, 'RabbitMQ restarted mid-run');
    expectClean(figures);
    expect(figures.delivered).toBe(figures.recipients);
  });

  it('survives Postgres restarted mid-run', async () => {
    system.spawn('scheduler');
    system.spawn('delivery');
    const work = await workload();
    await firstSends(10);
    const version = readdirSync('/etc/postgresql')[0]!;
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart']);
    await waitAllSent(system, work, 180_000);
    const figures = await measure(system, work, 'Postgres restarted mid-run');
    expectClean(figures);
    expect(figures.delivered).toBe(figures.recipients);
  });

  it('keeps to exactly once with two schedulers and two delivery processes', async () => {
    system.spawn('scheduler');
    system.spawn('scheduler');
    system.spawn('delivery');
    system.spawn('delivery');
    const work = await workload();
    await waitAllSent(system, work, 180_000);
    const dues = (await system.events()).filter((event) => event.type === 'MessageDue');
    expect(dues).toHaveLength(work.messages.length);
    const figures = await measure(system, work, 'two schedulers, two deliveries');
    expectClean(figures);
    expect(figures.duplicates).toBe(0);
    expect(figures.delivered).toBe(figures.recipients);
  });

  it('delivers broadcasts part by part with two delivery processes sharing the limits, one SIGKILLed mid-broadcast', async () => {
    system.spawn('scheduler');
    // Parts of ten: each broadcast to forty is four units of work, taken by either process.
    const parts = { AUDIENCE_PART_SIZE: '10' };
    const doomed = system.spawn('delivery', parts);
    system.spawn('delivery', parts);
    const work = await workload({ chatCount: 40, messageCount: 4, toEveryone: true });
    await firstSends(30);
    await doomed.kill();
    await waitAllSent(system, work, 180_000);
    const figures = await measure(system, work, 'broadcasts, two deliveries, one SIGKILLed');
    expectClean(figures);
    expect(figures.delivered).toBe(figures.recipients);
    const partsSent = (await system.events()).filter((event) => event.type === 'AudiencePartSent');
    expect(partsSent).toHaveLength(work.messages.length * 4);
  });

  it('keeps to exactly once and to the limits while Telegram answers 429s, 5xx bursts and 403s', async () => {
    system.spawn('scheduler');
    // Bursts of 5xx may come back to back: more attempts than the suite's default of 3.
    system.spawn('delivery', { DELIVERY_MAX_ATTEMPTS: '10' });
    const blocked = new Set([String(base + 1000 + 3), String(base + 1000 + 11)]);
    for (const chat of blocked) await system.remoteTelegram.block(chat);
    // A storm of ten bursts, then calm: retries must carry every recipient through it.
    let bursts = 0;
    const trouble = setInterval(() => {
      if (++bursts > 10) return;
      if (Math.random() < 0.5) {
        void system.remoteTelegram
          .failNext(1, {
            status: 429,
            description: 'Too Many Requests: retry after 1',
            retryAfter: 1,
          })
          .catch(() => undefined);
      } else {
        void system.remoteTelegram
          .failNext(2, { status: 502, description: 'Bad Gateway' })
          .catch(() => undefined);
      }
    }, 700);
    try {
      const work = await workload();
      await waitAllSent(system, work, 180_000);
      const figures = await measure(system, work, '429s, 5xx bursts and 403s', blocked);
      expectClean(figures);
      expect(figures.duplicates).toBe(0);
      expect(figures.rateLimited).toBeGreaterThan(0);
      expect(figures.failedAsExpected).toBeGreaterThan(0);
      expect(figures.delivered + figures.failedAsExpected).toBe(figures.recipients);
    } finally {
      clearInterval(trouble);
    }
  });
});
