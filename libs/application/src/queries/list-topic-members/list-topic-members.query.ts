import { Query } from '@nestjs/cqrs';
import type { TopicMembersPage, TopicRecord } from '../../ports/topic-reader';

/** A page of a topic's members by user id; TOPIC_NOT_FOUND for no active topic of that name. */
export class ListTopicMembersQuery extends Query<{ topic: TopicRecord; page: TopicMembersPage }> {
  constructor(
    readonly name: string,
    readonly limit: number,
    readonly after: string | null,
  ) {
    super();
  }
}
