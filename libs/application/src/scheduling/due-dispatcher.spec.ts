import { ManualClock } from '../../../runtime/src/clock';
import {
  DueDispatcher,
  MARKING_BATCH,
  MARKING_CONCURRENCY,
  type PendingDeadline,
} from './due-dispatcher';

/** Timers driven by the test: `advance` moves the clock and fires what has come due, in order. */
class FakeTimers {
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 0;
  constructor(private readonly clock: ManualClock) {}

  set = (callback: () => void, ms: number): unknown => {
    const id = ++this.nextId;
    this.timers.push({ at: this.clock.now().getTime() + ms, callback, id });
    return id;
  };

  clear = (handle: unknown): void => {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  };

  async advance(ms: number): Promise<void> {
    // What was already started runs before time moves, as on a real event loop.
    await flush();
    const until = this.clock.now().getTime() + ms;
    for (;;) {
      const next = [...this.timers].sort((a, b) => a.at - b.at)[0];
      if (!next || next.at > until) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.clock.set(new Date(Math.max(next.at, this.clock.now().getTime())));
      next.callback();
      await flush();
    }
    this.clock.set(new Date(until));
    await flush();
  }

  get count(): number {
    return this.timers.length;
  }
}

const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

const T0 = new Date('2030-01-01T00:00:00.000Z').getTime();
const TICK_MS = 5000;

/** The pending projection and the log, as far as the dispatcher sees them. */
function setup(pendingAt: Record<string, number>, leadMs = 0) {
  const clock = new ManualClock(new Date(T0));
  const timers = new FakeTimers(clock);
  const pending = new Map(Object.entries(pendingAt).map(([id, at]) => [id, new Date(T0 + at)]));
  const marked: { messageId: string; at: number }[] = [];
  const batches: (readonly string[])[] = [];
  const errors: unknown[] = [];
  let failNextMark = false;
  const ports = {
    clock,
    timers,
    findPending: async (until: Date, after: PendingDeadline | undefined, limit: number) =>
      [...pending]
        .map(([messageId, scheduledAt]) => ({ messageId, scheduledAt }))
        .filter(({ scheduledAt }) => scheduledAt <= until)
        .sort(
          (a, b) =>
            a.scheduledAt.getTime() - b.scheduledAt.getTime() ||
            a.messageId.localeCompare(b.messageId),
        )
        .filter(
          (row) =>
            !after ||
            row.scheduledAt > after.scheduledAt ||
            (row.scheduledAt.getTime() === after.scheduledAt.getTime() &&
              row.messageId > after.messageId),
        )
        .slice(0, limit),
    // As MarkMessageDue decides: only a pending message whose time (less the lead) has come.
    markDue: async (messageIds: readonly string[]) => {
      batches.push(messageIds);
      if (failNextMark) {
        failNextMark = false;
        throw new Error('database away');
      }
      for (const messageId of messageIds) {
        const at = pending.get(messageId);
        if (!at || at.getTime() - leadMs > clock.now().getTime()) continue;
        pending.delete(messageId);
        marked.push({ messageId, at: clock.now().getTime() - T0 });
      }
    },
    onError: (error: unknown) => errors.push(error),
  };
  const dispatcher = new DueDispatcher(ports, 2 * TICK_MS, leadMs);
  return {
    dispatcher,
    timers,
    pending,
    marked,
    batches,
    errors,
    failNextMark: () => (failNextMark = true),
  };
}

describe('DueDispatcher', () => {
  it('marks each message at its moment between ticks, never early', async () => {
    const { dispatcher, timers, marked } = setup({ a: 1234, b: 3001, c: 4999, d: 7500 });
    await dispatcher.tick();
    expect(marked).toEqual([]);
    await timers.advance(1233);
    expect(marked).toEqual([]);
    await timers.advance(TICK_MS - 1233);
    expect(marked).toEqual([
      { messageId: 'a', at: 1234 },
      { messageId: 'b', at: 3001 },
      { messageId: 'c', at: 4999 },
    ]);
    await dispatcher.tick();
    await timers.advance(TICK_MS);
    expect(marked.at(-1)).toEqual({ messageId: 'd', at: 7500 });
  });

  it('marks each message the lead before its moment, never earlier, even one just past the window', async () => {
    const lead = 2000;
    const { dispatcher, timers, marked } = setup(
      { a: 1234, b: 2 * TICK_MS + lead - 1, c: 2 * TICK_MS + lead + 1 },
      lead,
    );
    await dispatcher.tick();
    await dispatcher.settled();
    // a's hand-over (-766 ms) has passed: marked at once.
    expect(marked).toEqual([{ messageId: 'a', at: 0 }]);
    await timers.advance(2 * TICK_MS - 2);
    expect(marked).toHaveLength(1);
    await timers.advance(1);
    expect(marked.at(-1)).toEqual({ messageId: 'b', at: 2 * TICK_MS - 1 });
    // c was beyond the window and lead at the first tick: the next tick arms it.
    expect(marked).toHaveLength(2);
    await dispatcher.tick();
    await timers.advance(2);
    expect(marked.at(-1)).toEqual({ messageId: 'c', at: 2 * TICK_MS + 1 });
  });

  it('marks what is already due at once, each message once', async () => {
    const { dispatcher, timers, marked } = setup({ late: -60_000, now: 0, soon: 10 });
    await dispatcher.tick();
    await dispatcher.settled();
    expect(marked.map((m) => m.messageId)).toEqual(['late', 'now']);
    await dispatcher.tick();
    await timers.advance(20);
    await dispatcher.tick();
    expect(marked.map((m) => m.messageId)).toEqual(['late', 'now', 'soon']);
    expect(timers.count).toBe(0);
  });

  it('re-arms a message rescheduled within the window, and lets a cancelled one pass', async () => {
    const { dispatcher, timers, marked, pending } = setup({ moved: 2000, cancelled: 3000 });
    await dispatcher.tick();
    pending.set('moved', new Date(T0 + 4000));
    pending.delete('cancelled');
    await timers.advance(1000);
    await dispatcher.tick();
    await timers.advance(4000);
    expect(marked).toEqual([{ messageId: 'moved', at: 4000 }]);
  });

  it('loses nothing when the scheduler stops with timers armed: the next one marks it late', async () => {
    const first = setup({ a: 2000 });
    await first.dispatcher.tick();
    await first.dispatcher.stop();
    await first.timers.advance(3000);
    expect(first.marked).toEqual([]);
    // A new scheduler over the same projection, started after the message's time.
    const second = setup({ a: -1000 });
    await second.dispatcher.tick();
    await second.dispatcher.settled();
    expect(second.marked.map((m) => m.messageId)).toEqual(['a']);
  });

  it('reports a failed marking and marks the message at the next tick', async () => {
    const { dispatcher, timers, marked, errors, failNextMark } = setup({ a: 1000 });
    failNextMark();
    await dispatcher.tick();
    await timers.advance(1000);
    expect(errors).toHaveLength(1);
    expect(marked).toEqual([]);
    await dispatcher.tick();
    await dispatcher.settled();
    expect(marked).toEqual([{ messageId: 'a', at: 1000 }]);
  });

  it('plans a message scheduled between ticks as soon as the projection has it', async () => {
    const { dispatcher, timers, marked, pending } = setup({});
    await dispatcher.tick();
    await timers.advance(1000);
    // Scheduled now for 1.5 s ahead (and one for right away), before the next tick.
    pending.set('soon', new Date(T0 + 2500));
    pending.set('now', new Date(T0 + 1000));
    pending.set('later', new Date(T0 + 60_000));
    dispatcher.notice([
      { messageId: 'soon', scheduledAt: new Date(T0 + 2500) },
      { messageId: 'now', scheduledAt: new Date(T0 + 1000) },
      { messageId: 'later', scheduledAt: new Date(T0 + 60_000) },
    ]);
    await timers.advance(1500);
    expect(marked).toEqual([
      { messageId: 'now', at: 1000 },
      { messageId: 'soon', at: 2500 },
    ]);
    // Beyond the lookahead: left to a later tick.
    expect(dispatcher.armedCount).toBe(0);
  });

  it('arms and marks nothing once stopped, even for a tick that was still reading', async () => {
    const { dispatcher, timers, marked } = setup({ due: -10, soon: 2000 });
    const ticking = dispatcher.tick();
    const stopping = dispatcher.stop();
    await ticking;
    await stopping;
    await timers.advance(5000);
    expect(marked).toEqual([]);
    expect(timers.count).toBe(0);
  });

  it('keeps ticking while a backlog is being marked', async () => {
    const backlog = Object.fromEntries(Array.from({ length: 2000 }, (_, n) => [`old${n}`, -1000]));
    const { dispatcher, marked } = setup(backlog);
    // The tick returns once it has planned, not once all 2,000 are marked.
    await dispatcher.tick();
    expect(marked.length).toBeLessThan(2000);
    await dispatcher.settled();
    expect(marked).toHaveLength(2000);
  });

  it('pages through more messages than one query returns', async () => {
    const many = Object.fromEntries(
      Array.from({ length: 1200 }, (_, n) => [`m${String(n).padStart(4, '0')}`, 100 + (n % 7)]),
    );
    const { dispatcher, timers, marked } = setup(many);
    await dispatcher.tick();
    await timers.advance(200);
    expect(marked).toHaveLength(1200);
    expect(Math.min(...marked.map((m) => m.at))).toBeGreaterThanOrEqual(100);
  });

  it('marks a backlog several at a time, never more than its lanes', async () => {
    const clock = new ManualClock(new Date(T0));
    let inFlight = 0;
    let mostInFlight = 0;
    const marked: string[] = [];
    const waiting: (() => void)[] = [];
    const dispatcher = new DueDispatcher(
      {
        clock,
        timers: new FakeTimers(clock),
        findPending: async (_until, after) =>
          after
            ? []
            : Array.from({ length: 2 * MARKING_CONCURRENCY + 3 }, (_, n) => ({
                messageId: `late${n}`,
                scheduledAt: new Date(T0 - 1000),
              })),
        markDue: async (messageIds) => {
          inFlight += 1;
          mostInFlight = Math.max(mostInFlight, inFlight);
          await new Promise<void>((resolve) => waiting.push(resolve));
          inFlight -= 1;
          marked.push(...messageIds);
        },
        onError: () => undefined,
      },
      2 * TICK_MS,
    );
    await dispatcher.tick();
    while (marked.length < 2 * MARKING_CONCURRENCY + 3) {
      await flush();
      waiting.splice(0).forEach((resolve) => resolve());
    }
    await dispatcher.settled();
    expect(mostInFlight).toBe(MARKING_CONCURRENCY);
    expect(new Set(marked).size).toBe(2 * MARKING_CONCURRENCY + 3);
  });

  it('marks the messages due at one instant together: one timer, a few batches shared by the lanes', async () => {
    const together = Object.fromEntries(
      Array.from({ length: 300 }, (_, n) => [`s${String(n).padStart(3, '0')}`, 1000]),
    );
    const { dispatcher, timers, marked, batches } = setup({ ...together, later: 2000 });
    await dispatcher.tick();
    expect(timers.count).toBe(2);
    await timers.advance(1000);
    expect(marked).toHaveLength(300);
    expect(batches.every((batch) => batch.length <= MARKING_BATCH)).toBe(true);
    // 300 at once: the eight lanes take a share each, then what is left, in batches.
    expect(batches.length).toBeLessThanOrEqual(
      Math.ceil(300 / MARKING_BATCH) + MARKING_CONCURRENCY,
    );
    expect(new Set(batches.flat()).size).toBe(300);
    await timers.advance(1000);
    expect(marked.at(-1)).toEqual({ messageId: 'later', at: 2000 });
  });
});
