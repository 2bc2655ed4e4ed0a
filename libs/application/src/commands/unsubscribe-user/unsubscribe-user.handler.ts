import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { DomainError, DomainErrorCode } from '../../../../domain/src/errors';
import { subscriberStreamId } from '../../../../domain/src/events';
import { decideSubscriber } from '../../../../domain/src/subscriber';
import { EventStore } from '../../../../event-store/src/event-store';
import { SubscriberView } from '../../../../projections/src/subscriber.view';
import { metadataFor } from '../../request-context';
import { loadSubscriber } from '../../subscriber-stream';
import { UnsubscribeUserCommand } from './unsubscribe-user.command';

@CommandHandler(UnsubscribeUserCommand)
export class UnsubscribeUserHandler implements ICommandHandler<UnsubscribeUserCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly orm: MikroORM,
  ) {}

  async execute(command: UnsubscribeUserCommand): Promise<string> {
    const subscriber = await this.orm.em
      .fork()
      .findOne(SubscriberView, { chatId: command.chatId, status: 'active' });
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
