import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, DomainErrorCode } from '../../../../domain/src/errors';
import { topicStreamId } from '../../../../domain/src/events';
import { decideTopic, normaliseTopicName, type TopicCommand } from '../../../../domain/src/topic';
import { EventStore, TopicNameTakenError } from '../../../../event-store/src/event-store';
import { TopicReader } from '../../ports/topic-reader';
import { metadataFor } from '../../request-context';
import { loadTopic, requireTopic } from '../../topic-stream';
import { ChangeTopicCommand } from './change-topic.command';

@CommandHandler(ChangeTopicCommand)
export class ChangeTopicHandler implements ICommandHandler<ChangeTopicCommand> {
  constructor(
    private readonly events: EventStore,
    private readonly topics: TopicReader,
  ) {}

  /**
   * The name is checked against the active topics before the append; two requests for one name
   * at once both pass that, and the read model's unique index refuses the second append
   * (TOPIC_EXISTS).
   */
  async execute(command: ChangeTopicCommand): Promise<string> {
    const { change } = command;
    let topicId: string;
    let decided: TopicCommand;
    switch (change.kind) {
      case 'create': {
        const name = normaliseTopicName(change.name);
        topicId = randomUUID();
        decided = {
          type: 'CreateTopic',
          topicId,
          name,
          nameTaken: (await this.topics.byName(name)) !== null,
        };
        break;
      }
      case 'rename': {
        topicId = (await requireTopic(this.topics, change.name)).id;
        const to = normaliseTopicName(change.to);
        const holder = await this.topics.byName(to);
        decided = {
          type: 'RenameTopic',
          topicId,
          name: to,
          nameTaken: holder !== null && holder.id !== topicId,
        };
        break;
      }
      case 'delete':
        topicId = (await requireTopic(this.topics, change.name)).id;
        decided = { type: 'DeleteTopic', topicId };
        break;
    }
    const { state, version } = await loadTopic(this.events, topicId);
    const events = decideTopic(decided, state);
    if (events.length === 0) return topicId;
    try {
      await this.events.append(topicStreamId(topicId), events, {
        expectedVersion: version,
        metadata: metadataFor(command.context),
      });
    } catch (error) {
      if (error instanceof TopicNameTakenError) {
        throw new DomainError(
          DomainErrorCode.TopicExists,
          'A topic with that name exists already',
          {
            name: change.kind === 'rename' ? change.to : change.name,
          },
        );
      }
      throw error;
    }
    return topicId;
  }
}
