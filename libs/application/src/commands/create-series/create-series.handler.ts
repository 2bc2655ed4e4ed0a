import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiConfig, SeriesConfig } from '../../../../config/src/config';
import { DomainError, DomainErrorCode } from '../../../../domain/src/errors';
import { decideSeries } from '../../../../domain/src/series';
import { Clock } from '../../../../runtime/src/clock';
import { SeriesReader } from '../../ports/series-reader';
import { audienceOf } from '../../audience-request';
import { SubscriberReader } from '../../ports/subscriber-reader';
import { TopicReader } from '../../ports/topic-reader';
import { metadataFor } from '../../request-context';
import { seriesLimits } from '../../schedule-limits';
import { SeriesDecisions } from '../../series/series-decision';
import { planningFor } from '../../series/series-planning';
import { CreateSeriesCommand } from './create-series.command';

@CommandHandler(CreateSeriesCommand)
export class CreateSeriesHandler implements ICommandHandler<CreateSeriesCommand> {
  constructor(
    private readonly decisions: SeriesDecisions,
    private readonly subscribers: SubscriberReader,
    private readonly topics: TopicReader,
    private readonly series: SeriesReader,
    private readonly api: ApiConfig,
    private readonly config: SeriesConfig,
    private readonly clock: Clock,
  ) {}

  async execute(command: CreateSeriesCommand): Promise<void> {
    const owner = command.context.actor;
    // Checked before the append, so two requests at once may pass it together: a soft limit.
    const open = await this.series.countOpen(owner);
    if (open >= this.config.maxActivePerKey) {
      throw new DomainError(
        DomainErrorCode.TooManySeries,
        `This API key has ${open} series that have not ended; at most ${this.config.maxActivePerKey} are allowed: delete one first`,
        { max: this.config.maxActivePerKey },
      );
    }
    const now = this.clock.now();
    const rulePlanning = {
      graceSeconds: this.config.graceSeconds,
      atRecipientLocalTime: command.atRecipientLocalTime,
    };
    // The rule is checked before anything is read.
    planningFor(command.rule, now, {
      ...rulePlanning,
      minIntervalMinutes: this.config.minIntervalMinutes,
    });
    const audience = command.audience && (await audienceOf(this.topics, command.audience));
    const recipientStatus = await this.subscribers.statuses(command.recipients);
    await this.decisions.decide(
      command.seriesId,
      (state, recipientZones) =>
        decideSeries(
          {
            type: 'CreateSeries',
            seriesId: command.seriesId,
            recipients: command.recipients,
            text: command.text,
            attachments: command.attachments,
            fromSender: command.fromSender,
            rule: command.rule,
            atRecipientLocalTime: command.atRecipientLocalTime,
            audience,
            ...(command.sendOptions ? { sendOptions: command.sendOptions } : {}),
            ...(command.buttons ? { buttons: command.buttons } : {}),
            owner,
            recipientStatus,
            limits: seriesLimits(this.api),
            ...planningFor(command.rule, now, { ...rulePlanning, recipientZones }),
          },
          state,
        ),
      metadataFor(command.context),
      { zonesOf: command.atRecipientLocalTime ? command.recipients : [] },
    );
  }
}
