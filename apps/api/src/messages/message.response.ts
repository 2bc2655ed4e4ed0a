import { ApiProperty } from '@nestjs/swagger';
import type { MessageRecord } from '../../../../libs/application/src/ports/message-reader';

/** A scheduled message as the seed's API showed it. */
export class MessageResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: [String], description: 'Recipient user ids' })
  target_user_id!: string[];

  @ApiProperty()
  message!: string;

  @ApiProperty({ format: 'date-time' })
  scheduled_timestamp!: string;

  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'Object keys of the attachments in the bucket; null when there are none',
  })
  file_paths!: string[] | null;

  @ApiProperty()
  is_sent!: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The from_sender the message was scheduled with; null when none',
  })
  from_sender!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export function toMessageResponse(view: MessageRecord): MessageResponse {
  return {
    id: view.id,
    target_user_id: [...view.targetUserIds],
    message: view.text,
    scheduled_timestamp: view.scheduledAt.toISOString(),
    file_paths:
      view.attachments.length > 0
        ? view.attachments.map((attachment) => attachment.objectKey)
        : null,
    is_sent: view.isSent,
    from_sender: view.fromSender,
    created_at: view.createdAt.toISOString(),
  };
}
