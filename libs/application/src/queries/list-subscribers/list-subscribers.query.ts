import { Query } from '@nestjs/cqrs';
import type { SubscriberView } from '../../../../projections/src/subscriber.view';

/** Users currently subscribed, in the order they subscribed. */
export class ListSubscribersQuery extends Query<SubscriberView[]> {}
