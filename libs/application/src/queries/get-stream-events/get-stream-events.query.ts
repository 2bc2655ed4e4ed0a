import { Query } from '@nestjs/cqrs';
import type { StoredEvent } from '../../../../event-store/src/event-store';

/** The events of one stream, in order: the audit trail of a message or a subscriber. */
export class GetStreamEventsQuery extends Query<StoredEvent[]> {
  constructor(readonly streamId: string) {
    super();
  }
}
