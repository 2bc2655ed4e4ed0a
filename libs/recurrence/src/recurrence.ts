import { DateTime, IANAZone } from 'luxon';
import { Frequency, type Options, RRule, rrulestr } from 'rrule';

/** Why a recurrence is refused; stable, for the API to answer with. */
export type RecurrenceErrorCode =
  | 'INVALID_RRULE'
  | 'UNSUPPORTED_RRULE'
  | 'RRULE_TOO_FREQUENT'
  | 'UNKNOWN_TIME_ZONE'
  | 'INVALID_DTSTART'
  | 'COUNT_AND_UNTIL'
  | 'UNTIL_BEFORE_START'
  | 'RULE_NEVER_FIRES';

export class RecurrenceError extends Error {
  constructor(
    readonly code: RecurrenceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RecurrenceError';
  }
}

/** One occurrence: its instant, its local wall-clock time, its place in the rule's sequence from 0. */
export interface Occurrence {
  readonly at: string;
  readonly local: string;
  readonly index: number;
}

export interface RecurrenceSpec {
  /** RFC 5545 RRULE, without the `RRULE:` prefix: `FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=10;BYMINUTE=0`. */
  readonly rrule: string;
  /** The first local date-time, without an offset: `2027-01-04T09:00` (seconds optional). */
  readonly dtstart: string;
  /** An IANA time zone: `Europe/Berlin`. */
  readonly timeZone: string;
}

const SUPPORTED = new Set([
  'FREQ',
  'INTERVAL',
  'BYDAY',
  'BYMONTHDAY',
  'BYMONTH',
  'BYHOUR',
  'BYMINUTE',
  'BYSETPOS',
  'COUNT',
  'UNTIL',
  'WKST',
]);
const FREQUENCIES = ['MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'];
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
/** How many occurrences are looked at to find how often a rule fires. */
const FREQUENCY_SAMPLE = 200;

/**
 * A recurrence rule in a real time zone. The rule (rrule) is evaluated on local wall-clock times,
 * as RFC 5545 evaluates a rule whose DTSTART has a TZID (BYHOUR=9 means nine o'clock local, summer
 * and winter); each local time then becomes an instant with the zone's offsets (luxon's IANA zone
 * data), the RFC's way: a local time in a spring-forward gap takes the offset before the gap
 * (02:30 becomes 03:30 summer time), an ambiguous one in the fall-back hour is the first of the
 * two.
 */
export class Recurrence {
  private constructor(
    private readonly rule: RRule,
    private readonly options: Partial<Options>,
    private readonly zone: IANAZone,
    readonly spec: RecurrenceSpec,
  ) {}

  static parse(spec: RecurrenceSpec, limits: { readonly minIntervalMinutes: number }): Recurrence {
    const zone = IANAZone.create(spec.timeZone);
    if (!zone.isValid) {
      throw new RecurrenceError('UNKNOWN_TIME_ZONE', `Unknown time zone '${spec.timeZone}'`);
    }
    const start = parseLocal(spec.dtstart);
    const parts = parseParts(spec.rrule);
    const options = ruleOptions(spec.rrule, start, parts, zone);
    const rule = new RRule(options);
    const recurrence = new Recurrence(rule, options, zone, spec);
    const first = recurrence.next(new Date(instantOf(start, zone).getTime() - 1), 1)[0];
    if (!first) throw new RecurrenceError('RULE_NEVER_FIRES', 'The rule never fires');
    // A rule accepted before (planning, showing) is not checked again: no minimum, no walk.
    if (limits.minIntervalMinutes > 0) recurrence.checkFrequency(first, limits.minIntervalMinutes);
    return recurrence;
  }

  /** Up to `limit` occurrences strictly after `after`, as instants, soonest first. */
  next(after: Date, limit: number): Date[] {
    const occurrences: Date[] = [];
    // From the local time of `after`, less a day: a local time may map to an earlier instant
    // (the first of an ambiguous hour).
    const from = new Date(localOf(after, this.zone).getTime() - 86_400_000);
    this.rule.between(from, new Date(Date.UTC(9999, 0, 1)), true, (local) => {
      const instant = instantOf(local, this.zone);
      const previous = occurrences.at(-1);
      // Two local times can be one instant: 02:30 in a gap is 03:30's instant.
      if (instant > after && (!previous || instant > previous)) occurrences.push(instant);
      return occurrences.length < limit;
    });
    return occurrences;
  }

  /**
   * Up to `limit` occurrences after `cursor` (an occurrence this rule gave; null: from the first),
   * soonest first, each with its local time and its place in the sequence. The walk starts at the
   * cursor, not at dtstart: the rule restarted on the cursor's local time has the same occurrences
   * from there on (an occurrence keeps every part the rule takes from dtstart: its weekday, day,
   * hour, minute; and lies in a period INTERVAL allows), with COUNT less those before it. So the
   * cost of the next occurrence does not grow with how long the series has run.
   */
  following(cursor: Occurrence | null, limit: number): Occurrence[] {
    const rule = cursor ? this.restartedAt(cursor) : this.rule;
    if (!rule) return [];
    const from = cursor ? parseLocal(cursor.local).getTime() : -Infinity;
    const after = cursor ? new Date(cursor.at).getTime() : -Infinity;
    const firstIndex = cursor ? cursor.index : 0;
    const occurrences: Occurrence[] = [];
    let last = after;
    rule.all((local, n) => {
      if (local.getTime() > from) {
        const instant = instantOf(local, this.zone).getTime();
        // Two local times can be one instant (02:30 in a gap is 03:30's): the first stands.
        if (instant > last) {
          occurrences.push({
            at: new Date(instant).toISOString(),
            local: local.toISOString().slice(0, 19),
            index: firstIndex + n,
          });
          last = instant;
        }
      }
      return occurrences.length < limit;
    });
    return occurrences;
  }

  /**
   * True when the rule keeps a time of day (FREQ=DAILY or coarser): only such a rule means the
   * same thing at each recipient's local time. Hourly and minutely rules tick through every zone
   * at once.
   */
  get keepsTimeOfDay(): boolean {
    return (this.options.freq ?? Frequency.DAILY) <= Frequency.DAILY;
  }

  /** The rule in words, with its local times and zone: "every week on Monday, Friday at 10:00 (Europe/Berlin)". */
  describe(): string {
    const text = this.rule.toText().replace(/ at \d+((, | and )\d+)*/, '');
    const daily = (this.options.freq ?? Frequency.DAILY) <= Frequency.DAILY;
    const times = daily
      ? [...new Set(this.following(null, 20).map((occurrence) => occurrence.local.slice(11, 16)))]
      : [];
    const at = times.length > 0 && times.length <= 4 ? ` at ${times.sort().join(', ')}` : '';
    const tail = /( for \d+ times?| until .*)$/.exec(text);
    const head = tail ? text.slice(0, tail.index) : text;
    return `${head}${at}${tail ? tail[0] : ''} (${this.spec.timeZone})`;
  }

  /** The rule from the cursor's local time on, with what is left of COUNT; none when COUNT is used up. */
  private restartedAt(cursor: Occurrence): RRule | undefined {
    const count = this.options.count;
    if (count !== null && count !== undefined && count - cursor.index <= 1) return undefined;
    return new RRule({
      ...this.options,
      dtstart: parseLocal(cursor.local),
      ...(count !== null && count !== undefined ? { count: count - cursor.index } : {}),
    });
  }

  private checkFrequency(first: Date, minIntervalMinutes: number): void {
    const sample = [first, ...this.next(first, FREQUENCY_SAMPLE)];
    for (let n = 1; n < sample.length; n++) {
      const minutes = (sample[n]!.getTime() - sample[n - 1]!.getTime()) / 60_000;
      if (minutes < minIntervalMinutes) {
        throw new RecurrenceError(
          'RRULE_TOO_FREQUENT',
          `The rule fires ${minutes} minutes apart; at least ${minIntervalMinutes} minutes are allowed`,
        );
      }
    }
  }
}

/** A local date-time as a "floating" Date: its UTC fields are the wall clock's. */
function parseLocal(text: string): Date {
  const parsed = LOCAL_DATE_TIME.test(text) ? DateTime.fromISO(text, { zone: 'utc' }) : undefined;
  if (!parsed?.isValid) {
    throw new RecurrenceError(
      'INVALID_DTSTART',
      `dtstart must be a local date-time without an offset, like 2027-01-04T09:00; got '${text}'`,
    );
  }
  return parsed.toJSDate();
}

function parseParts(rrule: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const part of rrule.replace(/^RRULE:/i, '').split(';')) {
    const [name, value] = part.split('=');
    if (!name || value === undefined || value === '') {
      throw new RecurrenceError('INVALID_RRULE', `Cannot read the rule part '${part}'`);
    }
    const key = name.toUpperCase();
    if (!SUPPORTED.has(key)) {
      throw new RecurrenceError('UNSUPPORTED_RRULE', `The rule part ${key} is not supported`);
    }
    parts.set(key, value.toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (!freq) throw new RecurrenceError('INVALID_RRULE', 'The rule needs a FREQ');
  if (!FREQUENCIES.includes(freq)) {
    throw new RecurrenceError('UNSUPPORTED_RRULE', `FREQ=${freq} is not supported`);
  }
  if (parts.has('COUNT') && parts.has('UNTIL')) {
    throw new RecurrenceError('COUNT_AND_UNTIL', 'A rule takes COUNT or UNTIL, not both');
  }
  return parts;
}

function ruleOptions(
  rrule: string,
  start: Date,
  parts: ReadonlyMap<string, string>,
  zone: IANAZone,
): Partial<Options> {
  let parsed: Partial<Options>;
  try {
    parsed = rrulestr(rrule.replace(/^RRULE:/i, ''), { dtstart: start }).origOptions;
  } catch (error) {
    throw new RecurrenceError(
      'INVALID_RRULE',
      `Cannot read the rule: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const options: Partial<Options> = { ...parsed, dtstart: start, tzid: null };
  const until = parts.get('UNTIL');
  if (until !== undefined && options.until) {
    // A UTC UNTIL (…Z) is an instant: the rule runs on local times, so it becomes the local
    // time it is in the zone. One without Z is a local time already.
    const local = until.endsWith('Z') ? localOf(options.until, zone) : options.until;
    if (local < start) throw new RecurrenceError('UNTIL_BEFORE_START', 'UNTIL is before dtstart');
    options.until = local;
  }
  if (options.freq === Frequency.SECONDLY) {
    throw new RecurrenceError('UNSUPPORTED_RRULE', 'FREQ=SECONDLY is not supported');
  }
  return options;
}

/**
 * The IANA zone a name stands for, spelled as the zone database spells it (`europe/berlin` is
 * `Europe/Berlin`; an alias such as `US/Eastern` stays as given); null for a name no zone has.
 */
export function timeZoneNamed(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 64 || !IANAZone.isValidZone(trimmed)) return null;
  const canonical = new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions()
    .timeZone;
  if (canonical.toLowerCase() === trimmed.toLowerCase()) return canonical;
  // Another name of the zone (the platform's data answers Asia/Calcutta for Asia/Kolkata): kept
  // as given, in the usual letter case when given all in small letters.
  return trimmed === trimmed.toLowerCase()
    ? trimmed.replace(
        /(^|[/_-])([a-z])/g,
        (_match, before: string, letter: string) => `${before}${letter.toUpperCase()}`,
      )
    : trimmed;
}

/**
 * The instant (UTC ISO 8601) of a local wall-clock time (`2027-03-28T09:00:00`) in a zone, by the
 * RFC 5545 rules the rules themselves use (see instantOf).
 */
export function instantInZone(local: string, timeZone: string): string {
  const zone = IANAZone.create(timeZone);
  if (!zone.isValid)
    throw new RecurrenceError('UNKNOWN_TIME_ZONE', `Unknown time zone '${timeZone}'`);
  return instantOf(parseLocal(local), zone).toISOString();
}

/** The wall clock of an instant in the zone, as a floating Date. */
function localOf(instant: Date, zone: IANAZone): Date {
  return new Date(instant.getTime() + zone.offset(instant.getTime()) * 60_000);
}

/**
 * The instant of a local time in the zone, RFC 5545's way: of the offsets in force around it
 * (a day before and after), those that give back this local time; none (a gap): the offset
 * before the gap; two (the fall-back hour): the earlier instant.
 */
function instantOf(local: Date, zone: IANAZone): Date {
  const wall = local.getTime();
  const before = zone.offset(wall - 86_400_000);
  const after = zone.offset(wall + 86_400_000);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset * 60_000)
    .filter((instant) => instant + zone.offset(instant) * 60_000 === wall)
    .sort((a, b) => a - b);
  return new Date(candidates[0] ?? wall - before * 60_000);
}
