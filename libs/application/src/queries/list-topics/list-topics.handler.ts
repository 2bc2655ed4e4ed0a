import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TopicReader, type TopicRecord } from '../../ports/topic-reader';
import { ListTopicsQuery } from './list-topics.query';

@QueryHandler(ListTopicsQuery)
export class ListTopicsHandler implements IQueryHandler<ListTopicsQuery> {
  constructor(private readonly topics: TopicReader) {}

  async execute(query: ListTopicsQuery): Promise<{ topic: TopicRecord; member: boolean }[]> {
    const [topics, joined] = await Promise.all([
      this.topics.active(),
      query.userId ? this.topics.memberOf(query.userId) : Promise.resolve(new Set<string>()),
    ]);
    return topics.map((topic) => ({ topic, member: joined.has(topic.id) }));
  }
}
