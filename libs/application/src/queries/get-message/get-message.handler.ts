import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { MessageReader, type MessageWithRecipients } from '../../ports/message-reader';
import { GetMessageQuery, RECIPIENTS_SHOWN } from './get-message.query';

@QueryHandler(GetMessageQuery)
export class GetMessageHandler implements IQueryHandler<GetMessageQuery> {
  constructor(private readonly messages: MessageReader) {}

  async execute(query: GetMessageQuery): Promise<MessageWithRecipients | null> {
    return this.messages.withRecipients(query.messageId, RECIPIENTS_SHOWN);
  }
}
