import type { MikroORM } from '@mikro-orm/postgresql';
import {
  connectOrm,
  createTestDatabase,
  type TestDatabase,
} from '../../../test/support/test-database';
import { SystemClock } from '../../runtime/src/clock';
import { NO_LIMITS, SendBudget, TELEGRAM_LIMITS } from './send-budget';

interface Send {
  readonly chatId: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly by: number;
}

/** The most starts within any window of `windowMs`. */
function mostInAnyWindow(starts: readonly number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** The ORM, its answers to the statements `holdMs` picks handed over that much later. */
function holdingAnswers(orm: MikroORM, holdMs: (sql: string) => number): MikroORM {
  return new Proxy(orm, {
    get(target, property, receiver) {
      if (property !== 'em') return Reflect.get(target, property, receiver) as unknown;
      return {
        fork: () => {
          const em = target.em.fork();
          return new Proxy(em, {
            get(forked, name, forkedReceiver) {
              if (name !== 'execute') return Reflect.get(forked, name, forkedReceiver) as unknown;
              return async (sql: string, params?: unknown[]) => {
                const answer: unknown = await forked.execute(sql, params);
                const ms = holdMs(sql);
                if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
                return answer;
              };
            },
          });
        },
      };
    },
  });
}

describe('SendBudget: the limits shared by every delivery process, on the real Postgres', () => {
  let database: TestDatabase;
  let orms: MikroORM[];
  const clock = new SystemClock();

  beforeAll(async () => {
    database = await createTestDatabase();
    // Two connection pools, as two delivery processes have.
    orms = [await connectOrm(database.url), await connectOrm(database.url)];
  });
  afterAll(async () => {
    for (const orm of orms) await orm.close(true);
    await database.drop();
  });

  /** Sends through a budget: acquire, leave at once, answered after `holdMs`, release. */
  async function send(budget: SendBudget, by: number, chatId: string, holdMs = 0): Promise<Send> {
    const slot = await budget.acquire(chatId);
    const startedAt = Date.now();
    slot.departing();
    if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
    const endedAt = Date.now();
    await slot.release();
    return { chatId, startedAt, endedAt, by };
  }

  it('keeps two processes sending to many chats together within 30 a second, spread, not bursted', async () => {
    const budgets = orms.map((orm) => new SendBudget(orm, TELEGRAM_LIMITS, clock, 'spread'));
    const sends = await Promise.all(
      Array.from({ length: 75 }, (_, index) =>
        send(budgets[index % 2]!, index % 2, `chat-${index}`),
      ),
    );
    const starts = sends.map((sent) => sent.startedAt);
    expect(mostInAnyWindow(starts, 1000)).toBeLessThanOrEqual(30);
    // Slots ~34 ms apart, each left within 20 ms of its slot: never more than 4 in 100 ms.
    expect(mostInAnyWindow(starts, 100)).toBeLessThanOrEqual(4);
    // Both processes sent: the budget is shared, not taken by one.
    expect(new Set(sends.map((sent) => sent.by)).size).toBe(2);
  });

  it('counts an album as its items: no second holds more than 30 however albums fall among single sends', async () => {
    const budgets = orms.map((orm) => new SendBudget(orm, TELEGRAM_LIMITS, clock, 'albums'));
    // Every fifth request an album of 2 to 10 items, the rest single sends, from two processes.
    const weights = Array.from({ length: 60 }, (_, index) =>
      index % 5 === 4 ? 2 + (index % 9) : 1,
    );
    const sends = await Promise.all(
      weights.map(async (weight, index) => {
        const budget = budgets[index % 2]!;
        const slot = await budget.acquire(`chat-${index}`, weight);
        const startedAt = Date.now();
        slot.departing();
        await slot.release();
        return { startedAt, weight };
      }),
    );
    // Telegram counts an album's items at the instant it arrives.
    const counted = sends.flatMap((sent) =>
      Array.from({ length: sent.weight }, () => sent.startedAt),
    );
    expect(counted.length).toBeGreaterThan(90);
    expect(mostInAnyWindow(counted, 1000)).toBeLessThanOrEqual(30);
  });

  it('keeps to the slots when the answers reserving them are held up (a slow commit, a busy process)', async () => {
    let reservations = 0;
    // Every other reservation of the second process is answered 40 ms late.
    const held = holdingAnswers(orms[1]!, (sql) =>
      sql.includes('UPDATE send_budget AS budget SET') && reservations++ % 2 === 1 ? 40 : 0,
    );
    const budgets = [orms[0]!, held].map(
      (orm) => new SendBudget(orm, TELEGRAM_LIMITS, clock, 'held-answers'),
    );
    const sends = await Promise.all(
      Array.from({ length: 75 }, (_, index) =>
        send(budgets[index % 2]!, index % 2, `held-${index}`),
      ),
    );
    expect(reservations).toBeGreaterThan(4);
    expect(
      mostInAnyWindow(
        sends.map((sent) => sent.startedAt),
        1000,
      ),
    ).toBeLessThanOrEqual(30);
  });

  it('lets one send at a time reach a chat, across processes, a second after the last one ended', async () => {
    const budgets = orms.map((orm) => new SendBudget(orm, TELEGRAM_LIMITS, clock, 'per-chat'));
    const sends = await Promise.all(
      Array.from({ length: 4 }, (_, index) => send(budgets[index % 2]!, index % 2, '4242', 50)),
    );
    const inOrder = [...sends].sort((a, b) => a.startedAt - b.startedAt);
    for (let index = 1; index < inOrder.length; index++) {
      expect(inOrder[index]!.startedAt - inOrder[index - 1]!.endedAt).toBeGreaterThanOrEqual(1000);
    }
    expect(new Set(sends.map((sent) => sent.by)).size).toBe(2);
  });

  it('spaces sends to a group by its 20 a minute', async () => {
    const budget = new SendBudget(orms[0]!, TELEGRAM_LIMITS, clock, 'group');
    const first = await send(budget, 0, '-100777');
    const second = await send(budget, 0, '-100777');
    expect(second.startedAt - first.endedAt).toBeGreaterThanOrEqual(3000);
  });

  it('counts each item of an album to a group against its limit, before and after it', async () => {
    // 600 a minute: 100 ms between two sends to a group, so an album of 3 holds it for 300 ms.
    const limits = { ...TELEGRAM_LIMITS, chatIntervalMs: 50, groupPerMinute: 600 };
    const budget = new SendBudget(orms[0]!, limits, clock, 'group-album');
    const times: number[] = [];
    for (const sends of [1, 3, 1]) {
      const slot = await budget.acquire('-100888', sends);
      times.push(Date.now());
      slot.departing();
      await slot.release();
    }
    const [first, album, last] = times as [number, number, number];
    // The album's first item a whole interval after the send before, its last item's interval
    // before the next: at most ten in any second, as 600 a minute allows.
    expect(album - first).toBeGreaterThanOrEqual(300);
    expect(last - album).toBeGreaterThanOrEqual(300);
  });

  it('holds every process back after a 429 in one of them', async () => {
    const [one, other] = orms.map((orm) => new SendBudget(orm, TELEGRAM_LIMITS, clock, 'paused'));
    await send(other!, 1, 'warm-up');
    const pausedAt = Date.now();
    await one!.pauseAll(1500);
    const after = await send(other!, 1, 'after-the-pause');
    expect(after.startedAt - pausedAt).toBeGreaterThanOrEqual(1500);
  });

  it('without pacing (a Bot API double without limits), still one send at a time per chat', async () => {
    const budget = new SendBudget(null as unknown as MikroORM, NO_LIMITS, clock);
    const sends = await Promise.all([send(budget, 0, '7', 30), send(budget, 0, '7', 30)]);
    const [first, second] = [...sends].sort((a, b) => a.startedAt - b.startedAt);
    expect(second!.startedAt).toBeGreaterThanOrEqual(first!.endedAt);
  });
});
