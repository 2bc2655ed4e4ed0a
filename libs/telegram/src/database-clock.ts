import type { MikroORM } from '@mikro-orm/postgresql';
import type { Clock } from '../../runtime/src/clock';

export interface ClockSample {
  /** The database's clock minus this process's, in ms, as this sample measured it. */
  readonly offsetMs: number;
  /** The sample's round trip: the offset is right within half of it. */
  readonly roundTripMs: number;
  /** When it was taken (this process's clock). */
  readonly takenAt: number;
}

/** Samples older than this are not trusted: clocks drift. */
const SAMPLE_TTL_MS = 120_000;
/** A new sample is taken when the newest is this old. */
const RESAMPLE_EVERY_MS = 10_000;
/** Samples taken on first use: one quick round trip among them is enough. */
const FIRST_SAMPLES = 5;

/**
 * The best estimate among recent samples: the one with the shortest round trip, whose reading of
 * the database's clock was least delayed on its way back (NTP's clock filter does the same),
 * taken on its late side (less half the round trip): an instant of the database's clock
 * converted with it is never early, so a slot or a pause is never cut short.
 */
export function bestOffset(samples: readonly ClockSample[], now: number): number | undefined {
  let best: ClockSample | undefined;
  for (const sample of samples)
    if (now - sample.takenAt <= SAMPLE_TTL_MS && (!best || sample.roundTripMs < best.roundTripMs))
      best = sample;
  return best && best.offsetMs - best.roundTripMs / 2;
}

/**
 * The database's clock, read in this process's terms. The bot's send slots are instants of the
 * database's clock, shared by every delivery process; a process that turned "the slot is 40 ms
 * from now" into its own time on receiving the answer would place the slot late by however long
 * the answer took (a commit's flush, a busy event loop), and its slots would crowd the next ones
 * of another process, or its own next batch (seen in the bench: 31 arrivals within a second).
 * Reading the database's clock with a plain query, round trip measured, gives an offset right to
 * within a fraction of a millisecond on a quiet round trip, whatever the slow ones do.
 */
export class DatabaseClock {
  private samples: ClockSample[] = [];
  private sampling: Promise<void> | null = null;

  constructor(
    private readonly orm: MikroORM,
    private readonly clock: Clock,
  ) {}

  /** A database-clock instant (epoch ms) as an instant of this process's clock. */
  async toLocal(databaseMs: number): Promise<number> {
    const now = this.clock.now().getTime();
    let offset = bestOffset(this.samples, now);
    if (offset === undefined) {
      await this.sampleOnce(FIRST_SAMPLES);
      offset = bestOffset(this.samples, this.clock.now().getTime()) ?? 0;
    } else if (now - (this.samples.at(-1)?.takenAt ?? 0) >= RESAMPLE_EVERY_MS) {
      // In the background: the estimate in hand is good for now.
      void this.sampleOnce(1).catch(() => undefined);
    }
    return databaseMs - offset;
  }

  private sampleOnce(count: number): Promise<void> {
    this.sampling ??= this.sample(count).finally(() => (this.sampling = null));
    return this.sampling;
  }

  private async sample(count: number): Promise<void> {
    for (let taken = 0; taken < count; taken++) {
      const sentAt = this.clock.now().getTime();
      const [row] = await this.orm.em
        .fork()
        .execute<{ now_ms: number }[]>(
          `SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now_ms`,
        );
      const answeredAt = this.clock.now().getTime();
      this.samples = [
        ...this.samples.filter((sample) => answeredAt - sample.takenAt <= SAMPLE_TTL_MS),
        {
          offsetMs: Number(row!.now_ms) - (sentAt + answeredAt) / 2,
          roundTripMs: answeredAt - sentAt,
          takenAt: answeredAt,
        },
      ];
    }
  }
}
