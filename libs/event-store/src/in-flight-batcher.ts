/**
 * Batches work while the database is busy: an item that arrives while as many batches as allowed
 * are in flight waits for one of them, then goes with every other item that arrived meanwhile, in
 * the next batch. A lone item goes at once. Under load each item thus shares a round trip instead
 * of paying its own; with more than one batch in flight, a slow batch does not hold up the rest.
 */
export class InFlightBatcher<Item, Result> {
  private readonly waiting: {
    item: Item;
    resolve: (result: Result) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private running = 0;

  constructor(
    /**
     * Runs one batch; answers each item's outcome, in order. A throw fails every item of the
     * batch with that error.
     */
    private readonly runBatch: (items: readonly Item[]) => Promise<PromiseSettledResult<Result>[]>,
    /**
     * How much of a batch an item takes (1 by default), how much one batch holds at most, and how
     * many batches may be in flight at once (1 by default).
     */
    private readonly limit: {
      readonly max: number;
      readonly weight?: (item: Item) => number;
      readonly concurrency?: number;
    },
  ) {}

  run(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.running < (this.limit.concurrency ?? 1)) void this.drain();
    });
  }

  /** One lane: runs batches while items wait. */
  private async drain(): Promise<void> {
    this.running++;
    try {
      while (this.waiting.length > 0) {
        const batch = this.takeBatch();
        try {
          const outcomes = await this.runBatch(batch.map((entry) => entry.item));
          batch.forEach((entry, index) => {
            const outcome = outcomes[index];
            if (outcome?.status === 'fulfilled') entry.resolve(outcome.value);
            else entry.reject(outcome ? outcome.reason : new Error('No outcome for a batch item'));
          });
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.running--;
    }
  }

  /** The waiting items, oldest first, up to the limit (at least one, however heavy). */
  private takeBatch(): typeof this.waiting {
    const weight = this.limit.weight ?? (() => 1);
    let taken = 0;
    let total = 0;
    for (const entry of this.waiting) {
      const next = weight(entry.item);
      if (taken > 0 && total + next > this.limit.max) break;
      taken++;
      total += next;
    }
    return this.waiting.splice(0, taken);
  }
}
