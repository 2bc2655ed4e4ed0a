import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SeriesConfig } from '../../../../config/src/config';
import { decideSeries, type SeriesCommand } from '../../../../domain/src/series';
import { Clock } from '../../../../runtime/src/clock';
import { metadataFor } from '../../request-context';
import { SeriesDecisions } from '../../series/series-decision';
import { planningFor } from '../../series/series-planning';
import { seriesNotFound } from '../../series/series-stream';
import { ChangeOccurrenceCommand } from './change-occurrence.command';

@CommandHandler(ChangeOccurrenceCommand)
export class ChangeOccurrenceHandler implements ICommandHandler<ChangeOccurrenceCommand> {
  constructor(
    private readonly decisions: SeriesDecisions,
    private readonly config: SeriesConfig,
    private readonly clock: Clock,
  ) {}

  async execute(command: ChangeOccurrenceCommand): Promise<void> {
    await this.decisions.decide(
      command.seriesId,
      (state, recipientZones) => {
        if (state.status === 'none') throw seriesNotFound(command.seriesId);
        const one = {
          seriesId: command.seriesId,
          occurrenceAt: command.occurrenceAt,
          ...planningFor(state.rule, this.clock.now(), {
            graceSeconds: this.config.graceSeconds,
            recipientZones,
          }),
        };
        const decided: SeriesCommand =
          command.change.kind === 'skip'
            ? { type: 'SkipOccurrence', ...one }
            : command.change.kind === 'move'
              ? { type: 'MoveOccurrence', ...one, scheduledAt: command.change.scheduledAt }
              : { type: 'EditOccurrence', ...one, text: command.change.text };
        return decideSeries(decided, state);
      },
      metadataFor(command.context),
    );
  }
}
