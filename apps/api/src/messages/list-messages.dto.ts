import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';

export const MESSAGE_STATUSES = ['scheduled', 'due', 'sent', 'cancelled', 'missed'] as const;

const FROM_SENDER_DESCRIPTION =
  'Only the messages scheduled with this from_sender (exactly); empty or absent: every message';

/** GET /pending-messages: the seed's route took no parameters; clients of it filter by sender. */
export class PendingMessagesDto {
  @ApiPropertyOptional({ description: FROM_SENDER_DESCRIPTION, example: 'crm' })
  @IsOptional()
  @IsString({ message: 'from_sender must be given once' })
  from_sender?: string;
}

export class ListMessagesDto extends PendingMessagesDto {
  @ApiPropertyOptional({ enum: MESSAGE_STATUSES })
  @IsOptional()
  @IsIn(MESSAGE_STATUSES, { message: `status must be one of ${MESSAGE_STATUSES.join(', ')}` })
  status?: (typeof MESSAGE_STATUSES)[number];

  @ApiPropertyOptional({
    description: 'Scheduled at or after this ISO 8601 time',
    example: '2030-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  from?: string;

  @ApiPropertyOptional({
    description: 'Scheduled before this ISO 8601 time',
    example: '2031-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  to?: string;

  @ApiPropertyOptional({ description: 'Page size, 1 to 200 (50 by default)', example: 50 })
  @IsOptional()
  @Matches(/^\d{1,3}$/, { message: 'limit must be a whole number from 1 to 200' })
  limit?: string;

  @ApiPropertyOptional({ description: "The previous page's next_cursor" })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export const RECIPIENT_STATUSES = ['pending', 'delivered', 'failed'] as const;

/** GET /messages/:id/recipients. */
export class RecipientPageDto {
  @ApiPropertyOptional({
    enum: RECIPIENT_STATUSES,
    description: 'Only recipients with this outcome',
  })
  @IsOptional()
  @IsIn(RECIPIENT_STATUSES, {
    message: `status must be one of ${RECIPIENT_STATUSES.join(', ')}`,
  })
  status?: (typeof RECIPIENT_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Page size, 1 to 1000 (100 by default)', example: 100 })
  @IsOptional()
  @Matches(/^\d{1,4}$/, { message: 'limit must be a whole number from 1 to 1000' })
  limit?: string;

  @ApiPropertyOptional({
    description: "The previous page's next_cursor (or recipients_next_cursor)",
  })
  @IsOptional()
  @IsString()
  cursor?: string;
}
