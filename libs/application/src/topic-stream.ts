import { DomainError, DomainErrorCode } from '../../domain/src/errors';
import { aggregateOf, topicStreamId } from '../../domain/src/events';
import { evolveTopic, initialTopicState, type TopicState } from '../../domain/src/topic';
import type { EventStore } from '../../event-store/src/event-store';
import type { TopicReader, TopicRecord } from './ports/topic-reader';

/** Folds a topic's stream into its state, with the version to append at. */
export async function loadTopic(
  store: EventStore,
  topicId: string,
): Promise<{ state: TopicState; version: number }> {
  const events = await store.readStream(topicStreamId(topicId));
  let state = initialTopicState;
  for (const event of events) {
    if (aggregateOf(event) !== 'topic') {
      throw new Error(
        `Event ${event.eventId} of type ${event.type} in topic stream ${event.streamId}`,
      );
    }
    state = evolveTopic(state, event as Parameters<typeof evolveTopic>[1]);
  }
  return { state, version: events.length };
}

/** The active topic with this name, or TOPIC_NOT_FOUND. */
export async function requireTopic(topics: TopicReader, name: string): Promise<TopicRecord> {
  const topic = await topics.byName(name);
  if (!topic) {
    throw new DomainError(DomainErrorCode.TopicNotFound, `No topic named ${name.slice(0, 64)}`, {
      name: name.slice(0, 64),
    });
  }
  return topic;
}
