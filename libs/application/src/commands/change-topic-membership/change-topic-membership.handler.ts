import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { subscriberStreamId } from '../../../../domain/src/events';
import { decideSubscriber } from '../../../../domain/src/subscriber';
import { EventStore } from '../../../../event-store/src/event-store';
import { SubscriberReader } from '../../ports/subscriber-reader';
import { TopicReader } from '../../ports/topic-reader';
import { metadataFor } from '../../request-context';
import { loadSubscriber, requireSubscriber } from '../../subscriber-stream';
import { requireTopic } from '../../topic-stream';
import { ChangeTopicMembershipCommand } from './change-topic-membership.command';

@CommandHandler(ChangeTopicMembershipCommand)
export class ChangeTopicMembershipHandler implements ICommandHandler<ChangeTopicMembershipCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly subscribers: SubscriberReader,
    private readonly topics: TopicReader,
  ) {}

  /** Membership is the subscriber's: the event goes to its stream, the topic's stays as it is. */
  async execute(
    command: ChangeTopicMembershipCommand,
  ): Promise<{ topic: string; changed: boolean }> {
    const topic = await requireTopic(this.topics, command.topic);
    const subscriber = await requireSubscriber(this.subscribers, command.subscriber);
    const { state, version } = await loadSubscriber(this.events, subscriber.userId);
    const events = decideSubscriber(
      {
        type: command.change === 'join' ? 'JoinTopic' : 'LeaveTopic',
        userId: subscriber.userId,
        topicId: topic.id,
      },
      state,
    );
    if (events.length > 0) {
      await this.events.append(subscriberStreamId(subscriber.userId), events, {
        expectedVersion: version,
        metadata: metadataFor(command.context),
      });
    }
    return { topic: topic.name, changed: events.length > 0 };
  }
}
