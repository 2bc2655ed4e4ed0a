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
