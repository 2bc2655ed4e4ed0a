import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { SubscriberView } from '../../../../projections/src/subscriber.view';
import { FindSubscriberByChatQuery } from './find-subscriber-by-chat.query';

@QueryHandler(FindSubscriberByChatQuery)
export class FindSubscriberByChatHandler implements IQueryHandler<FindSubscriberByChatQuery> {
  constructor(private readonly orm: MikroORM) {}

  async execute(query: FindSubscriberByChatQuery): Promise<SubscriberView | null> {
    return this.orm.em.fork().findOne(SubscriberView, { chatId: query.chatId, status: 'active' });
  }
}
