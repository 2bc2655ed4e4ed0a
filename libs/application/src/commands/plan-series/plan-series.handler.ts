import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SeriesConfig } from '../../../../config/src/config';
import { decideSeries } from '../../../../domain/src/series';
import { Clock } from '../../../../runtime/src/clock';
import { SeriesDecisions } from '../../series/series-decision';
import { planningFor } from '../../series/series-planning';
import { seriesNotFound } from '../../series/series-stream';
import { PlanSeriesCommand } from './plan-series.command';

@CommandHandler(PlanSeriesCommand)
export class PlanSeriesHandler implements ICommandHandler<PlanSeriesCommand> {
  private readonly logger = new Logger('Scheduler');

  constructor(
    private readonly decisions: SeriesDecisions,
    private readonly config: SeriesConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * Plans at the version read: two schedulers planning the same series at once conflict, and the
   * loser's next tick finds nothing left to plan. Before planning, the occurrences planned earlier
   * get their messages if a crash left them without.
   */
  async execute(command: PlanSeriesCommand): Promise<void> {
    const { events } = await this.decisions.decide(
      command.seriesId,
      (state, recipientZones) => {
        if (state.status === 'none') throw seriesNotFound(command.seriesId);
        return decideSeries(
          {
            type: 'PlanSeries',
            seriesId: command.seriesId,
            ...planningFor(state.rule, this.clock.now(), {
              graceSeconds: this.config.graceSeconds,
              recipientZones,
            }),
          },
          state,
        );
      },
      (correlationId) => ({
        // The request that created the series goes on with every occurrence it plans.
        correlationId: correlationId ?? command.seriesId,
        causationId: null,
        actor: 'scheduler',
      }),
      { repairFirst: true },
    );
    for (const event of events) {
      if (event.type === 'OccurrencesMissed') {
        this.logger.warn(
          `Series ${command.seriesId} missed ${event.data.count} occurrence(s) from ${event.data.first} to ${event.data.last}: past the grace period`,
        );
      }
    }
  }
}
