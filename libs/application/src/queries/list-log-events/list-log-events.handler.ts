import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError, DomainErrorCode } from '../../../../domain/src/errors';
import { EventStore, LOG_START, type StoredEvent } from '../../../../event-store/src/event-store';
import { ListLogEventsQuery } from './list-log-events.query';

@QueryHandler(ListLogEventsQuery)
export class ListLogEventsHandler implements IQueryHandler<ListLogEventsQuery> {
  constructor(private readonly events: EventStore) {}

  async execute(query: ListLogEventsQuery): Promise<{ events: StoredEvent[]; nextAfter: number }> {
    const place = query.after === 0 ? LOG_START : await this.events.checkpointAt(query.after);
    if (!place) {
      throw new DomainError(
        DomainErrorCode.UnknownPosition,
        `No event at position ${query.after}: pass 0, or a position this route returned`,
        { after: query.after },
      );
    }
    const events = await this.events.readAll(
      place,
      query.limit,
      query.type ? { types: [query.type] } : {},
    );
    return { events, nextAfter: events.at(-1)?.position ?? query.after };
  }
}
