import { deciderSpec } from './decider-spec';
import { DomainError, DomainErrorCode } from './errors';
import type { SubscriberEvent, TopicEvent } from './events';
import {
  decideSubscriber,
  evolveSubscriber,
  initialSubscriberState,
  type SubscriberCommand,
  type SubscriberState,
} from './subscriber';
import {
  decideTopic,
  evolveTopic,
  initialTopicState,
  type TopicCommand,
  type TopicState,
} from './topic';

const topics = deciderSpec<TopicCommand, TopicState, TopicEvent>({
  decide: decideTopic,
  evolve: evolveTopic,
  initialState: initialTopicState,
});
const subscribers = deciderSpec<SubscriberCommand, SubscriberState, SubscriberEvent>({
  decide: decideSubscriber,
  evolve: evolveSubscriber,
  initialState: initialSubscriberState,
});

const refusedWith = (code: DomainErrorCode) => (error: unknown) =>
  error instanceof DomainError && error.code === code;

const created: TopicEvent = { type: 'TopicCreated', data: { topicId: 't-1', name: 'releases' } };
const subscribed: SubscriberEvent = {
  type: 'UserSubscribed',
  data: { userId: 'u-1', chatId: '123', chatName: 'Ann', profile: null, chatType: null },
};
const joined: SubscriberEvent = {
  type: 'SubscriberJoinedTopic',
  data: { userId: 'u-1', topicId: 't-1' },
};

describe('Topic', () => {
  it('given nothing, when a topic is created, then it exists under its trimmed name', () => {
    topics
      .given([])
      .when({ type: 'CreateTopic', topicId: 't-1', name: ' releases ', nameTaken: false })
      .then([created]);
  });

  it('refuses a name that is taken, empty, too long or more than one word', () => {
    topics
      .given([])
      .when({ type: 'CreateTopic', topicId: 't-1', name: 'releases', nameTaken: true })
      .thenThrows(refusedWith(DomainErrorCode.TopicExists));
    for (const name of ['', 'two words', 'x'.repeat(65), 'a,b', 'semi;colon']) {
      topics
        .given([])
        .when({ type: 'CreateTopic', topicId: 't-1', name, nameTaken: false })
        .thenThrows(refusedWith(DomainErrorCode.InvalidTopicName));
    }
    topics
      .given([])
      .when({ type: 'CreateTopic', topicId: 't-1', name: 'Новости_2027', nameTaken: false })
      .then([{ type: 'TopicCreated', data: { topicId: 't-1', name: 'Новости_2027' } }]);
  });

  it('when renamed, then it has the new name; the same name changes nothing', () => {
    topics
      .given([created])
      .when({ type: 'RenameTopic', topicId: 't-1', name: 'changelog', nameTaken: false })
      .then([
        { type: 'TopicRenamed', data: { topicId: 't-1', from: 'releases', to: 'changelog' } },
      ]);
    topics
      .given([created])
      .when({ type: 'RenameTopic', topicId: 't-1', name: 'releases', nameTaken: false })
      .then([]);
  });

  it('when deleted, then it is gone: it cannot be renamed or deleted again', () => {
    const deleted: TopicEvent = {
      type: 'TopicDeleted',
      data: { topicId: 't-1', name: 'releases' },
    };
    topics.given([created]).when({ type: 'DeleteTopic', topicId: 't-1' }).then([deleted]);
    topics
      .given([created, deleted])
      .when({ type: 'DeleteTopic', topicId: 't-1' })
      .thenThrows(refusedWith(DomainErrorCode.TopicNotFound));
    topics
      .given([created, deleted])
      .when({ type: 'RenameTopic', topicId: 't-1', name: 'x', nameTaken: false })
      .thenThrows(refusedWith(DomainErrorCode.TopicNotFound));
  });
});

describe('Topic membership, on the subscriber', () => {
  it('given a subscriber, when it joins a topic, then it is a member; joining again records nothing', () => {
    subscribers
      .given([subscribed])
      .when({ type: 'JoinTopic', userId: 'u-1', topicId: 't-1' })
      .then([joined]);
    subscribers
      .given([subscribed, joined])
      .when({ type: 'JoinTopic', userId: 'u-1', topicId: 't-1' })
      .then([]);
  });

  it('refuses a join from one who is not subscribed', () => {
    subscribers
      .given([
        subscribed,
        { type: 'UserUnsubscribed', data: { userId: 'u-1', chatId: '123', reason: 'requested' } },
      ])
      .when({ type: 'JoinTopic', userId: 'u-1', topicId: 't-1' })
      .thenThrows(refusedWith(DomainErrorCode.UserNotSubscribed));
  });

  it('when a member leaves, then it is not one; leaving a topic one is not in is refused', () => {
    subscribers
      .given([subscribed, joined])
      .when({ type: 'LeaveTopic', userId: 'u-1', topicId: 't-1' })
      .then([{ type: 'SubscriberLeftTopic', data: { userId: 'u-1', topicId: 't-1' } }]);
    subscribers
      .given([subscribed])
      .when({ type: 'LeaveTopic', userId: 'u-1', topicId: 't-1' })
      .thenThrows(refusedWith(DomainErrorCode.TopicMemberNotFound));
  });

  it('keeps its topics through unsubscribing and coming back', () => {
    subscribers
      .given([
        subscribed,
        joined,
        { type: 'UserUnsubscribed', data: { userId: 'u-1', chatId: '123', reason: 'requested' } },
        subscribed,
      ])
      .when({ type: 'JoinTopic', userId: 'u-1', topicId: 't-1' })
      .then([]);
  });
});
