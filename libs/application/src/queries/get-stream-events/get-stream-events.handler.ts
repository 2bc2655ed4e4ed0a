import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore, type StoredEvent } from '../../../../event-store/src/event-store';
import { GetStreamEventsQuery } from './get-stream-events.query';

@QueryHandler(GetStreamEventsQuery)
export class GetStreamEventsHandler implements IQueryHandler<GetStreamEventsQuery> {
  constructor(private readonly events: EventStore) {}

  async execute(query: GetStreamEventsQuery): Promise<StoredEvent[]> {
    return this.events.readStream(query.streamId);
  }
}
