import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TopicReader, type TopicMembersPage, type TopicRecord } from '../../ports/topic-reader';
import { requireTopic } from '../../topic-stream';
import { ListTopicMembersQuery } from './list-topic-members.query';

@QueryHandler(ListTopicMembersQuery)
export class ListTopicMembersHandler implements IQueryHandler<ListTopicMembersQuery> {
  constructor(private readonly topics: TopicReader) {}

  async execute(
    query: ListTopicMembersQuery,
  ): Promise<{ topic: TopicRecord; page: TopicMembersPage }> {
    const topic = await requireTopic(this.topics, query.name);
    return { topic, page: await this.topics.members(topic.id, query.limit, query.after) };
  }
}
