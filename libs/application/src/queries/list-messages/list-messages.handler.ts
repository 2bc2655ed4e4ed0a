import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type MessagePage, MessageReader } from '../../ports/message-reader';
import { ListMessagesQuery } from './list-messages.query';

@QueryHandler(ListMessagesQuery)
export class ListMessagesHandler implements IQueryHandler<ListMessagesQuery> {
  constructor(private readonly messages: MessageReader) {}

  async execute(query: ListMessagesQuery): Promise<MessagePage> {
    return this.messages.page(query.filter, query.limit, query.after);
  }
}
