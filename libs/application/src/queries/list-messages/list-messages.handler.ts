import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type FilterQuery, MikroORM } from '@mikro-orm/postgresql';
import { MessageView } from '../../../../projections/src/message.view';
import { ListMessagesQuery, type MessagePage } from './list-messages.query';

@QueryHandler(ListMessagesQuery)
export class ListMessagesHandler implements IQueryHandler<ListMessagesQuery> {
  constructor(private readonly orm: MikroORM) {}

  async execute(query: ListMessagesQuery): Promise<MessagePage> {
    const { status, fromSender, from, to } = query.filter;
    const conditions: FilterQuery<MessageView>[] = [];
    if (status) conditions.push({ status });
    if (fromSender !== undefined) conditions.push({ fromSender });
    if (from) conditions.push({ scheduledAt: { $gte: from } });
    if (to) conditions.push({ scheduledAt: { $lt: to } });
    if (query.after) {
      const { scheduledAt, id } = query.after;
      conditions.push({
        $or: [{ scheduledAt: { $gt: scheduledAt } }, { scheduledAt, id: { $gt: id } }],
      });
    }
    const rows = await this.orm.em
      .fork()
      .find(MessageView, conditions.length > 0 ? { $and: conditions } : {}, {
        orderBy: { scheduledAt: 'asc', id: 'asc' },
        limit: query.limit + 1,
      });
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items,
      next:
        rows.length > query.limit && last ? { scheduledAt: last.scheduledAt, id: last.id } : null,
    };
  }
}
