import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

/** PATCH /messages/:id: a new time (before it is due), a new text, or both. */
export class RescheduleMessageDto {
  @ApiPropertyOptional({
    example: '2030-02-01T09:30:00Z',
    description: 'Moves a message not yet due: ISO 8601; UTC when no zone is given',
  })
  @IsOptional()
  @IsString({ message: 'scheduled_timestamp must be a string' })
  scheduled_timestamp?: string;

  @ApiPropertyOptional({
    example: 'Maintenance moved to 22:00',
    description:
      "The new text, read in the message's parse mode: before it is due, the text it goes out with; once sent, every chat that got it is edited to it (editMessageText)",
  })
  @IsOptional()
  @IsString({ message: 'message must be a string' })
  message?: string;
}
