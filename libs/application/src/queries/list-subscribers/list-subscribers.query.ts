import { Query } from '@nestjs/cqrs';
import type { SubscriberRecord } from '../../ports/subscriber-reader';

/** Users currently subscribed, in the order they subscribed. */
export class ListSubscribersQuery extends Query<SubscriberRecord[]> {}
