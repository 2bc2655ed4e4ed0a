import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { MessageReader, type RecipientPage } from '../../ports/message-reader';
import { ListMessageRecipientsQuery } from './list-message-recipients.query';

@QueryHandler(ListMessageRecipientsQuery)
export class ListMessageRecipientsHandler implements IQueryHandler<ListMessageRecipientsQuery> {
  constructor(private readonly messages: MessageReader) {}

  async execute(query: ListMessageRecipientsQuery): Promise<RecipientPage | null> {
    // A message unknown is a 404, not an empty page.
    if (!(await this.messages.byId(query.messageId))) return null;
    return this.messages.recipients(query.messageId, {
      after: query.after,
      limit: query.limit,
      ...(query.status ? { status: query.status } : {}),
    });
  }
}
