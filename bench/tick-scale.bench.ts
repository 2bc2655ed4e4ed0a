/**
 * Scale: the scheduler's tick query (what is due now) with 10,000 and with 1,000,000 messages
 * pending, 100 of them due, in a database of its own. Prints the median time of each and the
 * ratio. `npm run bench:tick`
 */
import 'reflect-metadata';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import {
  findPendingUntil,
  findSeriesToPlan,
} from '../libs/projections/src/pending-deadlines.projection';
import { migrate } from '../libs/database/src/migrate';
import { ormOptions } from '../libs/database/src/orm-options';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SIZES = [10_000, 1_000_000];
const DUE = 100;
const BATCH = 500;
const RUNS = 200;

export interface TickScaleResult {
  readonly pending: number;
  readonly medianMs: number;
}

/** Measures the tick query at each size; its own database, dropped at the end. */
export async function measureTickScale(): Promise<TickScaleResult[]> {
  const name = `sm_bench_tick_${process.pid}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const results: { pending: number; medianMs: number }[] = [];
  try {
    await migrate(url.toString());
    const orm = await MikroORM.init(ormOptions(url.toString()));
    try {
      const em = orm.em.fork();
      for (const pending of SIZES) {
        await em.execute('TRUNCATE scheduler_pending');
        // DUE messages already due; the rest spread over the coming year.
        await em.execute(
          `INSERT INTO scheduler_pending (message_id, scheduled_at)
           SELECT gen_random_uuid(),
                  CASE WHEN i <= ? THEN now() - interval '1 minute'
                       ELSE now() + (i * 31.5) * interval '1 second' END
             FROM generate_series(1, ?) AS i`,
          [DUE, pending],
        );
        await em.execute('VACUUM ANALYZE scheduler_pending');
        const times: number[] = [];
        for (let run = 0; run < RUNS; run++) {
          const started = performance.now();
          // As a tick asks: what is due and what falls due within two 5 s ticks.
          const due = await findPendingUntil(
            orm.em.fork(),
            new Date(Date.now() + 10_000),
            undefined,
            BATCH,
          );
          times.push(performance.now() - started);
          if (due.length !== DUE) throw new Error(`expected ${DUE} due, found ${due.length}`);
        }
        times.sort((a, b) => a - b);
        results.push({ pending, medianMs: times[Math.floor(times.length / 2)]! });
        process.stderr.write(
          `${pending} pending: median ${results.at(-1)!.medianMs.toFixed(3)} ms\n`,
        );
      }
    } finally {
      await orm.close(true);
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
  return results;
}

/**
 * The series planner's tick query (series whose time to plan has come) with 10,000 and 100,000
 * active series, 100 of them due to plan, in a database of its own.
 */
export async function measureSeriesTickScale(): Promise<TickScaleResult[]> {
  const name = `sm_bench_series_tick_${process.pid}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const results: TickScaleResult[] = [];
  try {
    await migrate(url.toString());
    const orm = await MikroORM.init(ormOptions(url.toString()));
    try {
      const em = orm.em.fork();
      for (const series of [10_000, 100_000]) {
        await em.execute('TRUNCATE scheduler_series');
        // DUE series whose latest occurrence has come; the rest plan within the coming minute.
        await em.execute(
          `INSERT INTO scheduler_series (series_id, plan_at)
           SELECT gen_random_uuid(),
                  CASE WHEN i <= ? THEN now() - interval '1 second'
                       ELSE now() + interval '10 seconds' + (i % 50000) * interval '1 millisecond' END
             FROM generate_series(1, ?) AS i`,
          [DUE, series],
        );
        await em.execute('VACUUM ANALYZE scheduler_series');
        const times: number[] = [];
        for (let run = 0; run < RUNS; run++) {
          const started = performance.now();
          const due = await findSeriesToPlan(orm.em.fork(), new Date(), undefined, BATCH);
          times.push(performance.now() - started);
          if (due.length !== DUE) throw new Error(`expected ${DUE} due, found ${due.length}`);
        }
        times.sort((a, b) => a - b);
        results.push({ pending: series, medianMs: times[Math.floor(times.length / 2)]! });
      }
    } finally {
      await orm.close(true);
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
  return results;
}

async function main(): Promise<void> {
  const results = await measureTickScale();
  const [small, large] = results;
  process.stdout.write(
    [
      `tick query (${DUE} due, batch ${BATCH}), median of ${RUNS}:`,
      ...results.map(
        (r) => `  ${r.pending.toLocaleString('en-US')} pending: ${r.medianMs.toFixed(3)} ms`,
      ),
      `  ratio 1,000,000 / 10,000: ${(large!.medianMs / small!.medianMs).toFixed(2)}x (target <= 1.5x)`,
      `  machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
      '',
    ].join('\n'),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
