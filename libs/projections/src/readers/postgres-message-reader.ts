import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import {
  type MessageFilter,
  type MessageKey,
  type MessagePage,
  MessageReader,
  type MessageRecipientRecord,
  type MessageRecord,
  type MessageWithRecipients,
  type RecipientDeliveryStatus,
  type RecipientPage,
} from '../../../application/src/ports/message-reader';
import { isUuid } from '../../../application/src/uuid';
import { DEFAULT_SEND_OPTIONS } from '../../../domain/src/events';
import type { MessageRecipientRow, MessageRow } from '../read-models.projection';

/** The messages read model (tables `messages` and `message_recipients`). */
@Injectable()
export class PostgresMessageReader extends MessageReader {
  constructor(private readonly orm: MikroORM) {
    super();
  }

  async byId(messageId: string): Promise<MessageRecord | null> {
    if (!isUuid(messageId)) return null;
    const [found] = await this.messages('id = ?', [messageId]);
    return found ?? null;
  }

  async withRecipients(messageId: string, limit: number): Promise<MessageWithRecipients | null> {
    const found = await this.byId(messageId);
    if (!found) return null;
    const em = this.orm.em.fork();
    const [rows, page] = await Promise.all([
      em.execute<{ status: RecipientDeliveryStatus; count: string }[]>(
        'SELECT status, count(*) AS count FROM message_recipients WHERE message_id = ? GROUP BY status',
        [messageId],
      ),
      this.recipients(messageId, { after: null, limit }),
    ]);
    const counts = { pending: 0, delivered: 0, failed: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    return { message: found, recipients: page.items, counts, next: page.next };
  }

  async recipients(
    messageId: string,
    options: { after: number | null; limit: number; status?: RecipientDeliveryStatus },
  ): Promise<RecipientPage> {
    if (!isUuid(messageId)) return { items: [], next: null };
    const rows = await this.orm.em.fork().execute<{ row: MessageRecipientRow }[]>(
      `SELECT to_jsonb(r) AS row FROM message_recipients r
        WHERE message_id = ? ${options.after === null ? '' : 'AND ordinal > ?'}
          ${options.status ? 'AND status = ?' : ''}
        ORDER BY ordinal LIMIT ?`,
      [
        messageId,
        ...(options.after === null ? [] : [options.after]),
        ...(options.status ? [options.status] : []),
        options.limit + 1,
      ],
    );
    const items = rows.slice(0, options.limit).map(({ row }) => recipientRecordOf(row));
    return { items, next: rows.length > options.limit ? items.at(-1)!.ordinal : null };
  }

  async page(filter: MessageFilter, limit: number, after: MessageKey | null): Promise<MessagePage> {
    const conditions: string[] = ['true'];
    const params: unknown[] = [];
    const where = (condition: string, ...values: unknown[]) => {
      conditions.push(condition);
      params.push(...values);
    };
    if (filter.status) where('status = ?', filter.status);
    if (filter.fromSender !== undefined) where('from_sender = ?', filter.fromSender);
    if (filter.from) where('scheduled_at >= ?', filter.from.toISOString());
    if (filter.to) where('scheduled_at < ?', filter.to.toISOString());
    if (after) {
      where(
        '(scheduled_at, id) > (?::timestamptz, ?::uuid)',
        after.scheduledAt.toISOString(),
        after.id,
      );
    }
    const rows = await this.messages(
      `${conditions.join(' AND ')} ORDER BY scheduled_at, id LIMIT ?`,
      [...params, limit + 1],
    );
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      next: rows.length > limit && last ? { scheduledAt: last.scheduledAt, id: last.id } : null,
    };
  }

  async pending(fromSender: string | null): Promise<MessageRecord[]> {
    return this.messages(
      `NOT is_sent AND status IN ('scheduled', 'due') ${fromSender !== null ? 'AND from_sender = ?' : ''}
       ORDER BY scheduled_at, id`,
      fromSender !== null ? [fromSender] : [],
    );
  }

  private async messages(where: string, params: unknown[]): Promise<MessageRecord[]> {
    const rows = await this.orm.em
      .fork()
      .execute<{ row: MessageRow }[]>(
        `SELECT to_jsonb(m) AS row FROM messages m WHERE ${where}`,
        params,
      );
    return rows.map(({ row }) => messageRecordOf(row));
  }
}

export function messageRecordOf(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    targetUserIds: row.target_user_ids,
    text: row.text,
    scheduledAt: new Date(row.scheduled_at),
    attachments: row.attachments,
    fromSender: row.from_sender,
    seriesId: row.series_id,
    occurrenceAt: row.occurrence_at === null ? null : new Date(row.occurrence_at),
    audience: row.audience ?? null,
    paidBroadcast: row.paid_broadcast,
    sendOptions: row.send_options ?? DEFAULT_SEND_OPTIONS,
    buttons: row.buttons,
    status: row.status,
    isSent: row.is_sent,
    dueAt: row.due_at === null ? null : new Date(row.due_at),
    sentAt: row.sent_at === null ? null : new Date(row.sent_at),
    editedAt: row.edited_at ? new Date(row.edited_at) : null,
    recalledAt: row.recalled_at ? new Date(row.recalled_at) : null,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function recipientRecordOf(row: MessageRecipientRow): MessageRecipientRecord {
  return {
    messageId: row.message_id,
    userId: row.user_id,
    ordinal: row.ordinal,
    status: row.status,
    chatId: row.chat_id,
    failureCode: row.failure_code,
    reason: row.reason,
    revision: row.revision ?? null,
    revisionReason: row.revision_reason ?? null,
    updatedAt: new Date(row.updated_at),
  };
}
