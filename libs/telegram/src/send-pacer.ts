import type { Clock } from '../../runtime/src/clock';

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

/**
 * Windows are counted this much longer than a second or a minute: a request that leaves a little
 * late must not arrive in the same window as one that left on time. The bot's second is counted
 * from each request's departure (see SendSlot.departing), so its margin covers only the jitter
 * between leaving and arriving, and costs little of the rate (30 per 1.02 s is 98% of 30/s).
 */
const WINDOW_MARGIN_MS = 100;
const BOT_WINDOW_MARGIN_MS = 20;

/** Leave to send to a chat. */
export interface SendSlot {
  /**
   * The request has left (TelegrafSender learns it from Node's HTTP diagnostics channel): the
   * bot's second is counted from now.
   */
  departing(): void;
  /** The send is done (answered or failed). */
  release(): void;
}
const MIN_WAIT_MS = 5;

/** Group and channel chat ids are negative; private chats positive; channels may be @names. */
export const isGroupChat = (chatId: string): boolean =>
  chatId.startsWith('-') || chatId.startsWith('@');

/**
 * Keeps one process's sends within Telegram's limits: a sliding window for the whole bot, one send
 * at a time per chat with a pause after it (a sliding window per minute for groups), and a pause
 * of every send when Telegram answered 429 (flood control is per bot).
 */
export class SendPacer {
  private readonly recentStarts: number[] = [];
  private readonly groupStarts = new Map<string, number[]>();
  private readonly chatReadyAt = new Map<string, number>();
  private readonly busyChats = new Set<string>();
  private pausedUntil = 0;

  constructor(
    private readonly limits: PacingLimits,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    // A process that starts may replace one that died an instant ago, having sent something the
    // log does not show yet: the first send waits out one chat interval.
    this.pausedUntil = clock.now().getTime() + limits.chatIntervalMs + WINDOW_MARGIN_MS;
  }

  /** Waits for a slot to send to the chat; tell the slot when its request leaves and when it is done. */
  async acquire(chatId: string): Promise<SendSlot> {
    for (;;) {
      const now = this.clock.now().getTime();
      const wait = this.waitFor(chatId, now);
      if (wait <= 0) {
        const start = { at: now };
        this.recentStarts.push(now);
        if (isGroupChat(chatId))
          this.groupStarts.set(chatId, [...(this.groupStarts.get(chatId) ?? []), now]);
        this.busyChats.add(chatId);
        return {
          departing: () => {
            // Later than the slot was taken: the bot's window counts from the later time.
            const departed = this.clock.now().getTime();
            if (departed <= start.at) return;
            // Its slot may have left the window already (a request that took long to leave):
            // counted again from its departure all the same.
            const index = this.recentStarts.indexOf(start.at);
            if (index >= 0) this.recentStarts.splice(index, 1);
            start.at = departed;
            this.recentStarts.push(departed);
            this.recentStarts.sort((a, b) => a - b);
          },
          release: () => {
            this.busyChats.delete(chatId);
            const done = this.clock.now().getTime();
            if (!isGroupChat(chatId))
              this.chatReadyAt.set(chatId, done + this.limits.chatIntervalMs);
          },
        };
      }
      await this.sleep(Math.max(wait, MIN_WAIT_MS));
    }
  }

  /**
   * True when this process has sent nothing for a while: it may have just taken over from another
   * delivery process, whose recent sends it should observe first.
   */
  isCold(): boolean {
    const now = this.clock.now().getTime();
    return (
      this.busyChats.size === 0 &&
      this.recentStarts.every((start) => start <= now - (1000 + BOT_WINDOW_MARGIN_MS))
    );
  }

  /** A send made by another process at `at` (as recorded in the log): count it in the limits. */
  observe(chatId: string, at: Date): void {
    const time = at.getTime();
    const now = this.clock.now().getTime();
    if (time > now - (1000 + BOT_WINDOW_MARGIN_MS)) {
      this.recentStarts.push(time);
      this.recentStarts.sort((a, b) => a - b);
    }
    if (isGroupChat(chatId)) {
      const starts = [...(this.groupStarts.get(chatId) ?? []), time].sort((a, b) => a - b);
      this.groupStarts.set(chatId, starts);
    } else {
      const ready = time + this.limits.chatIntervalMs + WINDOW_MARGIN_MS;
      if (ready > (this.chatReadyAt.get(chatId) ?? 0)) this.chatReadyAt.set(chatId, ready);
    }
  }

  /** Telegram answered 429: no send of this bot leaves before `ms` have passed. */
  pauseAll(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now().getTime() + ms);
  }

  /** Milliseconds until a send to the chat may start; 0 or less when it may start now. */
  private waitFor(chatId: string, now: number): number {
    if (this.busyChats.has(chatId)) return MIN_WAIT_MS;
    const waits = [this.pausedUntil - now, (this.chatReadyAt.get(chatId) ?? 0) - now];
    waits.push(
      windowWait(this.recentStarts, this.limits.perSecond, 1000 + BOT_WINDOW_MARGIN_MS, now),
    );
    const group = this.groupStarts.get(chatId);
    if (group)
      waits.push(windowWait(group, this.limits.groupPerMinute, 60_000 + WINDOW_MARGIN_MS, now));
    if ((this.chatReadyAt.get(chatId) ?? 0) < now) this.chatReadyAt.delete(chatId);
    return Math.max(...waits);
  }
}

/** Drops starts older than the window; returns how long until one more start fits in it. */
function windowWait(starts: number[], limit: number, windowMs: number, now: number): number {
  while (starts.length > 0 && starts[0]! <= now - windowMs) starts.shift();
  return starts.length < limit ? 0 : starts[starts.length - limit]! + windowMs - now;
}
