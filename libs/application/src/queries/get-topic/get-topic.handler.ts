import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TopicReader, type TopicRecord } from '../../ports/topic-reader';
import { requireTopic } from '../../topic-stream';
import { GetTopicQuery } from './get-topic.query';

@QueryHandler(GetTopicQuery)
export class GetTopicHandler implements IQueryHandler<GetTopicQuery> {
  constructor(private readonly topics: TopicReader) {}

  execute(query: GetTopicQuery): Promise<TopicRecord> {
    return requireTopic(this.topics, query.name);
  }
}
