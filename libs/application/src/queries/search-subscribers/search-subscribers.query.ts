import { Query } from '@nestjs/cqrs';
import type { SubscriberRecord } from '../../ports/subscriber-reader';

/**
 * Subscribers, active or not, oldest first, a page at a time: of a status if given, holding a
 * text in their names or ids if given.
 */
export class SearchSubscribersQuery extends Query<SubscriberRecord[]> {
  constructor(
    readonly filter: { readonly status?: 'active' | 'unsubscribed'; readonly text?: string },
    readonly limit: number,
    readonly after: { readonly createdAt: Date; readonly userId: string } | null,
  ) {
    super();
  }
}
