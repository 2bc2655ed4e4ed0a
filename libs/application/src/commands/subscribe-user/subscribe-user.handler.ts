import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { DomainError, DomainErrorCode } from '../../../../domain/src/errors';
import { subscriberStreamId } from '../../../../domain/src/events';
import { decideSubscriber, normaliseChatId } from '../../../../domain/src/subscriber';
import { EventStore } from '../../../../event-store/src/event-store';
import { isUniqueViolation } from '../../../../event-store/src/postgres-event-store';
import { SubscriberView } from '../../../../projections/src/subscriber.view';
import { metadataFor } from '../../request-context';
import { loadSubscriber } from '../../subscriber-stream';
import { SubscribeUserCommand, type SubscribeUserResult } from './subscribe-user.command';

@CommandHandler(SubscribeUserCommand)
export class SubscribeUserHandler implements ICommandHandler<SubscribeUserCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly orm: MikroORM,
  ) {}

  /**
   * A new chat gets a new user_id. A chat that unsubscribed and comes back gets the user_id it
   * had, so that the clients who schedule for it need not learn a new one. A chat that is
   * subscribed is refused.
   */
  async execute(command: SubscribeUserCommand): Promise<SubscribeUserResult> {
    const em = this.orm.em.fork();
    const chatId = normaliseChatId(command.chatId);
    const known = await em.find(SubscriberView, { chatId }, { orderBy: { updatedAt: 'desc' } });
    const active = known.find((subscriber) => subscriber.status === 'active');
    const previous = known.find((subscriber) => subscriber.status === 'unsubscribed');
    // A chat subscribed now is refused by the domain, whatever user id this attempt would take.
    const returning = active ? undefined : previous;
    const userId = returning?.userId ?? randomUUID();
    const { state, version } = returning
      ? await loadSubscriber(this.events, userId)
      : { state: undefined, version: 0 };
    const events = decideSubscriber(
      {
        type: 'SubscribeUser',
        userId,
        chatId,
        chatName: command.chatName as string,
        currentUserOfChat: active?.userId ?? null,
      },
      state ?? { status: 'none' },
    );
    try {
      await this.events.append(subscriberStreamId(userId), events, {
        expectedVersion: version === 0 ? 'no_stream' : version,
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
    return {
      subscriber: await em.findOneOrFail(SubscriberView, { userId }),
      resubscribed: version > 0,
    };
  }
}
