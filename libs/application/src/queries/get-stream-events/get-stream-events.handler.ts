import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore, type StoredEvent } from '../../../../event-store/src/event-store';
import { GetStreamEventsQuery } from './get-stream-events.query';

@QueryHandler(GetStreamEventsQuery)
export class GetStreamEventsHandler implements IQueryHandler<GetStreamEventsQuery> {
  constructor(private readonly events: EventStore) {}

  async execute(query: GetStreamEventsQuery): Promise<{ events: StoredEvent[]; exists: boolean }> {
    const events = await this.events.readStream(query.streamId, query.page);
    const exists =
      events.length > 0 ||
      (query.page !== undefined &&
        (await this.events.readStream(query.streamId, { afterVersion: 0, limit: 1 })).length > 0);
    return { events, exists };
  }
}
