import { Query } from '@nestjs/cqrs';
import type { SubscriberPlace, SubscriberRecord } from '../../ports/subscriber-reader';

/**
 * Subscribers, active or not, oldest first, a page at a time: of a status if given, holding a
 * text in their names or ids if given; `next` is where the next page starts.
 */
export class SearchSubscribersQuery extends Query<{
  items: SubscriberRecord[];
  next: SubscriberPlace | null;
}> {
  constructor(
    readonly filter: { readonly status?: 'active' | 'unsubscribed'; readonly text?: string },
    readonly limit: number,
    readonly after: SubscriberPlace | null,
  ) {
    super();
  }
}
