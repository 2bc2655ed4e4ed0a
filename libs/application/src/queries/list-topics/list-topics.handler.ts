import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TopicReader, type TopicRecord } from '../../ports/topic-reader';
import { ListTopicsQuery } from './list-topics.query';

@QueryHandler(ListTopicsQuery)
export class ListTopicsHandler implements IQueryHandler<ListTopicsQuery> {
  constructor(private readonly topics: TopicReader) {}

  execute(): Promise<TopicRecord[]> {
    return this.topics.active();
  }
}
