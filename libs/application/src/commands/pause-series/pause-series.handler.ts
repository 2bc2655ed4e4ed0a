import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideSeries } from '../../../../domain/src/series';
import { metadataFor } from '../../request-context';
import { SeriesDecisions } from '../../series/series-decision';
import { PauseSeriesCommand } from './pause-series.command';

@CommandHandler(PauseSeriesCommand)
export class PauseSeriesHandler implements ICommandHandler<PauseSeriesCommand> {
  constructor(private readonly decisions: SeriesDecisions) {}

  async execute(command: PauseSeriesCommand): Promise<void> {
    await this.decisions.decide(
      command.seriesId,
      (state) => decideSeries({ type: 'PauseSeries', seriesId: command.seriesId }, state),
      metadataFor(command.context),
    );
  }
}
