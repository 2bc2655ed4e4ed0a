import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { subscriberStreamId } from '../../../../domain/src/events';
import {
  decideSubscriber,
  evolveSubscriber,
  normaliseChatId,
} from '../../../../domain/src/subscriber';
import { EventStore } from '../../../../event-store/src/event-store';
import { isUniqueViolation } from '../../../../event-store/src/postgres-event-store';
import { metadataFor } from '../../request-context';
import { loadSubscriber } from '../../subscriber-stream';
import { MigrateChatCommand, type MigrateChatOutcome } from './migrate-chat.command';

@CommandHandler(MigrateChatCommand)
export class MigrateChatHandler implements ICommandHandler<MigrateChatCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly orm: MikroORM,
  ) {}

  async execute(command: MigrateChatCommand): Promise<MigrateChatOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.migrate(command);
      } catch (error) {
        // The new chat was subscribed between our look and our append (the view's unique index
        // caught it): look again, and the domain ends this subscription instead.
        if (attempt === 2 || !isUniqueViolation(error, 'subscribers_active_chat_id')) throw error;
      }
    }
  }

  private async migrate(command: MigrateChatCommand): Promise<MigrateChatOutcome> {
    const toChatId = normaliseChatId(command.toChatId);
    const [active] = await this.orm.em
      .fork()
      .execute<{ user_id: string }[]>(
        "SELECT user_id FROM subscribers WHERE chat_id = ? AND status = 'active'",
        [toChatId],
      );
    const { state, version } = await loadSubscriber(this.events, command.userId);
    const events = decideSubscriber(
      {
        type: 'MigrateChat',
        userId: command.userId,
        toChatId,
        currentUserOfChat: active?.user_id ?? null,
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
