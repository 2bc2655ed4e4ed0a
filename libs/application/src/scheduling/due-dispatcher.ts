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
 * Marks messages due at their moment while the scheduler looks only every tick: each tick takes
 * what is due now and what falls due before the next tick (and a little after, for a tick that
 * starts late), marks the first at once and arms a timer for each of the others. The timers are
 * only an optimisation: a message stays pending in the projection until its MessageDue is in the
 * log, so a scheduler that dies with timers armed loses nothing; the next tick of any scheduler
 * marks it. A timer never fires before its message's time (MarkMessageDue refuses that anyway).
 */
export class DueDispatcher {
  private readonly armed = new Map<string, { at: number; handle: unknown }>();
  /** Messages whose time has come, marked one at a time in the order they came due. */
  private readonly queue = new Set<string>();
  private draining: Promise<void> | undefined;
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

  /** One tick: queues what is due, arms timers for what falls due within the lookahead. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const now = this.ports.clock.now().getTime();
    const until = new Date(now + this.lookaheadMs);
    let after: PendingDeadline | undefined;
    for (;;) {
      const page = await this.ports.findPending(until, after, PAGE);
      for (const pending of page) this.plan(pending);
      if (page.length < PAGE) break;
      after = page.at(-1);
    }
    await this.drain();
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

  /** Disarms every timer and waits for the marking in progress; what is left stays pending. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { handle } of this.armed.values()) this.timers.clear(handle);
    this.armed.clear();
    this.queue.clear();
    await this.draining;
  }

  /** Messages with a timer armed; for metrics and tests. */
  get armedCount(): number {
    return this.armed.size;
  }

  private plan(pending: PendingDeadline): void {
    const at = pending.scheduledAt.getTime();
    const armed = this.armed.get(pending.messageId);
    if (armed?.at === at) return;
    if (armed) this.timers.clear(armed.handle);
    this.armed.delete(pending.messageId);
    this.fireAt(pending.messageId, at);
  }

  private fireAt(messageId: string, at: number): void {
    const wait = at - this.ports.clock.now().getTime();
    if (wait <= 0) {
      this.armed.delete(messageId);
      this.queue.add(messageId);
      void this.drain();
      return;
    }
    // Timers may fire a millisecond early by the wall clock: firing checks the time again.
    const handle = this.timers.set(() => this.fireAt(messageId, at), wait);
    this.armed.set(messageId, { at, handle });
  }

  private drain(): Promise<void> {
    if (!this.draining) {
      this.draining = this.markQueued().finally(() => {
        this.draining = undefined;
        // Queued between the loop's last look and now.
        if (this.queue.size > 0 && !this.stopped) void this.drain();
      });
    }
    return this.draining;
  }

  private async markQueued(): Promise<void> {
    // Starts after the caller has kept the promise: an empty queue must not finish first.
    await Promise.resolve();
    for (let next = first(this.queue); next !== undefined; next = first(this.queue)) {
      this.queue.delete(next);
      try {
        await this.ports.markDue(next);
      } catch (error) {
        // Still pending in the projection: the next tick tries again.
        this.ports.onError(error);
      }
    }
  }
}

const first = (set: ReadonlySet<string>): string | undefined => set.values().next().value;
