import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { SubscriberView } from '../../../../projections/src/subscriber.view';
import { ListSubscribersQuery } from './list-subscribers.query';

@QueryHandler(ListSubscribersQuery)
export class ListSubscribersHandler implements IQueryHandler<ListSubscribersQuery> {
  constructor(private readonly orm: MikroORM) {}

  async execute(): Promise<SubscriberView[]> {
    return this.orm.em
      .fork()
      .find(SubscriberView, { status: 'active' }, { orderBy: { createdAt: 'asc', userId: 'asc' } });
  }
}
