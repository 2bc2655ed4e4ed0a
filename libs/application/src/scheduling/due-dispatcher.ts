import type { Clock } from '../../../runtime/src/clock';

/** A message waiting for its time, as the scheduler's projection holds it. */
export interface PendingDeadline {
  readonly messageId: string;
  readonly scheduledAt: Date;
}

export interface DueDispatcherPorts {
  readonly clock: Clock;
  /**
   * Pending messages due at or before `until`, in (scheduledAt, messageId) order, after the given
   * one when set: a page of keyset pagination.
   */
  findPending(
    until: Date,
    after: PendingDeadline | undefined,
    limit: number,
  ): Promise<readonly PendingDeadline[]>;
  /** Appends the message's MessageDue; false when it is not pending any more (or another won). */
  markDue(messageId: string): Promise<boolean>;
  /** A failure that the next tick makes good; reported, never thrown. */
  onError(error: unknown): void;
  /** Timers: the system's by default, fake ones in tests. */
  readonly timers?: {
    set(callback: () => void, ms: number): unknown;
    clear(handle: unknown): void;
  };
}

const PAGE = 500;
/**
 * Markings in flight at once. Each is a stream read and an append, mostly waiting on the
 * database; one at a time caps a scheduler at a few hundred a second, less than a minute's worth
 * of series occurrences falling due together needs. Different messages never contend: each has
 * its own stream.
 */
export const MARKING_CONCURRENCY = 8;

/**
 * Marks messages due at their moment while the scheduler looks only every tick: each tick takes
 * what is due now and what falls due before the next tick (and a little after, for a tick that
 * starts late), marks the first at once and arms a timer for each of the others. The timers are
 * only an optimisation: a message stays pending in the projection until its MessageDue is in the
 * log, so a scheduler that dies with timers armed loses nothing; the next tick of any scheduler
 * marks it. A timer never fires before its message's time (MarkMessageDue refuses that anyway).
 */
export class DueDispatcher {
  private readonly armed = new Map<string, { at: number; handle: unknown }>();
  /** Messages whose time has come, marked in the order they came due, a few at once. */
  private readonly queue = new Set<string>();
  /** The marking lanes running, at most MARKING_CONCURRENCY. */
  private readonly lanes = new Set<Promise<void>>();
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private readonly timers: NonNullable<DueDispatcherPorts['timers']>;

  constructor(
    private readonly ports: DueDispatcherPorts,
    /** How far past now a tick looks: the tick interval plus slack for a late tick. */
    private readonly lookaheadMs: number,
  ) {
    this.timers = ports.timers ?? {
      set: (callback, ms) => setTimeout(callback, ms),
      clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
    };
  }

  /**
   * One tick: queues what is due, arms timers for what falls due within the lookahead. Returns
   * once planned; the marking goes on in the background (a backlog must not hold up the ticks).
   */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const run = this.planWithin(this.ports.clock.now().getTime() + this.lookaheadMs);
    this.ticking = run;
    try {
      await run;
    } finally {
      if (this.ticking === run) this.ticking = undefined;
    }
  }

  private async planWithin(until: number): Promise<void> {
    let after: PendingDeadline | undefined;
    for (;;) {
      const page = await this.ports.findPending(new Date(until), after, PAGE);
      if (this.stopped) return;
      for (const pending of page) this.plan(pending);
      if (page.length < PAGE) break;
      after = page.at(-1);
    }
  }

  /** Resolves once what is queued now has been marked (or failed); for tests. */
  async settled(): Promise<void> {
    while (this.lanes.size > 0) await Promise.all(this.lanes);
  }

  /**
   * Deadlines just set or moved (the projection has them): those due within the lookahead are
   * planned now rather than at the next tick. A deadline since cancelled or moved again is
   * harmless: MarkMessageDue refuses it, and the next tick plans the current one.
   */
  notice(deadlines: readonly PendingDeadline[]): void {
    if (this.stopped) return;
    const until = this.ports.clock.now().getTime() + this.lookaheadMs;
    for (const deadline of deadlines) {
      if (deadline.scheduledAt.getTime() <= until) this.plan(deadline);
    }
  }

  /**
   * Disarms every timer and waits for the tick and the marking in progress; what is left stays
   * pending in the projection.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.ticking?.catch(() => undefined);
    for (const { handle } of this.armed.values()) this.timers.clear(handle);
    this.armed.clear();
    this.queue.clear();
    await Promise.all(this.lanes);
  }

  /** Messages with a timer armed; for tests. */
  get armedCount(): number {
    return this.armed.size;
  }

  private plan(pending: PendingDeadline): void {
    if (this.stopped) return;
    const at = pending.scheduledAt.getTime();
    const armed = this.armed.get(pending.messageId);
    if (armed?.at === at) return;
    if (armed) this.timers.clear(armed.handle);
    this.armed.delete(pending.messageId);
    this.fireAt(pending.messageId, at);
  }

  private fireAt(messageId: string, at: number): void {
    if (this.stopped) return;
    const wait = at - this.ports.clock.now().getTime();
    if (wait <= 0) {
      this.armed.delete(messageId);
      this.queue.add(messageId);
      this.drain();
      return;
    }
    // Timers may fire a millisecond early by the wall clock: firing checks the time again.
    const handle = this.timers.set(() => this.fireAt(messageId, at), wait);
    this.armed.set(messageId, { at, handle });
  }

  /** Starts another marking lane while there are fewer than allowed and work for one more. */
  private drain(): void {
    while (this.lanes.size < MARKING_CONCURRENCY && this.lanes.size < this.queue.size) {
      const lane: Promise<void> = this.markInTurn().finally(() => {
        this.lanes.delete(lane);
        // Queued between the lane's last look and now.
        if (this.queue.size > 0 && !this.stopped) this.drain();
      });
      this.lanes.add(lane);
    }
  }

  /** One lane of the marking: takes the next queued message until the queue is empty. */
  private async markInTurn(): Promise<void> {
    for (let next = first(this.queue); next !== undefined; next = first(this.queue)) {
      this.queue.delete(next);
      try {
        await this.ports.markDue(next);
      } catch (error) {
        // Still pending in the projection: the next tick tries again.
        try {
          this.ports.onError(error);
        } catch {
          // Reporting must not stop the marking.
        }
      }
    }
  }
}

const first = (set: ReadonlySet<string>): string | undefined => set.values().next().value;
