import { Query } from '@nestjs/cqrs';
import type { DomainEventType } from '../../../../domain/src/events';
import type { StoredEvent } from '../../../../event-store/src/event-store';

/**
 * A page of the whole log, in log order, after the event at position `after` (0: the start):
 * for auditors and tools that follow the log. Only committed events, in an order nothing
 * committed later can cut into, so a client that pages with next_after misses nothing.
 */
export class ListLogEventsQuery extends Query<{ events: StoredEvent[]; nextAfter: number }> {
  constructor(
    readonly after: number,
    readonly limit: number,
    readonly type: DomainEventType | undefined,
  ) {
    super();
  }
}
