/**
 * Requests reserved on the bot's budget: `count` requests `stepUs` apart from `atUs`, each
 * counted `weight` times by Telegram (an album: its items, all at one instant). Instants are
 * whole microseconds of the database's clock, so that sums and comparisons are exact.
 */
export interface ReservedRun {
  readonly atUs: number;
  readonly count: number;
  readonly weight: number;
  readonly stepUs: number;
}

/**
 * What every delivery process shares of a bucket of the bot's sends (tables `send_budget` and
 * `send_log`).
 */
export interface BudgetState {
  /** No request is placed before this: the last one's share of the rate is still running. */
  readonly nextSlotUs: number;
  /** After a 429: nothing leaves before this. */
  readonly pausedUntilUs: number;
  /** The requests placed within the last window, oldest first. */
  readonly log: readonly ReservedRun[];
}

export interface BudgetRule {
  /** What Telegram counts within any window: 30 sends a second. */
  readonly limit: number;
  /** The window, widened for the way to Telegram (1.02 s: a request may arrive 20 ms late). */
  readonly windowUs: number;
  /** Each send's share of the rate: requests are spread this far apart per send they count. */
  readonly stepUs: number;
}

const lastInstant = (run: ReservedRun): number => run.atUs + (run.count - 1) * run.stepUs;

/** Index range of the run's requests strictly within (fromUs, toUs), empty when first > last. */
function indicesWithin(run: ReservedRun, fromUs: number, toUs: number): [number, number] {
  const first = Math.max(0, Math.floor((fromUs - run.atUs) / run.stepUs) + 1);
  const last = Math.min(run.count - 1, Math.ceil((toUs - run.atUs) / run.stepUs) - 1);
  return [first, last];
}

/**
 * The earliest instant from `fromUs` at which a request counted `weight` times keeps every
 * window ending there within the limit: the log's weight in (t − window, t), plus its own, at
 * most the limit. Every request is later than those before it, so every window of the log is
 * one ending at its last request: none can hold more than the limit.
 */
function earliestWithin(
  log: readonly ReservedRun[],
  fromUs: number,
  weight: number,
  rule: BudgetRule,
): number {
  const windowStart = fromUs - rule.windowUs;
  let held = 0;
  for (const run of log) {
    const [first, last] = indicesWithin(run, windowStart, fromUs);
    if (last >= first) held += (last - first + 1) * run.weight;
  }
  let excess = held + Math.min(weight, rule.limit) - rule.limit;
  if (excess <= 0) return fromUs;
  // Wait until the oldest requests holding `excess` have left the window.
  for (const run of log) {
    const [first, last] = indicesWithin(run, windowStart, fromUs);
    if (last < first) continue;
    const within = (last - first + 1) * run.weight;
    if (within < excess) {
      excess -= within;
      continue;
    }
    const leaving = first + Math.ceil(excess / run.weight) - 1;
    return run.atUs + leaving * run.stepUs + rule.windowUs;
  }
  return fromUs;
}

/**
 * Places requests on the bot's budget in order (`weights`: what Telegram counts each as), from
 * `nowUs`: each at the earliest instant after the previous one's share of the rate (spread, not
 * bursted) where no window holds more than the limit. A run of single sends goes out a step
 * apart at the full rate; an album of n right after such a run waits for n − 1 of them to
 * leave the window, and the sends after it follow n steps later, so that albums in a row, or
 * single sends after an album, use the whole rate.
 */
export function placeRequests(
  state: BudgetState,
  nowUs: number,
  weights: readonly number[],
  rule: BudgetRule,
): {
  readonly instantsUs: number[];
  /** The runs these requests add to the log (single sends in a row, one run). */
  readonly added: ReservedRun[];
  readonly state: BudgetState;
} {
  // Requests that left the window before now can never share one with a request placed now.
  const log = state.log.filter((run) => lastInstant(run) > nowUs - rule.windowUs);
  const kept = log.length;
  let nextSlotUs = Math.max(state.nextSlotUs, nowUs, state.pausedUntilUs);
  const instantsUs: number[] = [];
  for (const weight of weights) {
    const atUs = earliestWithin(log, nextSlotUs, weight, rule);
    instantsUs.push(atUs);
    const previous = log.length > kept ? log.at(-1) : undefined;
    if (weight === 1 && previous?.weight === 1 && lastInstant(previous) + rule.stepUs === atUs)
      log[log.length - 1] = { ...previous, count: previous.count + 1 };
    else log.push({ atUs, count: 1, weight, stepUs: rule.stepUs });
    nextSlotUs = atUs + weight * rule.stepUs;
  }
  return {
    instantsUs,
    added: log.slice(kept),
    state: { nextSlotUs, pausedUntilUs: state.pausedUntilUs, log },
  };
}
