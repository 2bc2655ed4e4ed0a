import type { MikroORM } from '@mikro-orm/postgresql';
import type { RecipientStatus } from '../../../../domain/src/scheduled-message';

/** Ids looked up together at most in one query. */
const MAX_IDS = 5000;

/**
 * The subscribers' statuses for the recipients of a message being scheduled, read from the
 * subscribers view. Lookups that arrive while one query is in flight go together in the next
 * query (one round trip for all), as appends do in the event store: under load, each request
 * would otherwise pay a round trip of its own.
 */
export class SubscriberStatuses {
  private waiting: {
    ids: readonly string[];
    resolve: (rows: Row[]) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private running = false;

  constructor(private readonly orm: MikroORM) {}

  /** The status of each id that is a subscriber (ids must be UUIDs). */
  async of(ids: readonly string[]): Promise<Map<string, RecipientStatus>> {
    if (ids.length === 0) return new Map();
    const rows = await new Promise<Row[]>((resolve, reject) => {
      this.waiting.push({ ids, resolve, reject });
      if (!this.running) void this.drain();
    });
    const wanted = new Set(ids);
    return new Map(
      rows.filter((row) => wanted.has(row.user_id)).map((row) => [row.user_id, row.status]),
    );
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const batch: typeof this.waiting = [];
        let count = 0;
        while (
          this.waiting.length > 0 &&
          (batch.length === 0 || count + this.waiting[0]!.ids.length <= MAX_IDS)
        ) {
          const next = this.waiting.shift()!;
          batch.push(next);
          count += next.ids.length;
        }
        const ids = [...new Set(batch.flatMap((lookup) => lookup.ids))];
        try {
          const rows = await this.orm.em
            .fork()
            .execute<Row[]>(
              'SELECT user_id, status FROM subscribers WHERE user_id = ANY(?::uuid[])',
              [`{${ids.join(',')}}`],
            );
          for (const lookup of batch) lookup.resolve(rows);
        } catch (error) {
          for (const lookup of batch) lookup.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

interface Row {
  user_id: string;
  status: RecipientStatus;
}
