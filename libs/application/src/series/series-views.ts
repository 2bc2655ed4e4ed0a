import { recipientsByZone } from '../../../domain/src/series';
import type { MessageStatus } from '../ports/message-reader';
import type { RecordedOccurrence, SeriesRecord } from '../ports/series-reader';
import { type RuleSchedule, scheduleOf } from './series-rule';

/** Where an occurrence stands: planned (its message's status), still to come, skipped or missed. */
export type OccurrenceStatus = 'upcoming' | MessageStatus | 'skipped' | 'missed';

export interface OccurrenceView {
  /** The occurrence's nominal time, as the rule gives it. */
  readonly occurrenceAt: Date;
  /** Its local time in the series' zone. */
  readonly localTime: string | null;
  /**
   * When it goes (or went) out: its time, or where it was moved; at each recipient's local time,
   * when it goes out first (its earliest zone).
   */
  readonly scheduledAt: Date;
  readonly status: OccurrenceStatus;
  readonly messageId: string | null;
  readonly text: string;
  /** For a run of missed occurrences: how many, and the last. */
  readonly missedCount: number | null;
  readonly missedUntil: Date | null;
  /**
   * For a series at each recipient's local time: when the occurrence goes out in each zone its
   * recipients are in (the series' own included, named); null for a series at its own zone's time.
   */
  readonly zones: readonly ZoneView[] | null;
}

/** An occurrence in one zone. */
export interface ZoneView {
  readonly timeZone: string;
  readonly scheduledAt: Date;
  /** Its message once planned, and that message's status; upcoming before. */
  readonly messageId: string | null;
  readonly status: OccurrenceStatus;
  readonly recipients: readonly string[];
}

export interface SeriesView {
  readonly series: SeriesRecord;
  /** The rule in words, with its times and zone. */
  readonly description: string;
  /** What is still to go out, soonest first (none while paused or ended). */
  readonly nextOccurrences: readonly OccurrenceView[];
}

/** How many occurrences of the rule are looked at beyond the cursor for the upcoming ones. */
const LOOK_AHEAD_SLACK = 50;

/**
 * The occurrences still to go out: the latest planned one if its message waits, then what the rule
 * gives after it (skipped ones left out, moved or re-texted ones as they were changed), soonest
 * first. `recordedAhead` are the occurrences recorded from the cursor on.
 */
export function upcomingOccurrences(
  series: SeriesRecord,
  recordedAhead: readonly RecordedOccurrence[],
  limit: number,
  recipientZones: ReadonlyMap<string, string> = new Map(),
): OccurrenceView[] {
  if (series.status !== 'active') return [];
  const recorded = new Map(recordedAhead.map((row) => [row.occurrenceAt.getTime(), row]));
  const views: OccurrenceView[] = [];
  for (const row of recordedAhead) {
    const waiting =
      row.status === 'planned' &&
      (row.messageStatus === 'scheduled' ||
        row.zones.some((zone) => zone.messageStatus === 'scheduled'));
    if (waiting) views.push(viewOf(row, series));
  }
  const schedule = scheduleOf(
    { rrule: series.rrule, dtstart: series.dtstart, timeZone: series.timeZone },
    0,
  );
  for (const occurrence of schedule.following(series.cursor, limit + LOOK_AHEAD_SLACK)) {
    const at = new Date(occurrence.at);
    if (at <= series.notBefore) continue;
    const row = recorded.get(at.getTime());
    if (row && row.status !== 'changed') continue;
    const zones = series.atRecipientLocalTime
      ? upcomingZones(series, schedule, occurrence.local, row?.scheduledAt ?? null, recipientZones)
      : null;
    views.push({
      occurrenceAt: at,
      localTime: occurrence.local,
      scheduledAt: zones?.[0]?.scheduledAt ?? row?.scheduledAt ?? at,
      status: 'upcoming',
      messageId: null,
      text: row?.text ?? series.text,
      missedCount: null,
      missedUntil: null,
      zones,
    });
  }
  return views.sort((a, b) => a.scheduledAt.getTime() - b.scheduledAt.getTime()).slice(0, limit);
}

/** An occurrence as recorded, in the shape the API shows. */
export function viewOf(row: RecordedOccurrence, series: SeriesRecord): OccurrenceView {
  const status: OccurrenceStatus =
    row.status === 'planned'
      ? (row.messageStatus ?? 'scheduled')
      : row.status === 'changed'
        ? 'upcoming'
        : row.status;
  const firstZone = series.atRecipientLocalTime ? row.zones[0] : undefined;
  return {
    occurrenceAt: row.occurrenceAt,
    localTime: row.localTime,
    scheduledAt: firstZone?.scheduledAt ?? row.scheduledAt ?? row.occurrenceAt,
    status,
    messageId: row.messageId,
    text: row.text ?? series.text,
    missedCount: row.missedCount,
    missedUntil: row.missedUntil,
    zones: series.atRecipientLocalTime
      ? row.zones.map((zone) => ({
          timeZone: zone.zone ?? series.timeZone,
          scheduledAt: zone.scheduledAt,
          messageId: zone.messageId,
          status: zone.messageStatus ?? 'scheduled',
          recipients: zone.recipients,
        }))
      : null,
  };
}

/** Where an occurrence not planned yet will go out in each zone, as the recipients' zones are now. */
function upcomingZones(
  series: SeriesRecord,
  schedule: RuleSchedule,
  local: string,
  movedTo: Date | null,
  recipientZones: ReadonlyMap<string, string>,
): ZoneView[] {
  return recipientsByZone(series.targetUserIds, recipientZones, series.timeZone)
    .map(({ zone, recipients }) => ({
      timeZone: zone ?? series.timeZone,
      scheduledAt: movedTo ?? new Date(schedule.instantIn(local, zone ?? series.timeZone)),
      messageId: null,
      status: 'upcoming' as const,
      recipients,
    }))
    .sort((a, b) => a.scheduledAt.getTime() - b.scheduledAt.getTime());
}

export function describeSeries(series: SeriesRecord): string {
  return scheduleOf(
    { rrule: series.rrule, dtstart: series.dtstart, timeZone: series.timeZone },
    0,
  ).describe();
}
