import { Logger } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../../runtime/src/clock';
import { DatabaseClock } from './database-clock';
import { type BudgetRule, placeRequests, type ReservedRun } from './send-log';

export interface PacingLimits {
  /** Sends per second for the whole bot (Telegram: about 30). */
  readonly perSecond: number;
  /** Pause between the end of one send to a private chat and the start of the next (Telegram: 1 s). */
  readonly chatIntervalMs: number;
  /** Sends per minute to one group chat (Telegram: 20). */
  readonly groupPerMinute: number;
}

export const TELEGRAM_LIMITS: PacingLimits = {
  perSecond: 30,
  chatIntervalMs: 1000,
  groupPerMinute: 20,
};

/** TELEGRAM_PACING=off, for a Bot API double that has no limits: one send at a time per chat only. */
export const NO_LIMITS: PacingLimits = {
  perSecond: Number.POSITIVE_INFINITY,
  chatIntervalMs: 0,
  groupPerMinute: Number.POSITIVE_INFINITY,
};

/** Leave to send to a chat. */
export interface SendSlot {
  /**
   * The request has left (TelegrafSender learns it from Node's HTTP diagnostics channel): a send
   * that left later than its slot allowed pushes the bot's next slot back when it is released.
   */
  departing(): void;
  /** The send is done (answered or failed): the chat's next send may start an interval later. */
  release(): Promise<void>;
}

/** Group and channel chat ids are negative; private chats positive; channels may be @names. */
export const isGroupChat = (chatId: string): boolean =>
  chatId.startsWith('-') || chatId.startsWith('@');

/**
 * The bot's slots are spaced this much wider than 1/perSecond: perSecond + 1 consecutive slots
 * span 1.02 s, so a send may reach Telegram up to 20 ms after its slot and no 1-second window
 * still holds more than perSecond sends (98% of the rate).
 */
const BOT_SPACING = 1.02;
/**
 * How late after its slot a send may be started (the process was busy): a slot missed by more is
 * given up for a new one. Half the 20 ms: the rest is for the way to the network. A send that
 * still left later than this moves the bot's next slots back by as much (seen in the bench: a
 * request leaving 22 ms late made 31 arrivals in a second).
 */
const LATE_MS = 10;
/** A chat's next send waits this much beyond its interval: arrivals jitter. */
const CHAT_MARGIN_MS = 100;
/** Slots reserved at once: at most this far ahead of the first of them. */
const RESERVE_AHEAD_MS = 100;
/**
 * A chat claimed for a send is the claimer's until released, or until this long has passed
 * without the claimer extending it (every third of it, while the send lasts): a process that
 * died mid-send holds its chats this long at most.
 */
const CHAT_HOLD_MS = 10_000;
/** How often a process asks again for a chat another process holds. */
const HELD_CHAT_POLL_MS = 50;
/** How often the slots of chats idle for a minute are dropped. */
const SWEEP_EVERY_MS = 60_000;
/** The database's clock, in whole microseconds since the epoch. */
const NOW_US = `(extract(epoch FROM clock_timestamp()) * 1000000)::bigint`;

interface SlotWaiter {
  /** What Telegram counts the request as: 1, or an album's items. */
  readonly weight: number;
  resolve(at: number): void;
  reject(error: unknown): void;
}

interface BudgetRow {
  readonly next_slot_us: string;
  readonly paused_until_us: string;
  readonly version: string;
  readonly now_us: string;
}

interface LogRow {
  readonly at_us: string;
  readonly count: number;
  readonly weight: number;
  readonly step_us: string;
}

/**
 * Telegram's limits for the whole bot, kept together by every delivery process through Postgres,
 * which the system runs anyway (tables `send_budget`, `send_log` and `chat_send_slots`):
 *
 * - the bot's sends go out spaced 1.02/perSecond s apart per send they count (one row holds
 *   the next free slot, and each reservation moves it on), so sends are spread evenly rather than
 *   bursted, across processes; `send_log` keeps the requests placed within the last 1.02 s, and
 *   a request goes no earlier than every window ending at it holds the limit with it (an album
 *   counts its items at one instant: see send-log.ts); a process reserves the few slots it can
 *   use in the next 100 ms at once; slots are instants of the database's clock, read in the
 *   process's own through DatabaseClock;
 * - a chat is claimed for one send at a time, across processes, and its next send may start an
 *   interval after the last one ended (1 s for a private chat, 60/groupPerMinute s for a group);
 * - a 429 pauses every process's sends for its retry_after.
 *
 * Within a process, sends to one chat queue here rather than in the database.
 */
export class SendBudget {
  private readonly logger = new Logger('SendBudget');
  private readonly slotMs: number;
  private readonly rule: BudgetRule;
  private readonly waiting: SlotWaiter[] = [];
  private reserving: Promise<void> | null = null;
  private pausedUntil = 0;
  private readonly chatQueues = new Map<string, Promise<void>>();
  private readonly chatReadyAt = new Map<string, number>();
  private lastSweep: number;
  private readonly databaseClock: DatabaseClock;

  constructor(
    private readonly orm: MikroORM,
    private readonly limits: PacingLimits,
    private readonly clock: Clock,
    /** Bucket of the bot's slots: one per bot, or per kind of send with its own limit. */
    private readonly bucket = 'bot',
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.slotMs = (1000 * BOT_SPACING) / limits.perSecond;
    const windowUs = Math.round(1_000_000 * BOT_SPACING);
    this.rule = {
      limit: limits.perSecond,
      windowUs,
      // Whole microseconds, rounded up: the limit's steps never fit in less than the window.
      stepUs: Math.ceil(windowUs / limits.perSecond),
    };
    this.databaseClock = new DatabaseClock(orm, clock);
    this.lastSweep = clock.now().getTime();
    // A process that starts may replace one that died an instant ago mid-send, its chat's claim
    // still held (that is waited out) or, after a restart of Postgres, forgotten: the first
    // send waits out one chat interval.
    if (limits.chatIntervalMs > 0)
      this.pausedUntil = clock.now().getTime() + limits.chatIntervalMs + CHAT_MARGIN_MS;
  }

  /**
   * Waits for leave to send to the chat; tell the slot when its request leaves and when it is
   * done. `sends`: what Telegram counts the request as (an album: its items, all at one instant),
   * each taking its share of the rate, and none going while the window before it holds more
   * than limit − sends (a block of `sends` slots alone would let the thirty before it fill up).
   */
  async acquire(
    chatId: string,
    sends = 1,
    /** Done once the chat is this send's, before the bot's slot is asked for (files opened). */
    beforeSlot?: () => Promise<void>,
  ): Promise<SendSlot> {
    const previous = this.chatQueues.get(chatId) ?? Promise.resolve();
    let unlock!: () => void;
    const mine = new Promise<void>((resolve) => (unlock = resolve));
    const queue = previous.then(() => mine);
    this.chatQueues.set(chatId, queue);
    const done = () => {
      unlock();
      if (this.chatQueues.get(chatId) === queue) this.chatQueues.delete(chatId);
    };
    await previous;
    let slotAt: number;
    let holding: NodeJS.Timeout | undefined;
    try {
      await this.sleepUntil(this.chatReadyAt.get(chatId) ?? 0);
      await this.claimChat(chatId);
      holding = this.keepHolding(chatId);
      // A group counts each item of an album against its 20 a minute: the album waits out the
      // interval of every item but one before it, and holds the group for all of them after.
      if (sends > 1 && isGroupChat(chatId) && this.limits.chatIntervalMs > 0)
        await this.sleep((sends - 1) * this.groupIntervalMs());
      await beforeSlot?.();
      slotAt = await this.botSlot(sends);
    } catch (error) {
      clearInterval(holding);
      await this.releaseChat(chatId, sends);
      done();
      throw error;
    }
    let lateBy = 0;
    return {
      departing: () => {
        lateBy = Math.max(lateBy, this.clock.now().getTime() - slotAt);
      },
      release: async () => {
        clearInterval(holding);
        try {
          // Left too late for its slot (a busy process, an upload whose body took long to write):
          // the slots to come move back by as much, so that no second holds one send too many.
          if (lateBy > LATE_MS && Number.isFinite(this.limits.perSecond))
            await this.pushBack(lateBy);
        } catch (error) {
          this.logger.warn(`Could not move the bot's next slot: ${String(error)}`);
        } finally {
          await this.releaseChat(chatId, sends);
          done();
        }
      },
    };
  }

  /** Telegram answered 429: no send of this bot, from any process, leaves before `ms` have passed. */
  async pauseAll(ms: number): Promise<void> {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now().getTime() + ms);
    if (!Number.isFinite(this.limits.perSecond)) return;
    // A new version: a reservation read before the pause places nothing (it reads again).
    await this.orm.em.fork().execute(
      `INSERT INTO send_budget AS budget (bucket, next_slot_us, paused_until_us, version)
         VALUES (?, 0, ${NOW_US} + ? * 1000, 0)
       ON CONFLICT (bucket) DO UPDATE SET
         paused_until_us = greatest(budget.paused_until_us, excluded.paused_until_us),
         version = budget.version + 1`,
      [this.bucket, Math.ceil(ms)],
    );
  }

  /**
   * Claims the chat for one send: free when no process holds it and its interval since the last
   * send ended has passed. Waits as long as the database says.
   */
  private async claimChat(chatId: string): Promise<void> {
    if (this.limits.chatIntervalMs === 0) return;
    for (;;) {
      const [row] = await this.orm.em.fork().execute<{ claimed: boolean; wait_ms: number }[]>(
        `WITH claimed AS (
           INSERT INTO chat_send_slots AS slot (chat_id, ready_at, held_until)
             VALUES (?, clock_timestamp(), clock_timestamp() + ? * interval '1 millisecond')
           ON CONFLICT (chat_id) DO UPDATE SET held_until = excluded.held_until
             WHERE slot.ready_at <= clock_timestamp()
               AND (slot.held_until IS NULL OR slot.held_until <= clock_timestamp())
           RETURNING true AS claimed, 0::float8 AS wait_ms)
         SELECT claimed, wait_ms FROM claimed
         UNION ALL
         SELECT false, CASE WHEN held_until > clock_timestamp() THEN ?::float8
                       ELSE (extract(epoch FROM ready_at - clock_timestamp()) * 1000)::float8 END
           FROM chat_send_slots WHERE chat_id = ? AND NOT EXISTS (SELECT 1 FROM claimed)`,
        [chatId, CHAT_HOLD_MS, HELD_CHAT_POLL_MS, chatId],
      );
      if (row?.claimed) return;
      // No row: the chat's row was being written by another process; ask again shortly.
      await this.sleep(Math.max(row ? Number(row.wait_ms) : HELD_CHAT_POLL_MS, 1));
    }
  }

  /** Extends the claim on the chat every third of its hold while the send lasts. */
  private keepHolding(chatId: string): NodeJS.Timeout | undefined {
    if (this.limits.chatIntervalMs === 0) return undefined;
    return setInterval(() => {
      this.orm.em
        .fork()
        .execute(
          `UPDATE chat_send_slots SET held_until = clock_timestamp() + ? * interval '1 millisecond'
            WHERE chat_id = ? AND held_until IS NOT NULL`,
          [CHAT_HOLD_MS, chatId],
        )
        .then(
          () => undefined,
          (error: unknown) =>
            this.logger.warn(`Could not extend the hold on a chat: ${String(error)}`),
        );
    }, CHAT_HOLD_MS / 3);
  }

  /**
   * The send is done: the chat's next send may start an interval from now. Never throws: a send
   * Telegram accepted must be recorded whatever became of its claim (unreleased, it runs out).
   */
  private async releaseChat(chatId: string, sends = 1): Promise<void> {
    if (this.limits.chatIntervalMs === 0) return;
    const intervalMs =
      (isGroupChat(chatId) ? sends * this.groupIntervalMs() : this.limits.chatIntervalMs) +
      CHAT_MARGIN_MS;
    this.chatReadyAt.set(chatId, this.clock.now().getTime() + intervalMs);
    try {
      await this.orm.em.fork().execute(
        `UPDATE chat_send_slots SET held_until = NULL, ready_at = clock_timestamp() + ? * interval '1 millisecond'
            WHERE chat_id = ?`,
        [intervalMs, chatId],
      );
      await this.sweep();
    } catch (error) {
      this.logger.warn(`Could not release a chat (its claim runs out): ${String(error)}`);
    }
  }

  /** The least time between two sends to a group: its per-minute limit, or a chat's interval. */
  private groupIntervalMs(): number {
    return Math.max(this.limits.chatIntervalMs, 60_000 / this.limits.groupPerMinute);
  }

  /**
   * Drops what is known of chats idle for a minute, and the log's runs older than a minute: the
   * tables stay as small as the traffic.
   */
  private async sweep(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    // Once a minute, not per send: at 1,000 sends a second the map holds a minute of chats.
    for (const [chatId, readyAt] of this.chatReadyAt)
      if (readyAt < now && !this.chatQueues.has(chatId)) this.chatReadyAt.delete(chatId);
    await this.orm.em.fork().execute(
      `DELETE FROM chat_send_slots WHERE ready_at < clock_timestamp() - interval '1 minute'
            AND (held_until IS NULL OR held_until < clock_timestamp())`,
    );
    // The log's runs are read back one window at most: a minute's is plenty to keep.
    await this.orm.em
      .fork()
      .execute(`DELETE FROM send_log WHERE bucket = ? AND at_us < ${NOW_US} - 60000000`, [
        this.bucket,
      ]);
  }

  /**
   * Resolves with the moment (this process's clock) of a slot of the bot's, having waited for
   * it; a slot that passed by more than LATE_MS while this process was busy is given up.
   */
  private async botSlot(sends: number): Promise<number> {
    for (;;) {
      await this.sleepUntil(this.pausedUntil);
      if (!Number.isFinite(this.limits.perSecond)) return this.clock.now().getTime();
      const slotAt = await new Promise<number>((resolve, reject) => {
        this.waiting.push({ weight: sends, resolve, reject });
        this.reserving ??= this.reserve().finally(() => (this.reserving = null));
      });
      await this.sleepUntil(slotAt);
      const now = this.clock.now().getTime();
      if (now - slotAt <= LATE_MS && now >= this.pausedUntil) return slotAt;
    }
  }

  /**
   * Reserves slots for those waiting, a few at a time: no more than this process can use within
   * RESERVE_AHEAD_MS, so that several processes share the budget in turns.
   */
  private async reserve(): Promise<void> {
    const batchMax = Math.max(1, Math.floor(RESERVE_AHEAD_MS / this.slotMs));
    while (this.waiting.length > 0) {
      // Waiters in order while their slots fit in the batch (the first always: a heavier send
      // than the batch waits no longer for being heavy).
      let count = 0;
      let slots = 0;
      while (
        count < this.waiting.length &&
        (count === 0 || slots + this.waiting[count]!.weight <= batchMax)
      ) {
        slots += this.waiting[count]!.weight;
        count++;
      }
      const batch = this.waiting.splice(0, count);
      let instants: number[];
      try {
        const weights = batch.map((waiter) => waiter.weight);
        const instantsUs =
          (weights.every((weight) => weight === 1)
            ? await this.placeSingles(weights.length)
            : undefined) ?? (await this.place(weights));
        // The slots are instants of the database's clock, not "so long after the answer came":
        // an answer held up (a commit's flush, a busy process) must not move them later.
        instants = [];
        for (const atUs of instantsUs) instants.push(await this.databaseClock.toLocal(atUs / 1000));
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
        continue;
      }
      batch.forEach((waiter, index) => waiter.resolve(instants[index]!));
      const now = this.clock.now().getTime();
      const lastAt = instants.at(-1)!;
      if (lastAt - now > RESERVE_AHEAD_MS) await this.sleep(lastAt - now - RESERVE_AHEAD_MS);
    }
  }

  /**
   * Places single sends in one statement, the common case: the next free slots, as many as
   * asked, their run added to the log for the albums to come. A single send needs no look at
   * the log: every request before it left its steps behind it (the next free slot), so any
   * window ending at a single send holds at most as many sends as steps fit in it. Undefined
   * where the bucket has no row yet (`place` makes it).
   */
  private async placeSingles(count: number): Promise<number[] | undefined> {
    const { stepUs } = this.rule;
    const [row] = await this.orm.em.fork().execute<{ first_us: string }[]>(
      `WITH now AS (SELECT ${NOW_US} AS us),
       moved AS (
         UPDATE send_budget AS budget SET
           next_slot_us = greatest(budget.next_slot_us, now.us, budget.paused_until_us) + ?,
           version = budget.version + 1
         FROM now WHERE budget.bucket = ?
         RETURNING budget.next_slot_us - ? AS first_us),
       logged AS (
         INSERT INTO send_log (bucket, at_us, count, weight, step_us)
           SELECT ?, first_us, ?, 1, ? FROM moved)
       SELECT first_us FROM moved`,
      [count * stepUs, this.bucket, count * stepUs, this.bucket, count, stepUs],
    );
    if (!row) return undefined;
    const firstUs = Number(row.first_us);
    return Array.from({ length: count }, (_, index) => firstUs + index * stepUs);
  }

  /**
   * Places requests on the bucket's budget, as every process shares it: reads the row and the
   * log's last window, places them (send-log.ts), and writes both unless another process wrote
   * the row in between (then reads again). Returns their instants, database microseconds.
   */
  private async place(weights: readonly number[]): Promise<number[]> {
    for (;;) {
      const em = this.orm.em.fork();
      const [row] = await em.execute<BudgetRow[]>(
        `SELECT next_slot_us, paused_until_us, version, ${NOW_US} AS now_us
           FROM send_budget WHERE bucket = ?`,
        [this.bucket],
      );
      if (!row) {
        await em.execute(
          `INSERT INTO send_budget (bucket, next_slot_us, paused_until_us, version)
             VALUES (?, 0, 0, 0) ON CONFLICT (bucket) DO NOTHING`,
          [this.bucket],
        );
        continue;
      }
      const nowUs = Number(row.now_us);
      // A run reaches at most RESERVE_AHEAD_MS past its start (one reservation's batch).
      const runs = await em.execute<LogRow[]>(
        `SELECT at_us, count, weight, step_us FROM send_log
           WHERE bucket = ? AND at_us > ? ORDER BY at_us`,
        [this.bucket, nowUs - this.rule.windowUs - 2 * RESERVE_AHEAD_MS * 1000],
      );
      const log: ReservedRun[] = runs.map((run) => ({
        atUs: Number(run.at_us),
        count: Number(run.count),
        weight: Number(run.weight),
        stepUs: Number(run.step_us),
      }));
      const placed = placeRequests(
        { nextSlotUs: Number(row.next_slot_us), pausedUntilUs: Number(row.paused_until_us), log },
        nowUs,
        weights,
        this.rule,
      );
      const written = await em.execute<{ moved: boolean }[]>(
        `WITH moved AS (
           UPDATE send_budget SET next_slot_us = ?, version = version + 1
             WHERE bucket = ? AND version = ? RETURNING true AS moved),
         logged AS (
           INSERT INTO send_log (bucket, at_us, count, weight, step_us)
             SELECT ?, run."atUs", run.count, run.weight, run."stepUs"
               FROM moved, jsonb_to_recordset(?::jsonb)
                 AS run("atUs" bigint, count integer, weight integer, "stepUs" bigint))
         SELECT moved FROM moved`,
        [
          placed.state.nextSlotUs,
          this.bucket,
          row.version,
          this.bucket,
          JSON.stringify(placed.added),
        ],
      );
      if (written.length > 0) return placed.instantsUs;
    }
  }

  /** A send left `lateMs` after its slot: the bot's next free slot moves back by as much. */
  private async pushBack(lateMs: number): Promise<void> {
    await this.orm.em.fork().execute(
      `UPDATE send_budget SET next_slot_us = greatest(next_slot_us, ${NOW_US}) + ?,
         version = version + 1 WHERE bucket = ?`,
      [Math.ceil(lateMs * 1000), this.bucket],
    );
  }

  /**
   * Never returns before `at` by this process's clock. A timer alone may: Node counts its delay
   * from the event loop's time, taken when the loop's turn began, which a busy turn leaves behind
   * the clock (a send 1 ms inside a 429's pause, seen in CI); and it drops a fraction of a ms.
   */
  private async sleepUntil(at: number): Promise<void> {
    for (let waitMs = at - this.clock.now().getTime(); waitMs > 0;) {
      await this.sleep(Math.ceil(waitMs));
      waitMs = at - this.clock.now().getTime();
    }
  }
}
