import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SubscriberReader, type SubscriberRecord } from '../../ports/subscriber-reader';
import { requireSubscriber } from '../../subscriber-stream';
import { GetSubscriberQuery } from './get-subscriber.query';

@QueryHandler(GetSubscriberQuery)
export class GetSubscriberHandler implements IQueryHandler<GetSubscriberQuery> {
  constructor(private readonly subscribers: SubscriberReader) {}

  execute(query: GetSubscriberQuery): Promise<SubscriberRecord> {
    return requireSubscriber(this.subscribers, { userId: query.userId });
  }
}
