import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { MessageRecipientView } from '../../../../projections/src/message-recipient.view';
import { MessageView } from '../../../../projections/src/message.view';
import { isUuid } from '../../uuid';
import { GetMessageQuery, type MessageWithRecipients } from './get-message.query';

@QueryHandler(GetMessageQuery)
export class GetMessageHandler implements IQueryHandler<GetMessageQuery> {
  constructor(private readonly orm: MikroORM) {}

  async execute(query: GetMessageQuery): Promise<MessageWithRecipients | null> {
    if (!isUuid(query.messageId)) return null;
    const em = this.orm.em.fork();
    const message = await em.findOne(MessageView, { id: query.messageId });
    if (!message) return null;
    const recipients = await em.find(
      MessageRecipientView,
      { messageId: query.messageId },
      { orderBy: { ordinal: 'asc' } },
    );
    return { message, recipients };
  }
}
