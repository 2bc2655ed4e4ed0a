import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { MessageView } from '../../../../projections/src/message.view';
import { ListPendingMessagesQuery } from './list-pending-messages.query';

@QueryHandler(ListPendingMessagesQuery)
export class ListPendingMessagesHandler implements IQueryHandler<ListPendingMessagesQuery> {
  constructor(private readonly orm: MikroORM) {}

  async execute(query: ListPendingMessagesQuery): Promise<MessageView[]> {
    return this.orm.em.fork().find(
      MessageView,
      {
        isSent: false,
        status: { $in: ['scheduled', 'due'] },
        ...(query.fromSender !== null ? { fromSender: query.fromSender } : {}),
      },
      { orderBy: { scheduledAt: 'asc', id: 'asc' } },
    );
  }
}
