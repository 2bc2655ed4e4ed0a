import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, DomainErrorCode } from '../../../../domain/src/errors';
import { subscriberStreamId } from '../../../../domain/src/events';
import { decideSubscriber } from '../../../../domain/src/subscriber';
import { EventStore } from '../../../../event-store/src/event-store';
import { timeZoneNamed } from '../../../../recurrence/src/recurrence';
import { SubscriberReader, type SubscriberRecord } from '../../ports/subscriber-reader';
import { metadataFor } from '../../request-context';
import { loadSubscriber, requireSubscriber } from '../../subscriber-stream';
import { SetSubscriberTimeZoneCommand } from './set-subscriber-time-zone.command';

@CommandHandler(SetSubscriberTimeZoneCommand)
export class SetSubscriberTimeZoneHandler implements ICommandHandler<SetSubscriberTimeZoneCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly subscribers: SubscriberReader,
  ) {}

  async execute(command: SetSubscriberTimeZoneCommand): Promise<SubscriberRecord> {
    const subscriber = await requireSubscriber(this.subscribers, command.subscriber);
    const timeZone = command.timeZone === null ? null : timeZoneNamed(command.timeZone);
    if (command.timeZone !== null && timeZone === null) {
      throw new DomainError(
        DomainErrorCode.UnknownTimeZone,
        `Unknown time zone '${command.timeZone.slice(0, 64)}': give an IANA zone name such as Europe/Berlin or America/New_York`,
        { field: 'time_zone' },
      );
    }
    const { state, version } = await loadSubscriber(this.events, subscriber.userId);
    const events = decideSubscriber(
      { type: 'SetSubscriberTimeZone', userId: subscriber.userId, timeZone },
      state,
    );
    if (events.length > 0) {
      await this.events.append(subscriberStreamId(subscriber.userId), events, {
        expectedVersion: version,
        metadata: metadataFor(command.context),
      });
    }
    return { ...subscriber, timeZone };
  }
}
