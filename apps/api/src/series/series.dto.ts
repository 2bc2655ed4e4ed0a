import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches } from 'class-validator';

export const SERIES_STATUSES = ['active', 'paused', 'ended'] as const;

/** PATCH /series/:id: what changes from now on; a field left out stays as it is. */
export class ChangeSeriesDto {
  @ApiPropertyOptional({ example: 'Weekly report is due today (new room)' })
  @IsOptional()
  @IsString({ message: 'message must be a string' })
  message?: string;

  @ApiPropertyOptional({ description: 'Comma-separated user ids', example: 'user-id-1,user-id-2' })
  @IsOptional()
  @IsString({ message: 'target_user_id must be a string of comma-separated ids' })
  target_user_id?: string;

  @ApiPropertyOptional({
    description: 'Comma-separated topic names, instead of user ids or everyone',
    example: 'news',
  })
  @IsOptional()
  @IsString({ message: 'target_topic must be a string of comma-separated topic names' })
  target_topic?: string;

  @ApiPropertyOptional({ description: 'true: everyone subscribed, instead of user ids or topics' })
  @IsOptional()
  @IsBoolean({ message: 'target_all must be true' })
  target_all?: boolean;

  @ApiPropertyOptional({ example: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=30' })
  @IsOptional()
  @IsString({ message: 'rrule must be a string' })
  rrule?: string;

  @ApiPropertyOptional({ example: '2027-01-04T09:30' })
  @IsOptional()
  @IsString({ message: 'dtstart must be a string' })
  dtstart?: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin' })
  @IsOptional()
  @IsString({ message: 'time_zone must be a string' })
  time_zone?: string;

  @ApiPropertyOptional({
    description:
      "true: each recipient at the rule's local time in their own zone; false: all at time_zone's",
  })
  @IsOptional()
  @IsBoolean({ message: 'at_recipient_local_time must be true or false' })
  at_recipient_local_time?: boolean;

  @ApiPropertyOptional({
    description:
      "How Telegram reads the text's markup: plain, HTML or MarkdownV2 (the text, changed or not, is checked in it)",
    example: 'HTML',
  })
  @IsOptional()
  @IsString({ message: 'parse_mode must be plain, HTML or MarkdownV2' })
  parse_mode?: string;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description:
      'Seconds after each occurrence falls due when it is deleted from every chat; null: they stay',
    example: 3600,
  })
  @IsOptional()
  @IsInt({ message: 'delete_after must be a whole number of seconds or null' })
  delete_after?: number | null;

  @ApiPropertyOptional({ enum: ['documents', 'media'], description: 'How the files go' })
  @IsOptional()
  @IsString({ message: 'send_as must be documents or media' })
  send_as?: string;

  @ApiPropertyOptional({
    description:
      'true: files Telegram groups together go as albums, the text the first album’s caption unless there are buttons',
  })
  @IsOptional()
  @IsBoolean({ message: 'as_album must be true or false' })
  as_album?: boolean;

  @ApiPropertyOptional({ description: 'true: every occurrence is delivered silently' })
  @IsOptional()
  @IsBoolean({ message: 'disable_notification must be true or false' })
  disable_notification?: boolean;

  @ApiPropertyOptional({ description: 'true: occurrences cannot be forwarded or saved' })
  @IsOptional()
  @IsBoolean({ message: 'protect_content must be true or false' })
  protect_content?: boolean;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'The forum topic to post in; null for none',
    example: 42,
  })
  @IsOptional()
  @IsInt({ message: 'message_thread_id must be a whole number or null' })
  message_thread_id?: number | null;

  @ApiPropertyOptional({ description: 'on, off, or the http(s) URL of the page to preview' })
  @IsOptional()
  @IsString({ message: 'link_preview must be on, off or a URL' })
  link_preview?: string;

  @ApiPropertyOptional({
    description: 'Rows of URL buttons under the text, each {"text", "url"}; [] for none',
    example: [[{ text: 'Agenda', url: 'https://example.com/agenda' }]],
  })
  @IsOptional()
  @IsArray({ message: 'buttons must be rows (arrays) of {"text", "url"}' })
  buttons?: unknown[];
}

/** PATCH /series/:id/occurrences/:at: move one occurrence, give it its own text, or both. */
export class ChangeOccurrenceDto {
  @ApiPropertyOptional({
    example: '2027-01-04T11:00:00Z',
    description: 'Where the occurrence goes instead (ISO 8601; UTC when no zone is given)',
  })
  @IsOptional()
  @IsString({ message: 'scheduled_timestamp must be a string' })
  scheduled_timestamp?: string;

  @ApiPropertyOptional({ example: 'No standup today: see you at the retro' })
  @IsOptional()
  @IsString({ message: 'message must be a string' })
  message?: string;
}

export class ListSeriesDto {
  @ApiPropertyOptional({ enum: SERIES_STATUSES })
  @IsOptional()
  @IsIn(SERIES_STATUSES, { message: `status must be one of ${SERIES_STATUSES.join(', ')}` })
  status?: (typeof SERIES_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Page size, 1 to 200 (50 by default)', example: 50 })
  @IsOptional()
  @Matches(/^\d{1,3}$/, { message: 'limit must be a whole number from 1 to 200' })
  limit?: string;

  @ApiPropertyOptional({ description: "The previous page's next_cursor" })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export class ListOccurrencesDto {
  @ApiPropertyOptional({
    description: 'How many past and how many upcoming occurrences, 1 to 200 (10 by default)',
    example: 10,
  })
  @IsOptional()
  @Matches(/^\d{1,3}$/, { message: 'limit must be a whole number from 1 to 200' })
  limit?: string;
}
