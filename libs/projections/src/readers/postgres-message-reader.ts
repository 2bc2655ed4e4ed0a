import { Injectable } from '@nestjs/common';
import { type FilterQuery, MikroORM } from '@mikro-orm/postgresql';
import { isUuid } from '../../../application/src/uuid';
import {
  type MessageFilter,
  type MessageKey,
  type MessagePage,
  MessageReader,
  type MessageRecord,
  type MessageWithRecipients,
} from '../../../application/src/ports/message-reader';
import { MessageRecipientView } from '../message-recipient.view';
import { MessageView } from '../message.view';

/** The messages read model (tables `messages` and `message_recipients`). */
@Injectable()
export class PostgresMessageReader extends MessageReader {
  constructor(private readonly orm: MikroORM) {
    super();
  }

  async withRecipients(messageId: string): Promise<MessageWithRecipients | null> {
    if (!isUuid(messageId)) return null;
    const em = this.orm.em.fork();
    const message = await em.findOne(MessageView, { id: messageId });
    if (!message) return null;
    const recipients = await em.find(
      MessageRecipientView,
      { messageId },
      { orderBy: { ordinal: 'asc' } },
    );
    return { message, recipients };
  }

  async page(filter: MessageFilter, limit: number, after: MessageKey | null): Promise<MessagePage> {
    const conditions: FilterQuery<MessageView>[] = [];
    if (filter.status) conditions.push({ status: filter.status });
    if (filter.fromSender !== undefined) conditions.push({ fromSender: filter.fromSender });
    if (filter.from) conditions.push({ scheduledAt: { $gte: filter.from } });
    if (filter.to) conditions.push({ scheduledAt: { $lt: filter.to } });
    if (after) {
      conditions.push({
        $or: [
          { scheduledAt: { $gt: after.scheduledAt } },
          { scheduledAt: after.scheduledAt, id: { $gt: after.id } },
        ],
      });
    }
    const rows = await this.orm.em
      .fork()
      .find(MessageView, conditions.length > 0 ? { $and: conditions } : {}, {
        orderBy: { scheduledAt: 'asc', id: 'asc' },
        limit: limit + 1,
      });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      next: rows.length > limit && last ? { scheduledAt: last.scheduledAt, id: last.id } : null,
    };
  }

  async pending(fromSender: string | null): Promise<MessageRecord[]> {
    return this.orm.em.fork().find(
      MessageView,
      {
        isSent: false,
        status: { $in: ['scheduled', 'due'] },
        ...(fromSender !== null ? { fromSender } : {}),
      },
      { orderBy: { scheduledAt: 'asc', id: 'asc' } },
    );
  }
}
