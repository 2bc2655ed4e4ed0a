import { ApiProperty } from '@nestjs/swagger';
import { AppearanceResponse, toAppearanceResponse } from '../http/appearance.response';
import type {
  OccurrenceView,
  SeriesView,
  ZoneView,
} from '../../../../libs/application/src/series/series-views';
import type { SeriesRecord } from '../../../../libs/application/src/ports/series-reader';

export class SeriesResponse extends AppearanceResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: [String], description: 'Recipient user ids (empty for topics or everyone)' })
  target_user_id!: string[];

  @ApiProperty({
    type: [String],
    nullable: true,
    description:
      'The topics each occurrence is for (their names when given), resolved to their members when it falls due; null when none',
  })
  target_topic!: string[] | null;

  @ApiProperty({
    description: 'Whether each occurrence is for everyone subscribed when it falls due',
  })
  target_all!: boolean;

  @ApiProperty({ example: 'Weekly report is due today' })
  message!: string;

  @ApiProperty({
    type: [String],
    nullable: true,
    description:
      'Object keys of the attachments, stored once and sent with every occurrence; null when there are none',
  })
  file_paths!: string[] | null;

  @ApiProperty({ type: String, nullable: true })
  from_sender!: string | null;

  @ApiProperty({ example: 'FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=10;BYMINUTE=0' })
  rrule!: string;

  @ApiProperty({ example: '2027-01-04T10:00', description: 'Local date-time, no offset' })
  dtstart!: string;

  @ApiProperty({ example: 'Europe/Berlin' })
  time_zone!: string;

  @ApiProperty({
    description:
      "Each recipient gets each occurrence at the rule's local time in their own zone (the subscriber's time_zone; time_zone for those without one)",
  })
  at_recipient_local_time!: boolean;

  @ApiProperty({ enum: ['active', 'paused', 'ended'] })
  status!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['deleted', 'completed'],
    description: 'Why it ended; null while it has not',
  })
  end_reason!: string | null;

  @ApiProperty({
    description: 'The rule in words',
    example: 'every week on Monday, Friday at 10:00 (Europe/Berlin)',
  })
  description!: string;

  @ApiProperty({
    type: [String],
    description:
      'When the next occurrences go out (UTC ISO 8601), soonest first (at each recipient’s local time: when each first goes out, in its earliest zone); empty while paused or ended',
    example: ['2027-01-04T09:00:00.000Z', '2027-01-08T09:00:00.000Z'],
  })
  next_occurrences!: string[];

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class OccurrenceZoneResponse {
  @ApiProperty({ example: 'America/New_York' })
  time_zone!: string;

  @ApiProperty({ format: 'date-time', description: 'When it goes (or went) out there, UTC' })
  scheduled_timestamp!: string;

  @ApiProperty({
    enum: ['upcoming', 'scheduled', 'due', 'sent', 'cancelled', 'missed'],
    description: 'upcoming: not planned yet; else its message’s status',
  })
  status!: string;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  message_id!: string | null;

  @ApiProperty({ type: [String], description: 'The recipients in this zone' })
  target_user_id!: string[];
}

export class OccurrenceResponse {
  @ApiProperty({
    format: 'date-time',
    description:
      "The occurrence's nominal time, as the rule gives it (UTC); it names the occurrence",
  })
  occurrence_timestamp!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "Its local time in the series' zone",
    example: '2027-03-29T09:00:00',
  })
  local_time!: string | null;

  @ApiProperty({
    format: 'date-time',
    description:
      'When it goes (or went) out, UTC: its time, or where it was moved; at each recipient’s local time, when it goes out first (its earliest zone)',
  })
  scheduled_timestamp!: string;

  @ApiProperty({
    enum: ['upcoming', 'scheduled', 'due', 'sent', 'cancelled', 'skipped', 'missed'],
    description:
      'upcoming: not planned yet; scheduled, due, sent, cancelled: its message; skipped; missed: passed while the system was down, past the grace period',
  })
  status!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'Its message once planned (GET /messages/:id)',
  })
  message_id!: string | null;

  @ApiProperty()
  message!: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'For missed: how many occurrences were missed in a row, up to missed_until',
  })
  missed_count!: number | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  missed_until!: string | null;

  @ApiProperty({
    type: [OccurrenceZoneResponse],
    nullable: true,
    description:
      'For a series at each recipient’s local time: the occurrence in each zone its recipients are in, soonest first (one message per zone); null otherwise',
  })
  zones!: OccurrenceZoneResponse[] | null;
}

export function toSeriesResponse(view: SeriesView): SeriesResponse {
  return {
    ...seriesFields(view.series),
    description: view.description,
    next_occurrences: view.nextOccurrences.map((next) => next.scheduledAt.toISOString()),
  };
}

export function seriesFields(
  series: SeriesRecord,
): Omit<SeriesResponse, 'description' | 'next_occurrences'> {
  return {
    id: series.id,
    target_user_id: [...series.targetUserIds],
    target_topic:
      series.audience?.kind === 'topics' ? series.audience.topics.map((topic) => topic.name) : null,
    target_all: series.audience?.kind === 'all',
    message: series.text,
    file_paths:
      series.attachments.length > 0
        ? series.attachments.map((attachment) => attachment.objectKey)
        : null,
    from_sender: series.fromSender,
    rrule: series.rrule,
    dtstart: series.dtstart,
    time_zone: series.timeZone,
    at_recipient_local_time: series.atRecipientLocalTime,
    ...toAppearanceResponse(series.sendOptions, series.buttons),
    status: series.status,
    end_reason: series.endReason,
    created_at: series.createdAt.toISOString(),
    updated_at: series.updatedAt.toISOString(),
  };
}

export function toOccurrenceResponse(view: OccurrenceView): OccurrenceResponse {
  return {
    occurrence_timestamp: view.occurrenceAt.toISOString(),
    local_time: view.localTime,
    scheduled_timestamp: view.scheduledAt.toISOString(),
    status: view.status,
    message_id: view.messageId,
    message: view.text,
    missed_count: view.missedCount,
    missed_until: view.missedUntil?.toISOString() ?? null,
    zones: view.zones?.map(toZoneResponse) ?? null,
  };
}

function toZoneResponse(zone: ZoneView): OccurrenceZoneResponse {
  return {
    time_zone: zone.timeZone,
    scheduled_timestamp: zone.scheduledAt.toISOString(),
    status: zone.status,
    message_id: zone.messageId,
    target_user_id: [...zone.recipients],
  };
}
