import { Query } from '@nestjs/cqrs';
import type { SubscriberView } from '../../../../projections/src/subscriber.view';

/** The chat's active subscriber, or null. */
export class FindSubscriberByChatQuery extends Query<SubscriberView | null> {
  constructor(readonly chatId: string) {
    super();
  }
}
