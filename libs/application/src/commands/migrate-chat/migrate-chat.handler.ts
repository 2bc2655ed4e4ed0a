import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { subscriberStreamId } from '../../../../domain/src/events';
import { decideSubscriber } from '../../../../domain/src/subscriber';
import { EventStore } from '../../../../event-store/src/event-store';
import { metadataFor } from '../../request-context';
import { loadSubscriber } from '../../subscriber-stream';
import { MigrateChatCommand } from './migrate-chat.command';

@CommandHandler(MigrateChatCommand)
export class MigrateChatHandler implements ICommandHandler<MigrateChatCommand> {
  constructor(private readonly events: EventStore) {}

  async execute(command: MigrateChatCommand): Promise<void> {
    const { state, version } = await loadSubscriber(this.events, command.userId);
    const events = decideSubscriber(
      { type: 'MigrateChat', userId: command.userId, toChatId: command.toChatId },
      state,
    );
    if (events.length === 0) return;
    await this.events.append(subscriberStreamId(command.userId), events, {
      expectedVersion: version,
      metadata: metadataFor(command.context),
    });
  }
}
