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

  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['requested', 'blocked', 'chat_merged', 'removed'],
    description:
      'Why the subscription ended (/stop, the bot blocked, the group merged into a subscribed supergroup, the bot removed from the group or channel); null while active',
  })
  unsubscribe_reason!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['private', 'group', 'supergroup', 'channel'],
    description:
      'The kind of chat, as Telegram said it; null when not known (subscribed on the API)',
  })
  chat_type!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      "The user's names from /start in a private chat, for templates; null when not known",
    example: 'Ann',
  })
  first_name!: string | null;

  @ApiProperty({ type: String, nullable: true })
  last_name!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'ann_lee' })
  username!: string | null;
}

export function toSubscriberDetailResponse(view: SubscriberRecord): SubscriberDetailResponse {
  return {
    ...toSubscriberResponse(view),
    status: view.status,
    unsubscribe_reason: view.status === 'unsubscribed' ? view.unsubscribeReason : null,
    time_zone: view.timeZone,
    chat_type: view.chatType,
    first_name: view.firstName,
    last_name: view.lastName,
    username: view.username,
  };
}

/** GET /subscribers: a page. */
export class SubscriberPageResponse {
  @ApiProperty({ type: [SubscriberDetailResponse] })
  items!: SubscriberDetailResponse[];

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as cursor for the next page; null on the last',
  })
  next_cursor!: string | null;
}
