import { ApiProperty } from '@nestjs/swagger';
import type { SubscriberRecord } from '../../../../libs/application/src/ports/subscriber-reader';

export class SubscriberResponse {
  @ApiProperty({ format: 'uuid', description: 'The id to schedule messages for' })
  user_id!: string;

  @ApiProperty({ example: '123456789' })
  chat_id!: string;

  @ApiProperty({ example: 'JohnDoe' })
  chat_name!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export function toSubscriberResponse(view: SubscriberRecord): SubscriberResponse {
  return {
    user_id: view.userId,
    chat_id: view.chatId,
    chat_name: view.chatName,
    created_at: view.createdAt.toISOString(),
  };
}

/** A subscriber with what it has set for itself. */
export class SubscriberDetailResponse extends SubscriberResponse {
  @ApiProperty({ enum: ['active', 'unsubscribed'] })
  status!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Europe/Berlin',
    description: 'Its own IANA time zone (/timezone in the bot); null when none is set',
  })
  time_zone!: string | null;
}

export function toSubscriberDetailResponse(view: SubscriberRecord): SubscriberDetailResponse {
  return { ...toSubscriberResponse(view), status: view.status, time_zone: view.timeZone };
}
