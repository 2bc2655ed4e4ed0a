import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { type BenchSystem, BENCH_API_KEY, freePort, waitFor } from '../support/bench-system';
import { multipartBody, runLoad, type LoadResult } from '../support/load-client';
import { log, type ScenarioResult } from './scenario';

const CONCURRENCIES = [1, 8, 32];
const LOAD = { warmupMs: 2_000, measureMs: 8_000 };
const TARGET_RATIO_AT_8 = 0.5;

/**
 * Accept: POST /schedule-message without files at concurrency 1, 8 and 32, against a bare Node
 * endpoint making one durable single-row insert per request, by the same load client, each
 * concurrency measured on both back to back.
 */
export async function acceptScenario(system: BenchSystem): Promise<ScenarioResult> {
  const [recipient] = await system.subscribe(1, 30_000_001);
  const form = multipartBody({
    target_user_id: recipient!.userId,
    message: 'Accepted under load: a message of ordinary length for a subscriber.',
    scheduled_timestamp: '2030-01-31T09:30:00Z',
  });
  const port = await freePort();
  const bare = spawn(
    process.execPath,
    [
      join(resolve(__dirname, '..'), 'support', 'bare-insert-server.js'),
      system.databaseUrl,
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let ready = false;
  bare.stdout.on('data', () => (ready = true));
  try {
    await waitFor(() => ready, 10_000, 'the bare insert endpoint');
    const rows: { concurrency: number; bare: LoadResult; api: LoadResult }[] = [];
    for (const concurrency of CONCURRENCIES) {
      const bareResult = await runLoad(
        {
          url: `http://127.0.0.1:${port}/`,
          headers: { 'Content-Type': form.contentType },
          body: form.body,
        },
        concurrency,
        LOAD,
      );
      const apiResult = await runLoad(
        {
          url: `${system.apiUrl}/schedule-message`,
          headers: { 'Content-Type': form.contentType, 'X-API-Key': BENCH_API_KEY },
          body: form.body,
        },
        concurrency,
        LOAD,
      );
      rows.push({ concurrency, bare: bareResult, api: apiResult });
      log(
        `accept c=${concurrency}: bare ${bareResult.perSecond.toFixed(0)}/s, API ${apiResult.perSecond.toFixed(0)}/s (${apiResult.errors} errors)`,
      );
    }
    // What the framework alone costs: the same request refused by the API key check (401), no
    // database work at all.
    const floor = await runLoad(
      {
        url: `${system.apiUrl}/schedule-message`,
        headers: { 'Content-Type': form.contentType, 'X-API-Key': 'not-a-key-of-this-system' },
        body: form.body,
      },
      8,
      { ...LOAD, expectedStatus: 401 },
    );
    const at8 = rows.find((row) => row.concurrency === 8)!;
    const ratio = at8.api.perSecond / at8.bare.perSecond;
    const errors = rows.reduce((sum, row) => sum + row.api.errors + row.bare.errors, 0);
    return {
      scenario: 'Accept: POST /schedule-message, no files, vs a bare single-row insert',
      figure: `${(ratio * 100).toFixed(0)}% at c=8 (${at8.api.perSecond.toFixed(0)} vs ${at8.bare.perSecond.toFixed(0)} req/s)`,
      target: `≥ ${TARGET_RATIO_AT_8 * 100}% at c=8`,
      met: ratio >= TARGET_RATIO_AT_8 && errors === 0,
      details: [
        ...rows.map(
          (row) =>
            `c=${String(row.concurrency).padEnd(2)}  API ${row.api.perSecond.toFixed(0).padStart(5)} req/s (p50 ${row.api.p50Ms.toFixed(1)} ms, p99 ${row.api.p99Ms.toFixed(1)} ms)  bare insert ${row.bare.perSecond.toFixed(0).padStart(5)} req/s (p50 ${row.bare.p50Ms.toFixed(1)} ms, p99 ${row.bare.p99Ms.toFixed(1)} ms)  ratio ${((row.api.perSecond / row.bare.perSecond) * 100).toFixed(0)}%  errors ${row.api.errors + row.bare.errors}`,
        ),
        `floor at c=8: the API refusing the same request with 401 (framework, no database) ${floor.perSecond.toFixed(0)} req/s = ${((floor.perSecond / at8.bare.perSecond) * 100).toFixed(0)}% of the bare insert`,
      ],
    };
  } finally {
    bare.kill('SIGTERM');
  }
}
