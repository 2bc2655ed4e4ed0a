import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { subscriberStreamId } from '../../../../domain/src/events';
import { decideSubscriber } from '../../../../domain/src/subscriber';
import { EventStore } from '../../../../event-store/src/event-store';
import { metadataFor } from '../../request-context';
import { loadSubscriber } from '../../subscriber-stream';
import { UpdateSubscriberProfileCommand } from './update-subscriber-profile.command';

@CommandHandler(UpdateSubscriberProfileCommand)
export class UpdateSubscriberProfileHandler implements ICommandHandler<UpdateSubscriberProfileCommand> {
  constructor(private readonly events: EventStore) {}

  async execute(command: UpdateSubscriberProfileCommand): Promise<void> {
    const { state, version } = await loadSubscriber(this.events, command.userId);
    const events = decideSubscriber(
      { type: 'UpdateProfile', userId: command.userId, profile: command.profile },
      state,
    );
    if (events.length === 0) return;
    await this.events.append(subscriberStreamId(command.userId), events, {
      expectedVersion: version,
      metadata: metadataFor(command.context),
    });
  }
}
