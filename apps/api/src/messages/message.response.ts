import { ApiProperty } from '@nestjs/swagger';
import { AppearanceResponse, toAppearanceResponse } from '../http/appearance.response';
import type { MessageRecord } from '../../../../libs/application/src/ports/message-reader';

/** A scheduled message as the seed's API showed it. */
export class MessageResponse extends AppearanceResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    type: [String],
    description:
      'Recipient user ids; empty for a message to topics or to everyone (GET /messages/:id lists who it reached)',
  })
  target_user_id!: string[];

  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'The topics the message is for (their names when scheduled); null when none',
  })
  target_topic!: string[] | null;

  @ApiProperty({ description: 'Whether the message is for everyone subscribed when it falls due' })
  target_all!: boolean;

  @ApiProperty({
    description:
      'Whether it is sent as a paid broadcast (allow_paid_broadcast: beyond the free 30 a second, for a fee)',
  })
  paid_broadcast!: boolean;

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

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'The recurring series this message is an occurrence of; null for a single message',
  })
  series_id!: string | null;
}

/** The answer to POST /schedule-message: the message, and anything the client should know. */
export class ScheduledMessageResponse extends MessageResponse {
  @ApiProperty({
    type: [String],
    required: false,
    description:
      'Present when there is something to know: EMPTY_AUDIENCE when the topics (or everyone) have no subscribed members now',
  })
  warnings?: string[];
}

export function toMessageResponse(view: MessageRecord): MessageResponse {
  return {
    id: view.id,
    target_user_id: [...view.targetUserIds],
    target_topic:
      view.audience?.kind === 'topics' ? view.audience.topics.map((topic) => topic.name) : null,
    target_all: view.audience?.kind === 'all',
    paid_broadcast: view.paidBroadcast,
    ...toAppearanceResponse(view.sendOptions, view.buttons),
    message: view.text,
    scheduled_timestamp: view.scheduledAt.toISOString(),
    file_paths:
      view.attachments.length > 0
        ? view.attachments.map((attachment) => attachment.objectKey)
        : null,
    is_sent: view.isSent,
    from_sender: view.fromSender,
    created_at: view.createdAt.toISOString(),
    series_id: view.seriesId,
  };
}
