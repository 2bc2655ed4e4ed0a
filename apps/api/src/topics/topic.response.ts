import { ApiProperty } from '@nestjs/swagger';
import type {
  TopicMemberRecord,
  TopicRecord,
} from '../../../../libs/application/src/ports/topic-reader';

export class TopicResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'release-notes' })
  name!: string;

  @ApiProperty({ description: 'Members who are subscribed now (the audience it stands for)' })
  member_count!: number;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class TopicMemberResponse {
  @ApiProperty({ format: 'uuid' })
  user_id!: string;

  @ApiProperty({ example: '123456789' })
  chat_id!: string;

  @ApiProperty({ example: 'JohnDoe' })
  chat_name!: string;

  @ApiProperty({
    enum: ['active', 'unsubscribed'],
    description: 'An unsubscribed member stays a member but is in no audience',
  })
  status!: string;

  @ApiProperty({ format: 'date-time' })
  joined_at!: string;
}

export class TopicMembersResponse {
  @ApiProperty({ type: [TopicMemberResponse] })
  items!: TopicMemberResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page' })
  next_cursor!: string | null;
}

export class TopicMembershipResponse {
  @ApiProperty({ example: 'release-notes' })
  topic!: string;

  @ApiProperty({ format: 'uuid' })
  user_id!: string;

  @ApiProperty({ description: 'false when nothing changed (joined already)' })
  changed!: boolean;
}

export function toTopicResponse(topic: TopicRecord): TopicResponse {
  return {
    id: topic.id,
    name: topic.name,
    member_count: topic.memberCount,
    created_at: topic.createdAt.toISOString(),
  };
}

export function toTopicMemberResponse(member: TopicMemberRecord): TopicMemberResponse {
  return {
    user_id: member.userId,
    chat_id: member.chatId,
    chat_name: member.chatName,
    status: member.status,
    joined_at: member.joinedAt.toISOString(),
  };
}
