import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decideSeries } from '../../../../domain/src/series';
import { metadataFor } from '../../request-context';
import { SeriesDecisions } from '../../series/series-decision';
import { EndSeriesCommand } from './end-series.command';

@CommandHandler(EndSeriesCommand)
export class EndSeriesHandler implements ICommandHandler<EndSeriesCommand> {
  constructor(private readonly decisions: SeriesDecisions) {}

  async execute(command: EndSeriesCommand): Promise<void> {
    await this.decisions.decide(
      command.seriesId,
      (state) => decideSeries({ type: 'EndSeries', seriesId: command.seriesId }, state),
      metadataFor(command.context),
    );
  }
}
