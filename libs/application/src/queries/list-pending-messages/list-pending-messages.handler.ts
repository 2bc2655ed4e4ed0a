import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { MessageReader, type MessageRecord } from '../../ports/message-reader';
import { ListPendingMessagesQuery } from './list-pending-messages.query';

@QueryHandler(ListPendingMessagesQuery)
export class ListPendingMessagesHandler implements IQueryHandler<ListPendingMessagesQuery> {
  constructor(private readonly messages: MessageReader) {}

  async execute(query: ListPendingMessagesQuery): Promise<MessageRecord[]> {
    return this.messages.pending(query.fromSender);
  }
}
