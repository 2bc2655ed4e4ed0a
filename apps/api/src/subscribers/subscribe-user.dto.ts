import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';

export class SubscribeUserDto {
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'integer' }],
    example: '123456789',
    description: 'Telegram chat id, or @channelusername',
  })
  @IsDefined({ message: 'chat_id is required' })
  chat_id!: string | number;

  @ApiProperty({ example: 'JohnDoe', maxLength: 256 })
  @IsDefined({ message: 'chat_name is required' })
  @IsString({ message: 'chat_name must be a string' })
  chat_name!: string;
}

/** PATCH /subscribers/:id: the subscriber's own time zone. */
export class ChangeSubscriberDto {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Europe/Berlin',
    description:
      "An IANA time zone (any letter case), for series sent at each recipient's local time; null clears it",
  })
  @ValidateIf((body: { time_zone?: unknown }) => body.time_zone !== null)
  @IsString({ message: 'time_zone must be an IANA time zone name, or null to clear it' })
  time_zone!: string | null;
}

/** GET /subscribers: a page of subscribers, searched. */
export class SearchSubscribersDto {
  @ApiPropertyOptional({ enum: ['active', 'unsubscribed'], description: 'Only those of a status' })
  @IsOptional()
  @IsIn(['active', 'unsubscribed'], { message: 'status must be active or unsubscribed' })
  status?: 'active' | 'unsubscribed';

  @ApiPropertyOptional({
    description:
      'Only those whose chat name, first or last name, username, user id or chat id holds this text (case-insensitive)',
    example: 'ann',
    maxLength: 100,
  })
  @IsOptional()
  @IsString({ message: 'search must be given once' })
  @MaxLength(100, { message: 'search must be at most 100 characters' })
  search?: string;

  @ApiPropertyOptional({ description: 'Page size, 1 to 200 (50 by default)', example: 50 })
  @IsOptional()
  @Matches(/^\d{1,3}$/, { message: 'limit must be a whole number from 1 to 200' })
  limit?: string;

  @ApiPropertyOptional({ description: "The previous page's next_cursor" })
  @IsOptional()
  @IsString()
  cursor?: string;
}
