import { Query } from '@nestjs/cqrs';
import type { StoredEvent, StreamPage } from '../../../../event-store/src/event-store';

/**
 * The events of one stream, in order, or a page of them: the audit trail of a message or a
 * subscriber. `exists` tells an empty page of a stream from a stream that does not exist.
 */
export class GetStreamEventsQuery extends Query<{ events: StoredEvent[]; exists: boolean }> {
  constructor(
    readonly streamId: string,
    readonly page?: StreamPage,
  ) {
    super();
  }
}
