import { Command, CommandRunner } from 'nest-commander';
import {
  isProjectionName,
  ProjectionReplayer,
  PROJECTIONS,
  type ReplayProgress,
} from '../../../libs/projections/src/replay/projection-replayer';
import { print, say, UsageError } from './output';
import { formatProgress } from './progress';

@Command({
  name: 'replay',
  arguments: '[projections...]',
  description: `Rebuilds projections from the log, from position 0: ${PROJECTIONS.join(', ')} (all when none is named)`,
})
export class ReplayCommand extends CommandRunner {
  constructor(private readonly replayer: ProjectionReplayer) {
    super();
  }

  async run(names: string[]): Promise<void> {
    const unknown = names.filter((name) => !isProjectionName(name));
    if (unknown.length > 0) {
      throw new UsageError(
        `Unknown projection ${unknown.join(', ')}; known: ${PROJECTIONS.join(', ')}`,
      );
    }
    const projections = names.length > 0 ? names.filter(isProjectionName) : PROJECTIONS;
    const tty = process.stderr.isTTY;
    let shownAt = 0;
    const show = (progress: ReplayProgress) => {
      if (tty) process.stderr.write(`\r${formatProgress(progress)}`);
      else if (Date.now() - shownAt >= 1000) {
        say(formatProgress(progress));
        shownAt = Date.now();
      }
    };
    const report = await this.replayer.replay(projections, show);
    shownAt = 0;
    show({ events: report.events, total: report.events, elapsedMs: report.durationMs });
    if (tty) process.stderr.write('\n');
    const rate = Math.round((report.events / Math.max(report.durationMs, 1)) * 1000);
    await print(
      `Replayed ${report.events} events into ${report.projections.join(', ')} in ${report.durationMs} ms (${rate} events/s); appends waited ${report.swapMs} ms for the swap`,
    );
    for (const [table, count] of Object.entries(report.rows))
      await print(`  ${table}: ${count} rows`);
  }
}
