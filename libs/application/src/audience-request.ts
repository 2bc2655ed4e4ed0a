import { DomainError, DomainErrorCode } from '../../domain/src/errors';
import type { Audience } from '../../domain/src/events';
import { normaliseTopicName } from '../../domain/src/topic';
import type { TopicReader } from './ports/topic-reader';

/** Who a message or a series is for besides user ids: topics by name, or everyone subscribed. */
export type AudienceRequest =
  { readonly kind: 'topics'; readonly names: readonly string[] } | { readonly kind: 'all' };

/**
 * The audience a request names: the topics by id (a later rename changes nothing), or everyone.
 * A name that is no topic's is refused, naming the field.
 */
export async function audienceOf(topics: TopicReader, request: AudienceRequest): Promise<Audience> {
  if (request.kind === 'all') return { kind: 'all' };
  const names = [...new Set(request.names.map(topicNameInTarget))];
  if (names.length === 0) {
    throw new DomainError(DomainErrorCode.NoRecipients, 'target_topic names no topic', {
      field: 'target_topic',
    });
  }
  const found = await Promise.all(names.map((name) => topics.byName(name)));
  const unknown = names.filter((_, index) => !found[index]);
  if (unknown.length > 0) {
    throw new DomainError(
      DomainErrorCode.UnknownTopic,
      `No topic named ${unknown.join(', ')}: GET /topics lists them`,
      { field: 'target_topic', topics: unknown },
    );
  }
  const byId = new Map(found.map((topic) => [topic!.id, topic!.name]));
  return { kind: 'topics', topics: [...byId].map(([id, name]) => ({ id, name })) };
}

/** A name in target_topic, checked as topic names are; the refusal names the field. */
function topicNameInTarget(name: string): string {
  try {
    return normaliseTopicName(name);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    throw new DomainError(
      error.code,
      `target_topic: "${name.slice(0, 64)}" is no topic name. ${error.message}`,
      { field: 'target_topic' },
    );
  }
}
