import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, DomainErrorCode } from '../../../../domain/src/errors';
import { subscriberStreamId } from '../../../../domain/src/events';
import { decideSubscriber } from '../../../../domain/src/subscriber';
import { EventStore } from '../../../../event-store/src/event-store';
import { SubscriberReader } from '../../ports/subscriber-reader';
import { metadataFor } from '../../request-context';
import { loadSubscriber } from '../../subscriber-stream';
import { UnsubscribeUserCommand } from './unsubscribe-user.command';

@CommandHandler(UnsubscribeUserCommand)
export class UnsubscribeUserHandler implements ICommandHandler<UnsubscribeUserCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly subscribers: SubscriberReader,
  ) {}

  async execute(command: UnsubscribeUserCommand): Promise<string> {
    const subscriber = await this.subscribers.activeOfChat(command.chatId);
    if (!subscriber) {
      throw new DomainError(
        DomainErrorCode.UserNotSubscribed,
        `Chat ${command.chatId} is not subscribed`,
        {
          chatId: command.chatId,
        },
      );
    }
    const { state, version } = await loadSubscriber(this.events, subscriber.userId);
    const events = decideSubscriber(
      { type: 'UnsubscribeUser', userId: subscriber.userId, reason: command.reason },
      state,
    );
    await this.events.append(subscriberStreamId(subscriber.userId), events, {
      expectedVersion: version,
      metadata: metadataFor(command.context),
    });
    return subscriber.userId;
  }
}
