import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SeriesConfig } from '../../../../config/src/config';
import { decideSeries } from '../../../../domain/src/series';
import { StreamVersionConflictError } from '../../../../event-store/src/event-store';
import { Clock } from '../../../../runtime/src/clock';
import { SeriesDecisions } from '../../series/series-decision';
import { planningFor } from '../../series/series-planning';
import { seriesNotFound } from '../../series/series-stream';
import { PlanSeriesCommand, type PlanSeriesOutcome } from './plan-series.command';

@CommandHandler(PlanSeriesCommand)
export class PlanSeriesHandler implements ICommandHandler<PlanSeriesCommand> {
  private readonly logger = new Logger('Scheduler');

  constructor(
    private readonly decisions: SeriesDecisions,
    private readonly config: SeriesConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * Plans each series at the version read: two schedulers planning the same series at once
   * conflict, and the loser leaves it (the winner's plan stands; its next tick finds nothing left
   * to plan). Before planning, the occurrences planned earlier get their messages if a crash left
   * them without. The series are read together and their appends share commits, so that a
   * planner tick costs a few round trips per batch rather than several per series.
   */
  async execute(command: PlanSeriesCommand): Promise<PlanSeriesOutcome> {
    const decided = await this.decisions.decideMany(
      command.seriesIds,
      (seriesId) => (state, recipientZones) => {
        if (state.status === 'none') throw seriesNotFound(seriesId);
        return decideSeries(
          {
            type: 'PlanSeries',
            seriesId,
            ...planningFor(state.rule, this.clock.now(), {
              graceSeconds: this.config.graceSeconds,
              recipientZones,
            }),
          },
          state,
        );
      },
      (correlationId, seriesId) => ({
        // The request that created the series goes on with every occurrence it plans.
        correlationId: correlationId ?? seriesId,
        causationId: null,
        actor: 'scheduler',
      }),
      { repairFirst: true },
    );
    const failed = new Map<string, unknown>();
    for (const [seriesId, outcome] of decided) {
      if (outcome.status === 'rejected') {
        if (!(outcome.reason instanceof StreamVersionConflictError)) {
          failed.set(seriesId, outcome.reason);
        }
        continue;
      }
      for (const event of outcome.value.events) {
        if (event.type === 'OccurrencesMissed') {
          this.logger.warn(
            `Series ${seriesId} missed ${event.data.count} occurrence(s) from ${event.data.first} to ${event.data.last}: past the grace period`,
          );
        }
      }
    }
    return { failed };
  }
}
