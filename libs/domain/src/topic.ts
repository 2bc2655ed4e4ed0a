import { DomainError, DomainErrorCode } from './errors';
import type { TopicEvent } from './events';

/**
 * A topic: a named audience subscribers join and leave. The topic's own stream holds its name and
 * life (created, renamed, deleted); who belongs to it is each subscriber's own (their stream holds
 * the topics they joined), so a topic of 100,000 members is not one stream of 100,000 events that
 * every join must read.
 */
export type TopicState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'deleted';
      readonly topicId: string;
      readonly name: string;
    };

export const initialTopicState: TopicState = { status: 'none' };

export interface CreateTopic {
  readonly type: 'CreateTopic';
  readonly topicId: string;
  readonly name: string;
  /** Another active topic has this name (read from the topics view). */
  readonly nameTaken: boolean;
}

export interface RenameTopic {
  readonly type: 'RenameTopic';
  readonly topicId: string;
  readonly name: string;
  readonly nameTaken: boolean;
}

export interface DeleteTopic {
  readonly type: 'DeleteTopic';
  readonly topicId: string;
}

export type TopicCommand = CreateTopic | RenameTopic | DeleteTopic;

export const MAX_TOPIC_NAME_LENGTH = 64;
// One word: it is typed after /join and listed, comma-separated, in target_topic.
const TOPIC_NAME = /^[\p{L}\p{N}_-]+$/u;

/** A topic's name as given, trimmed; refused unless one word of letters, digits, _ and -. */
export function normaliseTopicName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (name.length === 0 || [...name].length > MAX_TOPIC_NAME_LENGTH || !TOPIC_NAME.test(name)) {
    throw new DomainError(
      DomainErrorCode.InvalidTopicName,
      `A topic name is 1 to ${MAX_TOPIC_NAME_LENGTH} letters, digits, _ or -, without spaces`,
      { field: 'name' },
    );
  }
  return name;
}

export function decideTopic(command: TopicCommand, state: TopicState): TopicEvent[] {
  switch (command.type) {
    case 'CreateTopic': {
      const name = normaliseTopicName(command.name);
      if (state.status !== 'none' || command.nameTaken) throw topicExists(name);
      return [{ type: 'TopicCreated', data: { topicId: command.topicId, name } }];
    }
    case 'RenameTopic': {
      const topic = requireActive(command.topicId, state);
      const name = normaliseTopicName(command.name);
      if (name === topic.name) return [];
      if (command.nameTaken) throw topicExists(name);
      return [
        { type: 'TopicRenamed', data: { topicId: topic.topicId, from: topic.name, to: name } },
      ];
    }
    case 'DeleteTopic': {
      const topic = requireActive(command.topicId, state);
      return [{ type: 'TopicDeleted', data: { topicId: topic.topicId, name: topic.name } }];
    }
  }
}

export function evolveTopic(state: TopicState, event: TopicEvent): TopicState {
  switch (event.type) {
    case 'TopicCreated':
      return { status: 'active', topicId: event.data.topicId, name: event.data.name };
    case 'TopicRenamed':
      return state.status === 'none' ? state : { ...state, name: event.data.to };
    case 'TopicDeleted':
      return state.status === 'none' ? state : { ...state, status: 'deleted' };
  }
}

function requireActive(topicId: string, state: TopicState) {
  if (state.status !== 'active') {
    throw new DomainError(DomainErrorCode.TopicNotFound, `No topic with id ${topicId}`, {
      topicId,
    });
  }
  return state;
}

function topicExists(name: string): DomainError {
  return new DomainError(DomainErrorCode.TopicExists, `A topic named ${name} exists already`, {
    name,
  });
}
