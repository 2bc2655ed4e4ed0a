import { Query } from '@nestjs/cqrs';
import type { SubscriberRecord } from '../../ports/subscriber-reader';

/** The chat's active subscriber, or null. */
export class FindSubscriberByChatQuery extends Query<SubscriberRecord | null> {
  constructor(readonly chatId: string) {
    super();
  }
}
