import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { DOMAIN_EVENT_TYPES } from '../../../../libs/domain/src/events';
import { ApiError } from '../http/api-error';

export const MAX_EVENTS_PAGE = 1000;

/** A page of one stream's events: those after a stream version. */
export class StreamEventsPageDto {
  @ApiPropertyOptional({
    description: 'Only events after this stream version (0 by default: from the first)',
    example: 0,
  })
  @IsOptional()
  @Matches(/^\d{1,9}$/, { message: 'after must be a stream version (a whole number)' })
  after?: string;

  @ApiPropertyOptional({ description: `Page size, 1 to ${MAX_EVENTS_PAGE} (all by default)` })
  @IsOptional()
  @Matches(/^\d{1,4}$/, { message: `limit must be a whole number from 1 to ${MAX_EVENTS_PAGE}` })
  limit?: string;
}

/** A page of a message's events, or of the events of one part of its audience. */
export class MessageEventsPageDto extends StreamEventsPageDto {
  @ApiPropertyOptional({
    description:
      "A part of the message's audience (1 to its AudienceResolved's `parts`): that part's events instead, each recipient's progress and outcome",
    example: 1,
  })
  @IsOptional()
  @Matches(/^[1-9]\d{0,8}$/, { message: 'part must be a part number (a whole number from 1)' })
  part?: string;
}

/** A page of the whole log: events after a position, in log order. */
export class LogEventsPageDto {
  @ApiPropertyOptional({
    description:
      "Only events after the event at this position, in log order (0 by default: from the start); the previous page's next_after",
    example: 0,
  })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'after must be a log position (a whole number)' })
  after?: string;

  @ApiPropertyOptional({ description: `Page size, 1 to ${MAX_EVENTS_PAGE} (100 by default)` })
  @IsOptional()
  @Matches(/^\d{1,4}$/, { message: `limit must be a whole number from 1 to ${MAX_EVENTS_PAGE}` })
  limit?: string;

  @ApiPropertyOptional({ enum: DOMAIN_EVENT_TYPES, description: 'Only events of this type' })
  @IsOptional()
  @IsIn(DOMAIN_EVENT_TYPES, { message: `type must be one of ${DOMAIN_EVENT_TYPES.join(', ')}` })
  type?: (typeof DOMAIN_EVENT_TYPES)[number];
}

export function parseEventsLimit(raw: string | undefined, fallback: number): number {
  const limit = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_PAGE) {
    throw new ApiError(
      'INVALID_LIMIT',
      `limit must be a whole number from 1 to ${MAX_EVENTS_PAGE}`,
    );
  }
  return limit;
}
