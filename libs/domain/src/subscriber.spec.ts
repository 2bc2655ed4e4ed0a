import { deciderSpec } from './decider-spec';
import { DomainError, DomainErrorCode } from './errors';
import type { SubscriberEvent } from './events';
import {
  decideSubscriber,
  evolveSubscriber,
  initialSubscriberState,
  type SubscriberCommand,
  type SubscriberState,
} from './subscriber';

const spec = deciderSpec<SubscriberCommand, SubscriberState, SubscriberEvent>({
  decide: decideSubscriber,
  evolve: evolveSubscriber,
  initialState: initialSubscriberState,
});

const refusedWith = (code: DomainErrorCode) => (error: unknown) =>
  error instanceof DomainError && error.code === code;

const subscribed: SubscriberEvent = {
  type: 'UserSubscribed',
  data: { userId: 'u-1', chatId: '123456789', chatName: 'JohnDoe', profile: null, chatType: null },
};

describe('Subscriber', () => {
  it('given nothing, when a chat subscribes, then the user is subscribed', () => {
    spec
      .given([])
      .when({
        type: 'SubscribeUser',
        userId: 'u-1',
        chatId: ' 123456789 ',
        chatName: ' JohnDoe ',
        currentUserOfChat: null,
      })
      .then([subscribed]);
  });

  it('given nothing, when a user subscribes with /start, then their names and the kind of chat are recorded, names trimmed to Telegram’s limits', () => {
    spec
      .given([])
      .when({
        type: 'SubscribeUser',
        userId: 'u-1',
        chatId: '123456789',
        chatName: 'JohnDoe',
        profile: { firstName: ' John ', lastName: '', username: 'j'.repeat(40) },
        chatType: 'private',
        currentUserOfChat: null,
      })
      .then([
        {
          ...subscribed,
          data: {
            ...subscribed.data,
            profile: { firstName: 'John', lastName: null, username: 'j'.repeat(32) },
            chatType: 'private',
          },
        },
      ]);
  });

  it('given a subscriber, when their names change, then the new ones are recorded; the same ones, or after leaving, nothing', () => {
    const profile = { firstName: 'John', lastName: null, username: 'jd' };
    const update = { type: 'UpdateProfile' as const, userId: 'u-1', profile };
    spec
      .given([subscribed])
      .when(update)
      .then([{ type: 'SubscriberProfileChanged', data: { userId: 'u-1', profile } }]);
    spec
      .given([subscribed, { type: 'SubscriberProfileChanged', data: { userId: 'u-1', profile } }])
      .when(update)
      .then([]);
    spec
      .given([
        subscribed,
        {
          type: 'UserUnsubscribed',
          data: { userId: 'u-1', chatId: '123456789', reason: 'requested' },
        },
      ])
      .when(update)
      .then([]);
  });

  it('accepts negative group chat ids and channel usernames', () => {
    for (const chatId of ['-1001234567890', '@my_channel']) {
      spec
        .given([])
        .when({
          type: 'SubscribeUser',
          userId: 'u-1',
          chatId,
          chatName: 'x',
          currentUserOfChat: null,
        })
        .then([
          {
            type: 'UserSubscribed',
            data: { userId: 'u-1', chatId, chatName: 'x', profile: null, chatType: null },
          },
        ]);
    }
  });

  it('given a chat already subscribed by another user, when it subscribes again, then it is refused', () => {
    spec
      .given([])
      .when({
        type: 'SubscribeUser',
        userId: 'u-2',
        chatId: '123456789',
        chatName: 'JohnDoe',
        currentUserOfChat: 'u-1',
      })
      .thenThrows(refusedWith(DomainErrorCode.ChatAlreadySubscribed));
  });

  it('given an active subscriber, when the same user subscribes, then it is refused', () => {
    spec
      .given([subscribed])
      .when({
        type: 'SubscribeUser',
        userId: 'u-1',
        chatId: '123456789',
        chatName: 'JohnDoe',
        currentUserOfChat: null,
      })
      .thenThrows(refusedWith(DomainErrorCode.UserAlreadySubscribed));
  });

  it.each([['abc'], [''], ['12 34'], [12.5], [null], ['@ab']])(
    'refuses the malformed chat id %p',
    (chatId) => {
      spec
        .given([])
        .when({
          type: 'SubscribeUser',
          userId: 'u-1',
          chatId: chatId as string,
          chatName: 'x',
          currentUserOfChat: null,
        })
        .thenThrows(refusedWith(DomainErrorCode.InvalidChatId));
    },
  );

  it.each([[''], ['   '], ['x'.repeat(257)]])('refuses the chat name %p', (chatName) => {
    spec
      .given([])
      .when({
        type: 'SubscribeUser',
        userId: 'u-1',
        chatId: '1',
        chatName,
        currentUserOfChat: null,
      })
      .thenThrows(refusedWith(DomainErrorCode.InvalidChatName));
  });

  it('given an active subscriber, when it unsubscribes, then it is unsubscribed with the reason', () => {
    spec
      .given([subscribed])
      .when({ type: 'UnsubscribeUser', userId: 'u-1', reason: 'blocked' })
      .then([
        {
          type: 'UserUnsubscribed',
          data: { userId: 'u-1', chatId: '123456789', reason: 'blocked' },
        },
      ]);
  });

  it('given an unsubscribed user, when it unsubscribes again, then it is refused', () => {
    spec
      .given([
        subscribed,
        {
          type: 'UserUnsubscribed',
          data: { userId: 'u-1', chatId: '123456789', reason: 'requested' },
        },
      ])
      .when({ type: 'UnsubscribeUser', userId: 'u-1', reason: 'requested' })
      .thenThrows(refusedWith(DomainErrorCode.UserNotSubscribed));
  });

  const group: SubscriberEvent = {
    type: 'UserSubscribed',
    data: { userId: 'u-1', chatId: '-4001', chatName: 'The team', profile: null, chatType: null },
  };

  it('given a group subscriber, when its group becomes a supergroup, then the subscription follows it', () => {
    spec
      .given([group])
      .when({ type: 'MigrateChat', userId: 'u-1', toChatId: '-1004001', currentUserOfChat: null })
      .then([
        {
          type: 'UserChatMigrated',
          data: { userId: 'u-1', fromChatId: '-4001', toChatId: '-1004001' },
        },
      ]);
  });

  it('given a group subscriber, when its group becomes a supergroup someone subscribed already, then this subscription ends', () => {
    spec
      .given([group])
      .when({ type: 'MigrateChat', userId: 'u-1', toChatId: '-1004001', currentUserOfChat: 'u-2' })
      .then([
        {
          type: 'UserUnsubscribed',
          data: { userId: 'u-1', chatId: '-4001', reason: 'chat_merged' },
        },
      ]);
  });

  it('given a subscription that moved already, when the same move is reported again, then nothing happens', () => {
    spec
      .given([
        group,
        {
          type: 'UserChatMigrated',
          data: { userId: 'u-1', fromChatId: '-4001', toChatId: '-1004001' },
        },
      ])
      .when({ type: 'MigrateChat', userId: 'u-1', toChatId: '-1004001', currentUserOfChat: 'u-1' })
      .then([]);
  });
});
