import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiConfig, SeriesConfig } from '../../../../config/src/config';
import { decideSeries } from '../../../../domain/src/series';
import { Clock } from '../../../../runtime/src/clock';
import { audienceOf } from '../../audience-request';
import { SubscriberReader } from '../../ports/subscriber-reader';
import { TopicReader } from '../../ports/topic-reader';
import { metadataFor } from '../../request-context';
import { seriesLimits } from '../../schedule-limits';
import { SeriesDecisions } from '../../series/series-decision';
import { seriesNotFound } from '../../series/series-stream';
import { planningFor } from '../../series/series-planning';
import { ChangeSeriesCommand } from './change-series.command';

@CommandHandler(ChangeSeriesCommand)
export class ChangeSeriesHandler implements ICommandHandler<ChangeSeriesCommand> {
  constructor(
    private readonly decisions: SeriesDecisions,
    private readonly subscribers: SubscriberReader,
    private readonly topics: TopicReader,
    private readonly api: ApiConfig,
    private readonly config: SeriesConfig,
    private readonly clock: Clock,
  ) {}

  async execute(command: ChangeSeriesCommand): Promise<void> {
    const { changes } = command;
    const audience = changes.audience && (await audienceOf(this.topics, changes.audience));
    const recipientStatus = await this.subscribers.statuses(changes.recipients ?? []);
    const now = this.clock.now();
    await this.decisions.decide(
      command.seriesId,
      (state, recipientZones) => {
        if (state.status === 'none') throw seriesNotFound(command.seriesId);
        const ruleGiven =
          changes.rrule !== undefined ||
          changes.dtstart !== undefined ||
          changes.timeZone !== undefined;
        const rule = {
          rrule: changes.rrule ?? state.rule.rrule,
          dtstart: changes.dtstart ?? state.rule.dtstart,
          timeZone: changes.timeZone ?? state.rule.timeZone,
        };
        return decideSeries(
          {
            type: 'ChangeSeries',
            seriesId: command.seriesId,
            ...(changes.text !== undefined ? { text: changes.text } : {}),
            ...(changes.recipients !== undefined ? { recipients: changes.recipients } : {}),
            ...(changes.sendOptions !== undefined ? { sendOptions: changes.sendOptions } : {}),
            ...(changes.buttons !== undefined ? { buttons: changes.buttons } : {}),
            ...(audience ? { recipients: [], audience } : {}),
            ...(ruleGiven ? { rule } : {}),
            ...(changes.atRecipientLocalTime !== undefined
              ? { atRecipientLocalTime: changes.atRecipientLocalTime }
              : {}),
            recipientStatus,
            limits: seriesLimits(this.api),
            // A rule given now is checked as a new one; the series' own was checked when given.
            ...planningFor(rule, now, {
              graceSeconds: this.config.graceSeconds,
              minIntervalMinutes: ruleGiven ? this.config.minIntervalMinutes : 0,
              // Checked when the rule or the setting is given now.
              atRecipientLocalTime:
                (ruleGiven || changes.atRecipientLocalTime !== undefined) &&
                (changes.atRecipientLocalTime ?? state.atRecipientLocalTime),
              recipientZones,
            }),
          },
          state,
        );
      },
      metadataFor(command.context),
      // Zones are read when the series is (or becomes) one at each recipient's local time.
      changes.atRecipientLocalTime === true || changes.recipients !== undefined
        ? { zonesOf: changes.recipients ?? [] }
        : {},
    );
  }
}
