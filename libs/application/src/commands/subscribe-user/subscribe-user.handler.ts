import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, DomainErrorCode } from '../../../../domain/src/errors';
import { subscriberStreamId } from '../../../../domain/src/events';
import { decideSubscriber, normaliseChatId } from '../../../../domain/src/subscriber';
import { ChatAlreadyHeldError, EventStore } from '../../../../event-store/src/event-store';
import { SubscriberReader } from '../../ports/subscriber-reader';
import { metadataFor } from '../../request-context';
import { loadSubscriber } from '../../subscriber-stream';
import { SubscribeUserCommand, type SubscribeUserResult } from './subscribe-user.command';

@CommandHandler(SubscribeUserCommand)
export class SubscribeUserHandler implements ICommandHandler<SubscribeUserCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly subscribers: SubscriberReader,
  ) {}

  /**
   * A new chat gets a new user_id. A chat that unsubscribed and comes back gets the user_id it
   * had, so that the clients who schedule for it need not learn a new one. A chat that is
   * subscribed is refused.
   */
  async execute(command: SubscribeUserCommand): Promise<SubscribeUserResult> {
    const chatId = normaliseChatId(command.chatId);
    const known = await this.subscribers.ofChat(chatId);
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
        profile: command.telegram.profile ?? null,
        chatType: command.telegram.chatType ?? null,
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
      // A concurrent subscription of the same chat came first: one chat, one subscription.
      if (error instanceof ChatAlreadyHeldError) {
        throw new DomainError(
          DomainErrorCode.ChatAlreadySubscribed,
          `User with this chat_id already exists (chat_id ${chatId})`,
          { chatId },
        );
      }
      throw error;
    }
    return {
      subscriber: await this.subscriberNamed(userId),
      resubscribed: version > 0,
    };
  }

  /** The read model is written in the append's transaction: the subscriber is there now. */
  private async subscriberNamed(userId: string) {
    const subscriber = await this.subscribers.byUserId(userId);
    if (!subscriber)
      throw new Error(`Subscriber ${userId} is not in the read model after its append`);
    return subscriber;
  }
}
