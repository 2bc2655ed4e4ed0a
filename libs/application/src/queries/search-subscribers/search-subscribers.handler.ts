import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import {
  type SubscriberPlace,
  SubscriberReader,
  type SubscriberRecord,
} from '../../ports/subscriber-reader';
import { SearchSubscribersQuery } from './search-subscribers.query';

@QueryHandler(SearchSubscribersQuery)
export class SearchSubscribersHandler implements IQueryHandler<SearchSubscribersQuery> {
  constructor(private readonly subscribers: SubscriberReader) {}

  async execute(
    query: SearchSubscribersQuery,
  ): Promise<{ items: SubscriberRecord[]; next: SubscriberPlace | null }> {
    return this.subscribers.search(query.filter, query.limit, query.after);
  }
}
