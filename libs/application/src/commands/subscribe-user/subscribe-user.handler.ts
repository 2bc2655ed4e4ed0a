import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { DomainError, DomainErrorCode } from '../../../../domain/src/errors';
import { subscriberStreamId } from '../../../../domain/src/events';
import {
  decideSubscriber,
  initialSubscriberState,
  normaliseChatId,
} from '../../../../domain/src/subscriber';
import { EventStore } from '../../../../event-store/src/event-store';
import { isUniqueViolation } from '../../../../event-store/src/postgres-event-store';
import { SubscriberView } from '../../../../projections/src/subscriber.view';
import { metadataFor } from '../../request-context';
import { SubscribeUserCommand } from './subscribe-user.command';

@CommandHandler(SubscribeUserCommand)
export class SubscribeUserHandler implements ICommandHandler<SubscribeUserCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly orm: MikroORM,
  ) {}

  async execute(command: SubscribeUserCommand): Promise<SubscriberView> {
    const em = this.orm.em.fork();
    const chatId = normaliseChatId(command.chatId);
    const current = await em.findOne(SubscriberView, { chatId, status: 'active' });
    const userId = randomUUID();
    const events = decideSubscriber(
      {
        type: 'SubscribeUser',
        userId,
        chatId,
        chatName: command.chatName as string,
        currentUserOfChat: current?.userId ?? null,
      },
      initialSubscriberState,
    );
    try {
      await this.events.append(subscriberStreamId(userId), events, {
        expectedVersion: 'no_stream',
        metadata: metadataFor(command.context),
      });
    } catch (error) {
      // The view's unique index caught a concurrent subscription of the same chat.
      if (isUniqueViolation(error, 'subscribers_active_chat_id')) {
        throw new DomainError(
          DomainErrorCode.ChatAlreadySubscribed,
          `User with this chat_id already exists (chat_id ${chatId})`,
          { chatId },
        );
      }
      throw error;
    }
    return em.findOneOrFail(SubscriberView, { userId });
  }
}
