import { ManualClock } from '../../../../runtime/src/clock';
import { backoffCeiling, RetryPolicy, SEND_BACKOFF } from './retry-policy';

describe('RetryPolicy', () => {
  const start = new Date('2030-01-01T00:00:00Z');

  function failingTimes(failures: number) {
    let calls = 0;
    return async (attempt: number) => {
      calls++;
      expect(attempt).toBe(calls);
      if (calls <= failures) throw new Error(`failure ${calls}`);
      return `done after ${calls}`;
    };
  }

  it('doubles the ceiling from the base up to the maximum', () => {
    expect(
      [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffCeiling(SEND_BACKOFF, attempt)),
    ).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('waits a random share of each ceiling (full jitter) on the clock, then succeeds', async () => {
    const clock = new ManualClock(start);
    const waits: number[] = [];
    const policy = new RetryPolicy(clock, () => 0.5);
    const result = await policy.run(
      failingTimes(3),
      SEND_BACKOFF,
      () => true,
      (_e, _a, waitMs) => waits.push(waitMs),
    );
    expect(result).toBe('done after 4');
    expect(waits).toEqual([250, 500, 1000]);
    expect(clock.now().getTime() - start.getTime()).toBe(1750);
  });

  it('waits the whole ceiling without jitter', async () => {
    const clock = new ManualClock(start);
    const policy = new RetryPolicy(clock, () => 0);
    await policy.run(failingTimes(2), { baseMs: 100, maxMs: 150, jitter: false }, () => true);
    expect(clock.now().getTime() - start.getTime()).toBe(250);
  });

  it('stops at the first failure it is not told to retry, and throws it', async () => {
    const clock = new ManualClock(start);
    const policy = new RetryPolicy(clock, () => 1);
    await expect(
      policy.run(failingTimes(10), SEND_BACKOFF, (_error, attempt) => attempt < 3),
    ).rejects.toThrow('failure 3');
    // Two waits, after the first and the second failure.
    expect(clock.now().getTime() - start.getTime()).toBe(1500);
  });

  it('does not wait when the first attempt succeeds', async () => {
    const clock = new ManualClock(start);
    await new RetryPolicy(clock).run(failingTimes(0), SEND_BACKOFF, () => true);
    expect(clock.now()).toEqual(start);
  });
});
