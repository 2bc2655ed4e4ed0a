import { InFlightBatcher } from './in-flight-batcher';

/** A batch runner that holds each batch until released, recording what it was given. */
function heldRunner() {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  const run = async (items: readonly number[]) => {
    batches.push([...items]);
    await new Promise<void>((resolve) => releases.push(resolve));
    return items.map((item): PromiseSettledResult<number> =>
      item < 0
        ? { status: 'rejected', reason: new Error(`refused ${item}`) }
        : { status: 'fulfilled', value: item * 10 },
    );
  };
  const releaseNext = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    releases.shift()?.();
  };
  return { batches, run, releaseNext };
}

describe('InFlightBatcher', () => {
  it('sends a lone item at once, and what arrives meanwhile together in the next batch', async () => {
    const { batches, run, releaseNext } = heldRunner();
    const batcher = new InFlightBatcher(run, { max: 10 });
    const first = batcher.run(1);
    const rest = [2, 3, 4].map((item) => batcher.run(item));
    await releaseNext();
    await releaseNext();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('gives each item its own outcome, and keeps batches within the limit by weight', async () => {
    const { batches, run, releaseNext } = heldRunner();
    const batcher = new InFlightBatcher(run, { max: 5, weight: (item) => Math.abs(item) });
    const outcomes = [1, 2, -3, 4, 9].map((item) =>
      batcher.run(item).catch((e: Error) => e.message),
    );
    for (let n = 0; n < 4; n++) await releaseNext();
    expect(await Promise.all(outcomes)).toEqual([10, 20, 'refused -3', 40, 90]);
    // 1 alone; then 2 + 3 (weight 5); then 4; then 9 alone, heavier than the limit.
    expect(batches).toEqual([[1], [2, -3], [4], [9]]);
  });

  it('runs up to its concurrency of batches at once, the items that wait together after', async () => {
    const { batches, run, releaseNext } = heldRunner();
    const batcher = new InFlightBatcher(run, { max: 10, concurrency: 2 });
    const outcomes = [1, 2, 3, 4, 5].map((item) => batcher.run(item));
    // 1 and 2 each go at once in a batch of their own; 3, 4 and 5 wait for either.
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1], [2]]);
    for (let n = 0; n < 3; n++) await releaseNext();
    expect(await Promise.all(outcomes)).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1], [2], [3, 4, 5]]);
  });

  it('fails every item of a batch whose run throws, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new InFlightBatcher(
      async (items: readonly number[]) => {
        if (calls++ === 0) throw new Error('database away');
        return items.map((item) => ({ status: 'fulfilled' as const, value: item }));
      },
      { max: 10 },
    );
    await expect(batcher.run(1)).rejects.toThrow('database away');
    await expect(batcher.run(2)).resolves.toBe(2);
  });
});
