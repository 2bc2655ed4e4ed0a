import { ApiProperty } from '@nestjs/swagger';
import type {
  MessageRecipientRecord,
  MessageWithRecipients,
} from '../../../../libs/application/src/ports/message-reader';
import { MessageResponse, toMessageResponse } from './message.response';

export class RecipientOutcomeResponse {
  @ApiProperty({ format: 'uuid' })
  user_id!: string;

  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] })
  status!: string;

  @ApiProperty({ nullable: true, type: String, description: 'The chat delivered to' })
  chat_id!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Why it failed: unknown_recipient, unsubscribed, blocked, chat_not_found, rejected, attachment_missing',
  })
  failure_code!: string | null;

  @ApiProperty({ nullable: true, type: String })
  reason!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    enum: ['edited', 'edit_failed', 'recalled', 'recall_failed'],
    description:
      "What became of the message in the recipient's chat after it was sent (PATCH with a message, POST /messages/:id/recall); null: as sent",
  })
  revision!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Why an edit or a recall failed' })
  revision_reason!: string | null;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class AttachmentResponse {
  @ApiProperty()
  object_key!: string;

  @ApiProperty()
  file_name!: string;

  @ApiProperty()
  content_type!: string;

  @ApiProperty()
  size!: number;

  @ApiProperty()
  sha256!: string;
}

export class RecipientCountsResponse {
  @ApiProperty({ description: 'Recipients without an outcome yet' })
  pending!: number;

  @ApiProperty()
  delivered!: number;

  @ApiProperty()
  failed!: number;
}

/** A page of a message's recipients: GET /messages/:id/recipients. */
export class RecipientPageResponse {
  @ApiProperty({ type: [RecipientOutcomeResponse] })
  items!: RecipientOutcomeResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page' })
  next_cursor!: string | null;
}

export class MessageDetailsResponse extends MessageResponse {
  @ApiProperty({ enum: ['scheduled', 'due', 'sent', 'cancelled', 'missed'] })
  status!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  due_at!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  sent_at!: string | null;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When its text last changed (PATCH with a message)',
  })
  edited_at!: string | null;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When it was recalled from every chat (POST /messages/:id/recall)',
  })
  recalled_at!: string | null;

  @ApiProperty({ type: [AttachmentResponse] })
  attachments!: AttachmentResponse[];

  @ApiProperty({
    type: [RecipientOutcomeResponse],
    description:
      'The recipients in order with their outcomes: every one of a message to user ids, the first 1,000 of an audience (recipients_next_cursor pages on)',
  })
  recipients!: RecipientOutcomeResponse[];

  @ApiProperty({ type: RecipientCountsResponse })
  recipient_counts!: RecipientCountsResponse;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'GET /messages/:id/recipients?cursor= with this for the recipients after those shown; null when all are shown',
  })
  recipients_next_cursor!: string | null;
}

export function toMessageDetailsResponse({
  message,
  recipients,
  counts,
  next,
}: MessageWithRecipients): MessageDetailsResponse {
  return {
    ...toMessageResponse(message),
    status: message.status,
    due_at: message.dueAt?.toISOString() ?? null,
    sent_at: message.sentAt?.toISOString() ?? null,
    edited_at: message.editedAt?.toISOString() ?? null,
    recalled_at: message.recalledAt?.toISOString() ?? null,
    attachments: message.attachments.map((attachment) => ({
      object_key: attachment.objectKey,
      file_name: attachment.fileName,
      content_type: attachment.contentType,
      size: attachment.size,
      sha256: attachment.sha256,
    })),
    recipients: recipients.map(toRecipientOutcomeResponse),
    recipient_counts: { ...counts },
    recipients_next_cursor: next === null ? null : String(next),
  };
}

export function toRecipientOutcomeResponse(
  recipient: MessageRecipientRecord,
): RecipientOutcomeResponse {
  return {
    user_id: recipient.userId,
    status: recipient.status,
    chat_id: recipient.chatId,
    failure_code: recipient.failureCode,
    reason: recipient.reason,
    revision: recipient.revision,
    revision_reason: recipient.revisionReason,
    updated_at: recipient.updatedAt.toISOString(),
  };
}
