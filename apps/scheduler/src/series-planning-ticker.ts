import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { PlanSeriesCommand } from '../../../libs/application/src/commands/plan-series/plan-series.command';
import {
  findSeriesToPlan,
  type SeriesToPlan,
} from '../../../libs/projections/src/pending-deadlines.projection';
import { SchedulerConfig } from '../../../libs/config/src/config';
import { Clock } from '../../../libs/runtime/src/clock';

/**
 * Series found per page of a tick; planned in batches (read together, appended sharing commits),
 * so many batches at once.
 */
const PAGE = 500;
const BATCH = 50;
const CONCURRENCY = 4;
/**
 * The planner runs every second (or every SCHEDULER_TICK_MS, if shorter), half-way between whole
 * seconds: occurrences fall due on whole seconds (a rule fires at 10:00:00), which is when the
 * scheduler marks them due and delivery sends them, so the planning of the next ones comes in
 * between, a second's worth at a time rather than a tick's.
 */
const PLANNING_EVERY_MS = 1000;

/**
 * Plans the next occurrence of each series whose latest planned one has come (the scheduler's
 * projection keeps when that is). An occurrence is planned about an interval ahead of its time,
 * so planning within a second of that is early enough; the work per run is what came due to plan,
 * however many series there are.
 */
@Injectable()
export class SeriesPlanningTicker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private running: Promise<void> | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: SchedulerConfig,
    private readonly orm: MikroORM,
    private readonly commands: CommandBus,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.armNext();
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** The next run at the next half-way instant (`every` × n + `every` / 2 of the clock). */
  private armNext(): void {
    if (this.stopped) return;
    const every = Math.min(this.config.tickMs, PLANNING_EVERY_MS);
    const now = this.clock.now().getTime();
    const next = Math.floor((now - every / 2) / every) * every + every * 1.5;
    this.timer = setTimeout(() => {
      this.armNext();
      void this.tick();
    }, next - now);
  }

  /** One tick; one still running makes the next skip. */
  async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = this.planDue().finally(() => (this.running = undefined));
    await this.running;
  }

  private async planDue(): Promise<void> {
    try {
      const until = this.clock.now();
      // Page after page from where the last ended: the projection moves a planned series on only
      // when its follower reads the planning, so starting over would plan the same series again.
      for (let after: SeriesToPlan | undefined; ;) {
        const due = await findSeriesToPlan(this.orm.em.fork(), until, after, PAGE);
        const batches = Array.from({ length: Math.ceil(due.length / BATCH) }, (_, index) =>
          due.slice(index * BATCH, (index + 1) * BATCH).map((entry) => entry.seriesId),
        );
        let failed = 0;
        await Promise.all(
          Array.from({ length: Math.min(CONCURRENCY, batches.length) }, async () => {
            for (let batch = batches.shift(); batch; batch = batches.shift()) {
              if (this.stopped) return;
              failed += await this.plan(batch);
            }
          }),
        );
        // A full page planned: there may be more; a failure is left to the next tick.
        if (due.length < PAGE || failed > 0 || this.stopped) return;
        after = due.at(-1);
      }
    } catch (error) {
      this.logger.error(
        `Planning series failed; the next tick retries: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Plans a batch; answers how many of its series failed (the next tick retries them). */
  private async plan(seriesIds: readonly string[]): Promise<number> {
    try {
      const { failed } = await this.commands.execute(new PlanSeriesCommand(seriesIds));
      for (const [seriesId, error] of failed) {
        this.logger.error(
          `Planning series ${seriesId} failed; the next tick retries: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return failed.size;
    } catch (error) {
      this.logger.error(
        `Planning ${seriesIds.length} series failed; the next tick retries: ${error instanceof Error ? error.message : String(error)}`,
      );
      return seriesIds.length;
    }
  }
}
