import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { subscriberStreamId } from '../../../../domain/src/events';
import {
  decideSubscriber,
  evolveSubscriber,
  normaliseChatId,
} from '../../../../domain/src/subscriber';
import { ChatAlreadyHeldError, EventStore } from '../../../../event-store/src/event-store';
import { SubscriberReader } from '../../ports/subscriber-reader';
import { metadataFor } from '../../request-context';
import { loadSubscriber } from '../../subscriber-stream';
import { MigrateChatCommand, type MigrateChatOutcome } from './migrate-chat.command';

@CommandHandler(MigrateChatCommand)
export class MigrateChatHandler implements ICommandHandler<MigrateChatCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly subscribers: SubscriberReader,
  ) {}

  async execute(command: MigrateChatCommand): Promise<MigrateChatOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.migrate(command);
      } catch (error) {
        // The new chat was subscribed between our look and our append (one chat, one
        // subscription): look again, and the domain ends this subscription instead.
        if (attempt === 2 || !(error instanceof ChatAlreadyHeldError)) throw error;
      }
    }
  }

  private async migrate(command: MigrateChatCommand): Promise<MigrateChatOutcome> {
    const toChatId = normaliseChatId(command.toChatId);
    const active = await this.subscribers.activeOfChat(toChatId);
    const { state, version } = await loadSubscriber(this.events, command.userId);
    const events = decideSubscriber(
      {
        type: 'MigrateChat',
        userId: command.userId,
        toChatId,
        currentUserOfChat: active?.userId ?? null,
      },
      state,
    );
    if (events.length > 0) {
      await this.events.append(subscriberStreamId(command.userId), events, {
        expectedVersion: version,
        metadata: metadataFor(command.context),
      });
    }
    const now = events.reduce(evolveSubscriber, state);
    return now.status === 'active' && now.chatId === toChatId ? 'follows' : 'ended';
  }
}
