import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SeriesConfig } from '../../../../config/src/config';
import { decideSeries } from '../../../../domain/src/series';
import { Clock } from '../../../../runtime/src/clock';
import { metadataFor } from '../../request-context';
import { SeriesDecisions } from '../../series/series-decision';
import { planningFor } from '../../series/series-planning';
import { seriesNotFound } from '../../series/series-stream';
import { ResumeSeriesCommand } from './resume-series.command';

@CommandHandler(ResumeSeriesCommand)
export class ResumeSeriesHandler implements ICommandHandler<ResumeSeriesCommand> {
  constructor(
    private readonly decisions: SeriesDecisions,
    private readonly config: SeriesConfig,
    private readonly clock: Clock,
  ) {}

  async execute(command: ResumeSeriesCommand): Promise<void> {
    await this.decisions.decide(
      command.seriesId,
      (state, recipientZones) => {
        if (state.status === 'none') throw seriesNotFound(command.seriesId);
        return decideSeries(
          {
            type: 'ResumeSeries',
            seriesId: command.seriesId,
            ...planningFor(state.rule, this.clock.now(), {
              graceSeconds: this.config.graceSeconds,
              recipientZones,
            }),
          },
          state,
        );
      },
      metadataFor(command.context),
    );
  }
}
