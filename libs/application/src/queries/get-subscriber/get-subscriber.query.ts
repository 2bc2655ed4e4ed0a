import { Query } from '@nestjs/cqrs';
import type { SubscriberRecord } from '../../ports/subscriber-reader';

/** A subscriber by user id, active or not; SUBSCRIBER_NOT_FOUND when there is none. */
export class GetSubscriberQuery extends Query<SubscriberRecord> {
  constructor(readonly userId: string) {
    super();
  }
}
