/**
 * `npm run bench`: every benchmark scenario in one run on this machine, one table at the end.
 * `npm run bench -- accept on-time` runs only the named scenarios.
 */
import 'reflect-metadata';
import { cpus, totalmem } from 'node:os';
import { acceptScenario } from './scenarios/accept';
import { broadcastScenario } from './scenarios/broadcast';
import { burstScenario } from './scenarios/burst';
import { costScenario } from './scenarios/cost';
import { deliverAtLimitScenario } from './scenarios/deliver-at-limit';
import { memoryScenario } from './scenarios/memory';
import { onTimeScenario } from './scenarios/on-time';
import { scaleScenario } from './scenarios/scale';
import { seriesScenario } from './scenarios/series';
import type { ScenarioResult } from './scenarios/scenario';
import { BenchSystem } from './support/bench-system';

type ScenarioName =
  'accept' | 'deliver' | 'on-time' | 'scale' | 'memory' | 'cost' | 'burst' | 'series' | 'broadcast';

/** In the issue's order; each leaves the system as the next expects it. */
const SCENARIOS: Record<ScenarioName, (system: BenchSystem) => Promise<ScenarioResult>> = {
  accept: acceptScenario,
  deliver: deliverAtLimitScenario,
  'on-time': onTimeScenario,
  scale: scaleScenario,
  memory: memoryScenario,
  cost: costScenario,
  burst: burstScenario,
  series: seriesScenario,
  broadcast: broadcastScenario,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2) as ScenarioName[];
  const unknown = wanted.filter((name) => !(name in SCENARIOS));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`,
    );
  }
  const names = wanted.length > 0 ? wanted : (Object.keys(SCENARIOS) as ScenarioName[]);
  const started = Date.now();
  const system = new BenchSystem();
  const results: ScenarioResult[] = [];
  try {
    await system.start();
    await system.ensureApp('api');
    for (const name of names) {
      process.stderr.write(`${name}…\n`);
      results.push(await SCENARIOS[name](system));
    }
  } finally {
    await system.stop();
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  process.stdout.write(`${table(results)}\n`);
  for (const result of results) {
    process.stdout.write(
      `\n${result.scenario}\n${result.details.map((line) => `  ${line}`).join('\n')}\n`,
    );
  }
  process.stdout.write(
    `\n${new Date().toISOString().slice(0, 10)} · ${machine} · ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
  if (results.some((result) => !result.met)) process.exitCode = 1;
}

function table(results: readonly ScenarioResult[]): string {
  const header = ['scenario', 'figure', 'target', 'met'];
  const rows = results.map((r) => [r.scenario, r.figure, r.target, r.met ? 'yes' : 'NO']);
  const widths = header.map((_, column) =>
    Math.max(header[column]!.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
