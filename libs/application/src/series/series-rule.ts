import { DomainError, DomainErrorCode } from '../../../domain/src/errors';
import type { SeriesRule } from '../../../domain/src/events';
import type { OccurrenceSchedule } from '../../../domain/src/series';
import {
  instantInZone,
  Recurrence,
  RecurrenceError,
  type RecurrenceErrorCode,
} from '../../../recurrence/src/recurrence';

const CODES: Record<RecurrenceErrorCode, DomainErrorCode> = {
  INVALID_RRULE: DomainErrorCode.InvalidRrule,
  UNSUPPORTED_RRULE: DomainErrorCode.UnsupportedRrule,
  RRULE_TOO_FREQUENT: DomainErrorCode.RruleTooFrequent,
  UNKNOWN_TIME_ZONE: DomainErrorCode.UnknownTimeZone,
  INVALID_DTSTART: DomainErrorCode.InvalidDtstart,
  COUNT_AND_UNTIL: DomainErrorCode.CountAndUntil,
  UNTIL_BEFORE_START: DomainErrorCode.UntilBeforeStart,
  RULE_NEVER_FIRES: DomainErrorCode.RuleNeverFires,
};

const FIELDS: Partial<Record<RecurrenceErrorCode, string>> = {
  UNKNOWN_TIME_ZONE: 'time_zone',
  INVALID_DTSTART: 'dtstart',
};

/**
 * A series' rule, evaluated by the recurrence library; what it refuses becomes a domain error with
 * the same code. `minIntervalMinutes` is checked for a rule a client gives (a rule stored before
 * a stricter setting is still planned as it was accepted: pass 0).
 */
export function scheduleOf(rule: SeriesRule, minIntervalMinutes: number): RuleSchedule {
  try {
    return new RuleSchedule(
      Recurrence.parse(
        { rrule: rule.rrule, dtstart: rule.dtstart, timeZone: rule.timeZone },
        { minIntervalMinutes },
      ),
    );
  } catch (error) {
    if (error instanceof RecurrenceError) {
      throw new DomainError(CODES[error.code], error.message, {
        field: FIELDS[error.code] ?? 'rrule',
      });
    }
    throw error;
  }
}

export class RuleSchedule implements OccurrenceSchedule {
  constructor(private readonly recurrence: Recurrence) {}

  following: OccurrenceSchedule['following'] = (cursor, limit) =>
    this.recurrence.following(cursor, limit);

  instantIn: OccurrenceSchedule['instantIn'] = (local, zone) => instantInZone(local, zone);

  /** See Recurrence.keepsTimeOfDay. */
  get keepsTimeOfDay(): boolean {
    return this.recurrence.keepsTimeOfDay;
  }

  /** The rule in words, with its times and zone. */
  describe(): string {
    return this.recurrence.describe();
  }
}
