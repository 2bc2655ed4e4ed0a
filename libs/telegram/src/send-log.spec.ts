import { type BudgetRule, type BudgetState, placeRequests } from './send-log';

/** Telegram's 30 a second, the window widened to 1.02 s, one send's share 34 ms. */
const RULE: BudgetRule = { limit: 30, windowUs: 1_020_000, stepUs: 34_000 };
const EMPTY: BudgetState = { nextSlotUs: 0, pausedUntilUs: 0, log: [] };

/** The most counted within any span shorter than the window, over placed requests. */
function mostInAnyWindow(placed: readonly { atUs: number; weight: number }[]): number {
  const sorted = [...placed].sort((a, b) => a.atUs - b.atUs);
  let most = 0;
  let held = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    held += sorted[last]!.weight;
    while (sorted[last]!.atUs - sorted[first]!.atUs >= RULE.windowUs)
      held -= sorted[first++]!.weight;
    most = Math.max(most, held);
  }
  return most;
}

/** A small deterministic generator, so that a failure repeats. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('placeRequests: the bot budget as a log of the last window', () => {
  it('Given nothing placed, When single sends are placed, Then they go a step apart from now', () => {
    const { instantsUs } = placeRequests(EMPTY, 5_000_000, [1, 1, 1], RULE);
    expect(instantsUs).toEqual([5_000_000, 5_034_000, 5_068_000]);
  });

  it('Given single sends at the full rate, When more follow, Then none waits longer than its step', () => {
    let state = EMPTY;
    const instants: number[] = [];
    for (let batch = 0; batch < 40; batch++) {
      const placed = placeRequests(state, 0, [1, 1, 1], RULE);
      instants.push(...placed.instantsUs);
      state = placed.state;
    }
    expect(instants).toEqual(instants.map((_, index) => index * RULE.stepUs));
    // Single sends in a row are logged as one run.
    expect(placeRequests(state, 0, [1, 1, 1], RULE).added).toEqual([
      { atUs: 120 * RULE.stepUs, count: 3, weight: 1, stepUs: RULE.stepUs },
    ]);
  });

  it('Given single sends at the full rate, When an album of 3 follows, Then it waits for 2 of them to leave the window', () => {
    const singles = placeRequests(EMPTY, 0, Array<number>(40).fill(1), RULE);
    const { instantsUs } = placeRequests(singles.state, 0, [3, 1], RULE);
    // 40 sends placed, so the next step is at 40; the album waits two more (2n − 1 in all).
    expect(instantsUs[0]).toBe(42 * RULE.stepUs);
    // The send after it follows its three steps.
    expect(instantsUs[1]).toBe(45 * RULE.stepUs);
  });

  it('Given nothing placed, When albums of 3 are placed in a row, Then they use the whole rate', () => {
    const { instantsUs } = placeRequests(EMPTY, 0, Array<number>(30).fill(3), RULE);
    expect(instantsUs).toEqual(instantsUs.map((_, index) => index * 3 * RULE.stepUs));
  });

  it('Given a pause after a 429, When a send is placed, Then it goes when the pause ends', () => {
    const { instantsUs } = placeRequests({ ...EMPTY, pausedUntilUs: 900_000 }, 100_000, [1], RULE);
    expect(instantsUs).toEqual([900_000]);
  });

  it('Given requests placed long ago, When a send is placed now, Then the log forgets them', () => {
    const old = placeRequests(EMPTY, 0, [3, 1, 10], RULE);
    const { state } = placeRequests(old.state, 10_000_000, [1], RULE);
    expect(state.log).toEqual([{ atUs: 10_000_000, count: 1, weight: 1, stepUs: RULE.stepUs }]);
  });

  it('Given any mix of single sends and albums placed at any moments, Then no window holds more than the limit', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const next = random(seed);
      let state = EMPTY;
      let nowUs = 0;
      const placed: { atUs: number; weight: number }[] = [];
      for (let batch = 0; batch < 60; batch++) {
        nowUs += Math.floor(next() * 150_000);
        const weights = Array.from({ length: 1 + Math.floor(next() * 4) }, () =>
          next() < 0.3 ? 2 + Math.floor(next() * 9) : 1,
        );
        const result = placeRequests(state, nowUs, weights, RULE);
        result.instantsUs.forEach((atUs, index) => placed.push({ atUs, weight: weights[index]! }));
        state = result.state;
      }
      expect(mostInAnyWindow(placed)).toBeLessThanOrEqual(RULE.limit);
    }
  });

  it('Given a limit of 30, When 31 are counted within the window, Then the check above sees it (it can fail)', () => {
    const placed = Array.from({ length: 31 }, (_, index) => ({ atUs: index * 33_000, weight: 1 }));
    expect(mostInAnyWindow(placed)).toBe(31);
  });
});
