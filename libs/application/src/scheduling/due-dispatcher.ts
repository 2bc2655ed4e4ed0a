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
  /**
   * Appends each message's MessageDue, the messages read and appended together; one not pending
   * any more (or marked by another scheduler first) is passed over. Throws when any could not be
   * marked for another reason (it stays pending: the next tick tries again).
   */
  markDue(messageIds: readonly string[]): Promise<void>;
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
 * Markings in flight at once. Each is a read of its messages' streams and their appends, mostly
 * waiting on the database. Different messages never contend: each has its own stream.
 */
export const MARKING_CONCURRENCY = 8;
/**
 * Messages marked by one marking at most: messages falling due together (a minute's series
 * occurrences, due at the same second) are read in one query and appended in one commit, rather
 * than each paying its own round trips while the others wait their turn.
 */
export const MARKING_BATCH = 50;

/**
 * Marks messages due at their moment, less the lead, while the scheduler looks only every tick:
 * each tick takes what is due now and what falls due before the next tick (and a little after,
 * for a tick that starts late), marks the first at once and arms a timer for each instant of the
 * others (the messages due at one instant are marked together). The timers are
 * only an optimisation: a message stays pending in the projection until its MessageDue is in the
 * log, so a scheduler that dies with timers armed loses nothing; the next tick of any scheduler
 * marks it. A timer never fires before its message's time less the lead (MarkMessageDue refuses
 * that anyway); delivery holds what comes early until its time.
 */
export class DueDispatcher {
  /** Each message with a timer armed, and its instant (its time less the lead). */
  private readonly armed = new Map<string, number>();
  /** One timer per instant, for every message due then. */
  private readonly instants = new Map<number, { handle: unknown; messageIds: Set<string> }>();
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
    /** How long before its time a message is marked due (delivery holds it until its time). */
    private readonly leadMs = 0,
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
    const run = this.planWithin(this.ports.clock.now().getTime() + this.lookaheadMs + this.leadMs);
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
      this.drain();
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
    const until = this.ports.clock.now().getTime() + this.lookaheadMs + this.leadMs;
    for (const deadline of deadlines) {
      if (deadline.scheduledAt.getTime() <= until) this.plan(deadline);
    }
    this.drain();
  }

  /**
   * Disarms every timer and waits for the tick and the marking in progress; what is left stays
   * pending in the projection.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.ticking?.catch(() => undefined);
    for (const { handle } of this.instants.values()) this.timers.clear(handle);
    this.instants.clear();
    this.armed.clear();
    this.queue.clear();
    await Promise.all(this.lanes);
  }

  /** Messages with a timer armed; for tests. */
  get armedCount(): number {
    return this.armed.size;
  }

  /**
   * Queues the message if its time (less the lead) has come, else arms its instant's timer; then
   * drain().
   */
  private plan(pending: PendingDeadline): void {
    if (this.stopped) return;
    const at = pending.scheduledAt.getTime() - this.leadMs;
    const armedAt = this.armed.get(pending.messageId);
    if (armedAt === at) return;
    if (armedAt !== undefined) this.disarm(pending.messageId, armedAt);
    if (at - this.ports.clock.now().getTime() <= 0) {
      this.queue.add(pending.messageId);
      return;
    }
    this.armed.set(pending.messageId, at);
    const instant = this.instants.get(at);
    if (instant) instant.messageIds.add(pending.messageId);
    else this.armInstant(at, new Set([pending.messageId]));
  }

  private armInstant(at: number, messageIds: Set<string>): void {
    const handle = this.timers.set(() => this.fire(at), at - this.ports.clock.now().getTime());
    this.instants.set(at, { handle, messageIds });
  }

  private disarm(messageId: string, at: number): void {
    this.armed.delete(messageId);
    const instant = this.instants.get(at);
    if (!instant) return;
    instant.messageIds.delete(messageId);
    if (instant.messageIds.size > 0) return;
    this.timers.clear(instant.handle);
    this.instants.delete(at);
  }

  /** The instant's timer fired: its messages are queued together, to be marked together. */
  private fire(at: number): void {
    const instant = this.instants.get(at);
    this.instants.delete(at);
    if (!instant || this.stopped) return;
    // Timers may fire a millisecond early by the wall clock: not before the instant.
    if (at - this.ports.clock.now().getTime() > 0) {
      this.armInstant(at, instant.messageIds);
      return;
    }
    for (const messageId of instant.messageIds) {
      this.armed.delete(messageId);
      this.queue.add(messageId);
    }
    this.drain();
  }

  /** Starts another marking lane while there are fewer than allowed and work for one more. */
  private drain(): void {
    while (!this.stopped && this.lanes.size < MARKING_CONCURRENCY && this.queue.size > 0) {
      // The queue shared among the free lanes, at most a batch each.
      const share = Math.min(
        MARKING_BATCH,
        Math.ceil(this.queue.size / (MARKING_CONCURRENCY - this.lanes.size)),
      );
      const batch = take(this.queue, share);
      const lane: Promise<void> = this.mark(batch).finally(() => {
        this.lanes.delete(lane);
        // Queued while this lane marked.
        if (!this.stopped) this.drain();
      });
      this.lanes.add(lane);
    }
  }

  private async mark(messageIds: readonly string[]): Promise<void> {
    try {
      await this.ports.markDue(messageIds);
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

/** Takes up to `count` of the set's first entries out of it. */
function take(set: Set<string>, count: number): string[] {
  const taken: string[] = [];
  for (const value of set) {
    if (taken.length === count) break;
    taken.push(value);
  }
  for (const value of taken) set.delete(value);
  return taken;
}
