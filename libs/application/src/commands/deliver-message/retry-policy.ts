import type { Clock } from '../../../../runtime/src/clock';
import { TelegramSendError } from '../../ports/telegram-sender';

/** How long to wait after each failed attempt: doubling from `baseMs` up to `maxMs`. */
export interface BackoffSchedule {
  readonly baseMs: number;
  readonly maxMs: number;
  /** Full jitter: a random wait from 0 up to the doubling ceiling, so retries do not march together. */
  readonly jitter: boolean;
}

/** Sends that failed transiently (5xx, network errors, timeouts). */
export const SEND_BACKOFF: BackoffSchedule = { baseMs: 500, maxMs: 30_000, jitter: true };
/** Records of sends while the database cannot be reached. */
export const RECORD_BACKOFF: BackoffSchedule = { baseMs: 500, maxMs: 5_000, jitter: false };

/** The longest wait after the attempt-th failure (from 1). */
export const backoffCeiling = (schedule: BackoffSchedule, attempt: number): number =>
  Math.min(schedule.maxMs, schedule.baseMs * 2 ** (attempt - 1));

/** A call to Telegram is tried again after a transient failure, up to `maxAttempts` in all. */
export const transientUpTo =
  (maxAttempts: number) =>
  (error: unknown, attempt: number): boolean =>
    error instanceof TelegramSendError && error.kind === 'transient' && attempt < maxAttempts;

/** Runs work again after failures it is told to retry, waiting on the clock between attempts. */
export class RetryPolicy {
  constructor(
    private readonly clock: Clock,
    /** From 0 (inclusive) to 1: the jitter's draw. */
    private readonly random: () => number = Math.random,
  ) {}

  async run<T>(
    work: (attempt: number) => Promise<T>,
    schedule: BackoffSchedule,
    retries: (error: unknown, attempt: number) => boolean,
    onRetry: (error: unknown, attempt: number, waitMs: number) => void = () => undefined,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(attempt);
      } catch (error) {
        if (!retries(error, attempt)) throw error;
        const ceiling = backoffCeiling(schedule, attempt);
        const waitMs = schedule.jitter ? this.random() * ceiling : ceiling;
        onRetry(error, attempt, waitMs);
        await this.clock.sleep(waitMs);
      }
    }
  }
}
