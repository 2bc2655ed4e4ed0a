import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsString, Matches } from 'class-validator';

/** POST /topics and PATCH /topics/:name: the topic's name. */
export class TopicNameDto {
  @ApiProperty({
    example: 'release-notes',
    maxLength: 64,
    description: 'One word: letters, digits, _ and -',
  })
  @IsDefined({ message: 'name is required' })
  @IsString({ message: 'name must be a string' })
  name!: string;
}

/** POST /topics/:name/members: who joins. */
export class TopicMemberDto {
  @ApiProperty({ format: 'uuid', description: 'A subscriber’s user_id' })
  @IsDefined({ message: 'user_id is required' })
  @IsString({ message: 'user_id must be a string' })
  user_id!: string;
}

export class TopicMembersPageDto {
  @ApiPropertyOptional({ description: 'Page size, 1 to 1000 (100 by default)', example: 100 })
  @IsOptional()
  @Matches(/^\d{1,4}$/, { message: 'limit must be a whole number from 1 to 1000' })
  limit?: string;

  @ApiPropertyOptional({ description: "The previous page's next_cursor" })
  @IsOptional()
  @IsString()
  cursor?: string;
}
