import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SubscriberReader, type SubscriberRecord } from '../../ports/subscriber-reader';
import { ListSubscribersQuery } from './list-subscribers.query';

@QueryHandler(ListSubscribersQuery)
export class ListSubscribersHandler implements IQueryHandler<ListSubscribersQuery> {
  constructor(private readonly subscribers: SubscriberReader) {}

  async execute(): Promise<SubscriberRecord[]> {
    return this.subscribers.active();
  }
}
