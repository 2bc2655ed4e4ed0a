import { DomainError, DomainErrorCode } from './errors';
import {
  type Attachment,
  type Audience,
  type ButtonRows,
  DEFAULT_SEND_OPTIONS,
  type MessageSendOptions,
  type Occurrence,
  type OccurrencePlanned,
  type OccurrencesMissed,
  type SeriesEvent,
  type SeriesRule,
} from './events';
import type { ParseMode } from './formatting';
import { sameValue } from './same-value';
import {
  type AttachmentLimits,
  type RecipientStatus,
  senderLabel,
  validButtons,
  validSendOptions,
  validateAttachments,
  validateRecipients,
  textLimitOf,
  validateText,
} from './scheduled-message';

/**
 * A recurring series: a text, recipients and files sent at every occurrence of a rule. The series
 * never sends anything itself: it plans its occurrences one at a time, each as an ordinary message
 * (OccurrencePlanned names the message; the application schedules it), so that delivery, pacing,
 * cancel and audit have one path. Planning is lazy: the next occurrence is planned when the one
 * before it comes (or when the series is created, changed or resumed), never the whole future.
 */

/**
 * The rule, evaluated: the occurrences after a given one. Supplied by the application (from the
 * RRULE and the zone's data), so the decider stays pure and the rule's arithmetic stays in a
 * library made for it.
 */
export interface OccurrenceSchedule {
  /** Up to `limit` occurrences after `cursor` (null: from the first), soonest first. */
  following(cursor: Occurrence | null, limit: number): readonly Occurrence[];
  /**
   * The instant of a local wall-clock time (`2027-03-28T09:00:00`) in another zone, by the same
   * rules as the series' own (a time in a gap takes the offset before it, an ambiguous one the
   * first): a series at each recipient's local time sends the occurrence's local time there.
   */
  instantIn(local: string, zone: string): string;
}

/** A planned occurrence whose message may still be waiting for its time. */
export interface PlannedOccurrence {
  readonly occurrence: Occurrence;
  readonly messageId: string;
  readonly scheduledAt: string;
  readonly text: string;
  /** The recipients' zone this message is for (null: the series' zone). */
  readonly zone: string | null;
  /** Its recipients, when only some of the series' (a zone's); null: all of them. */
  readonly recipients: readonly string[] | null;
}

export type SeriesStatus = 'active' | 'paused' | 'ended';

export type SeriesState =
  | { readonly status: 'none' }
  | {
      readonly status: SeriesStatus;
      readonly seriesId: string;
      readonly recipients: readonly string[];
      readonly text: string;
      readonly attachments: readonly Attachment[];
      readonly fromSender: string | null;
      readonly rule: SeriesRule;
      /** Each recipient at the rule's local time in their own zone (see SeriesCreated). */
      readonly atRecipientLocalTime: boolean;
      /** Topics or everyone, resolved when each occurrence is due; null: the ids in `recipients`. */
      readonly audience: Audience | null;
      /** How Telegram shows each occurrence, and its buttons. */
      readonly sendOptions: MessageSendOptions;
      readonly buttons: ButtonRows;
      /** The latest occurrence planning has passed (planned, or missed); null: none yet. */
      readonly cursor: Occurrence | null;
      /** When the occurrence after the cursor is to be planned (the cursor's earliest instant). */
      readonly planNextAt: string | null;
      /** Occurrences at or before this instant are passed over without a word (created, resumed, rule changed). */
      readonly notBefore: string;
      /** Planned messages that may still be pending: what pausing, ending or a change lets go of. */
      readonly planned: readonly PlannedOccurrence[];
      /** Future occurrences (nominal instants) skipped before they were planned. */
      readonly skipped: readonly string[];
      /** Future occurrences moved before they were planned: nominal instant → the new time. */
      readonly moved: Readonly<Record<string, string>>;
      /** Future occurrences given their own text: nominal instant → text. */
      readonly texts: Readonly<Record<string, string>>;
      /** The messages the latest event let go of: a retried request cancels them again. */
      readonly released: readonly string[];
    };

export type Series = Exclude<SeriesState, { status: 'none' }>;

export const initialSeriesState: SeriesState = { status: 'none' };

/** What planning needs besides the state: the time, the rule evaluated, and new message ids. */
export interface Planning {
  readonly now: Date;
  readonly schedule: OccurrenceSchedule;
  /** How late an occurrence found after downtime may still be sent. */
  readonly graceMs: number;
  readonly newMessageId: () => string;
  /**
   * The recipients' own zones, for a series at each recipient's local time: recipient → IANA
   * zone, for those who have one (the others keep the series' zone).
   */
  readonly recipientZones: ReadonlyMap<string, string>;
}

export interface SeriesLimits extends AttachmentLimits {
  readonly maxRecipients: number;
}

export interface CreateSeries extends Planning {
  readonly type: 'CreateSeries';
  readonly seriesId: string;
  readonly recipients: readonly string[];
  readonly text: string;
  readonly attachments: readonly Attachment[];
  readonly fromSender: string | null;
  readonly rule: SeriesRule;
  readonly atRecipientLocalTime: boolean;
  /** Topics or everyone instead of `recipients` (then empty). */
  readonly audience?: Audience | null;
  /** How Telegram shows each occurrence, and its buttons; the defaults and none when not given. */
  readonly sendOptions?: MessageSendOptions;
  readonly buttons?: ButtonRows;
  readonly owner: string;
  readonly recipientStatus: ReadonlyMap<string, RecipientStatus>;
  readonly limits: SeriesLimits;
}

/** Changes from now on; a field left undefined stays as it is. */
export interface ChangeSeries extends Planning {
  readonly type: 'ChangeSeries';
  readonly seriesId: string;
  readonly recipients?: readonly string[];
  readonly text?: string;
  /** The rule, start and zone as they are to be (the schedule evaluates this one). */
  readonly rule?: SeriesRule;
  readonly atRecipientLocalTime?: boolean;
  /**
   * Who it is for from now on, with `recipients`: an audience (recipients empty), or null for the
   * ids in `recipients`. Undefined: as it is, unless `recipients` are given (then null).
   */
  readonly audience?: Audience | null;
  /** The send options given (the others as they are), and the buttons as they are to be. */
  readonly sendOptions?: Partial<MessageSendOptions>;
  readonly buttons?: ButtonRows;
  readonly recipientStatus: ReadonlyMap<string, RecipientStatus>;
  readonly limits: SeriesLimits;
}

/** Plans the next occurrence when the last one planned has come. */
export interface PlanSeries extends Planning {
  readonly type: 'PlanSeries';
  readonly seriesId: string;
}

export interface PauseSeries {
  readonly type: 'PauseSeries';
  readonly seriesId: string;
}

export interface ResumeSeries extends Planning {
  readonly type: 'ResumeSeries';
  readonly seriesId: string;
}

export interface EndSeries {
  readonly type: 'EndSeries';
  readonly seriesId: string;
}

/** One occurrence, named by its nominal instant. */
interface OneOccurrence extends Planning {
  readonly seriesId: string;
  readonly occurrenceAt: Date;
}

export interface SkipOccurrence extends OneOccurrence {
  readonly type: 'SkipOccurrence';
}

export interface MoveOccurrence extends OneOccurrence {
  readonly type: 'MoveOccurrence';
  readonly scheduledAt: Date;
}

export interface EditOccurrence extends OneOccurrence {
  readonly type: 'EditOccurrence';
  readonly text: string;
}

export type SeriesCommand =
  | CreateSeries
  | ChangeSeries
  | PlanSeries
  | PauseSeries
  | ResumeSeries
  | EndSeries
  | SkipOccurrence
  | MoveOccurrence
  | EditOccurrence;

/** How many occurrences planning looks at in one step of its walk. */
const WALK_STEP = 100;
/** How far ahead (in occurrences) one occurrence may be named to skip, move or edit. */
const MAX_OCCURRENCES_AHEAD = 1000;

export function decideSeries(command: SeriesCommand, state: SeriesState): SeriesEvent[] {
  switch (command.type) {
    case 'CreateSeries':
      return create(command, state);
    case 'ChangeSeries':
      return change(command, requireOpen(command.seriesId, state));
    case 'PlanSeries': {
      const series = requireSeries(command.seriesId, state);
      return series.status === 'active' ? planAhead(series, command) : [];
    }
    case 'PauseSeries': {
      const series = requireOpen(command.seriesId, state);
      if (series.status === 'paused') return [];
      return [
        {
          type: 'SeriesPaused',
          data: { seriesId: series.seriesId, released: pendingMessages(series) },
        },
      ];
    }
    case 'ResumeSeries': {
      const series = requireOpen(command.seriesId, state);
      if (series.status === 'active') return [];
      const now = command.now.toISOString();
      const planNextAt = series.planNextAt ?? series.cursor?.at;
      const resumed: SeriesEvent = {
        type: 'SeriesResumed',
        data: {
          seriesId: series.seriesId,
          resumedAt: now,
          nextPlanningAt: planNextAt !== undefined && planNextAt > now ? planNextAt : now,
        },
      };
      return [resumed, ...planAhead(evolveSeries(series, resumed) as Series, command)];
    }
    case 'EndSeries': {
      const series = requireSeries(command.seriesId, state);
      if (series.status === 'ended') return [];
      return [
        {
          type: 'SeriesEnded',
          data: {
            seriesId: series.seriesId,
            reason: 'deleted',
            released: pendingMessages(series),
          },
        },
      ];
    }
    case 'SkipOccurrence':
    case 'MoveOccurrence':
    case 'EditOccurrence':
      return changeOne(command, requireOpen(command.seriesId, state));
  }
}

function create(command: CreateSeries, state: SeriesState): SeriesEvent[] {
  if (state.status !== 'none') {
    throw new DomainError(
      DomainErrorCode.SeriesAlreadyExists,
      `Series ${command.seriesId} exists already`,
      { seriesId: command.seriesId },
    );
  }
  const audience = command.audience ?? null;
  const sendOptions = validSendOptions(command.sendOptions ?? DEFAULT_SEND_OPTIONS);
  validateContent(
    command.text,
    sendOptions.parseMode,
    textLimitOf(command.attachments, sendOptions, command.buttons ?? []),
    command.recipients,
    audience,
    command.recipientStatus,
    command.limits,
  );
  validateTarget(audience, command.atRecipientLocalTime);
  validateAttachments(command.attachments, command.limits);
  const created: SeriesEvent = {
    type: 'SeriesCreated',
    data: {
      seriesId: command.seriesId,
      recipients: [...command.recipients],
      text: command.text,
      attachments: command.attachments.map((attachment) => ({ ...attachment })),
      fromSender: senderLabel(command.fromSender),
      rule: { ...command.rule },
      createdAt: command.now.toISOString(),
      owner: command.owner,
      atRecipientLocalTime: command.atRecipientLocalTime,
      audience,
      sendOptions,
      buttons: validButtons(command.buttons ?? []),
    },
  };
  return [created, ...planAhead(evolveSeries(initialSeriesState, created) as Series, command)];
}

function change(command: ChangeSeries, series: Series): SeriesEvent[] {
  const recipients = command.recipients ?? series.recipients;
  const audience =
    command.audience !== undefined
      ? command.audience
      : command.recipients !== undefined
        ? null
        : series.audience;
  const text = command.text ?? series.text;
  const rule = command.rule ?? series.rule;
  const sendOptions = command.sendOptions
    ? validSendOptions({ ...series.sendOptions, ...command.sendOptions })
    : series.sendOptions;
  const buttons = command.buttons ? validButtons(command.buttons) : series.buttons;
  const textLimit = textLimitOf(series.attachments, sendOptions, buttons);
  // What is given is checked (a text in its parse mode and its room, old or new: an option or the
  // buttons may make the text an album's caption); recipients kept as they are may have
  // unsubscribed since, and delivery records that for each occurrence.
  if (command.text !== undefined || command.sendOptions || command.buttons !== undefined) {
    validateText(text, sendOptions.parseMode, textLimit);
  }
  if (command.recipients !== undefined || command.audience !== undefined) {
    validateContent(
      text,
      sendOptions.parseMode,
      textLimit,
      recipients,
      audience,
      command.recipientStatus,
      command.limits,
    );
  }
  const atRecipientLocalTime = command.atRecipientLocalTime ?? series.atRecipientLocalTime;
  validateTarget(audience, atRecipientLocalTime);
  // Where each recipient's occurrence falls is part of the rule: a change of it starts over.
  const ruleChanged =
    rule.rrule !== series.rule.rrule ||
    rule.dtstart !== series.rule.dtstart ||
    rule.timeZone !== series.rule.timeZone ||
    atRecipientLocalTime !== series.atRecipientLocalTime;
  // Occurrences given a text of their own go out with the new options too (a new rule starts
  // over without them).
  if (!ruleChanged && (command.sendOptions || command.buttons !== undefined)) {
    for (const own of Object.values(series.texts))
      validateText(own, sendOptions.parseMode, textLimit);
  }
  // How the occurrences look is part of their content, as their text is.
  const textChanged =
    text !== series.text ||
    !sameValue(sendOptions, series.sendOptions) ||
    !sameValue(buttons, series.buttons);
  const recipientsChanged =
    recipients.join('\n') !== series.recipients.join('\n') || !sameValue(audience, series.audience);
  if (!ruleChanged && !textChanged && !recipientsChanged) return [];
  const now = command.now.getTime();
  // Planned messages not yet due are let go of and planned again as the series is now.
  const released = series.planned.filter(
    (planned) => new Date(planned.scheduledAt).getTime() > now,
  );
  const changed: SeriesEvent = {
    type: 'SeriesChanged',
    data: {
      seriesId: series.seriesId,
      recipients: [...recipients],
      text,
      rule: { ...rule },
      ruleChanged,
      atRecipientLocalTime,
      audience,
      sendOptions,
      buttons,
      changedAt: command.now.toISOString(),
      released: released.map((planned) => planned.messageId),
    },
  };
  const after = evolveSeries(series, changed) as Series;
  if (after.status !== 'active') return [changed];
  // With the same rule, the occurrences let go of come back with the new text or recipients;
  // with a new rule, planning starts over from now.
  const releasedOccurrences = [
    ...new Map(released.map((planned) => [planned.occurrence.at, planned.occurrence])).values(),
  ];
  const replanned = ruleChanged
    ? []
    : releasedOccurrences.flatMap((occurrence) =>
        replannedEvents(after, series, occurrence, command),
      );
  const withReplanned = replanned.reduce<Series>(
    (state, event) => evolveSeries(state, event) as Series,
    after,
  );
  return [changed, ...replanned, ...planAhead(withReplanned, command)];
}

/** Skip, move or edit one occurrence not yet due. */
function changeOne(
  command: SkipOccurrence | MoveOccurrence | EditOccurrence,
  series: Series,
): SeriesEvent[] {
  const at = command.occurrenceAt.toISOString();
  if (command.occurrenceAt.getTime() <= command.now.getTime()) {
    throw new DomainError(
      DomainErrorCode.OccurrencePassed,
      `The occurrence at ${at} has passed: only a future occurrence can change`,
      { occurrenceAt: at },
    );
  }
  const ofOccurrence = series.planned.filter((entry) => entry.occurrence.at === at);
  const occurrence = ofOccurrence[0]?.occurrence ?? findOccurrence(series, command.schedule, at);
  if (series.skipped.includes(at)) {
    throw new DomainError(
      DomainErrorCode.OccurrencePassed,
      `The occurrence at ${at} is skipped already`,
      { occurrenceAt: at },
    );
  }
  // A zone whose time came before the nominal one may be sent already: it stays as it went.
  const now = command.now.getTime();
  const released = ofOccurrence
    .filter((entry) => new Date(entry.scheduledAt).getTime() > now)
    .map((entry) => entry.messageId);
  const planned = ofOccurrence.length > 0;
  switch (command.type) {
    case 'SkipOccurrence':
      return [
        {
          type: 'OccurrenceSkipped',
          data: { seriesId: series.seriesId, occurrenceAt: at, released },
        },
      ];
    case 'MoveOccurrence': {
      if (command.scheduledAt.getTime() <= command.now.getTime()) {
        throw new DomainError(
          DomainErrorCode.InvalidTimestamp,
          'scheduled_timestamp must be in the future',
          { field: 'scheduled_timestamp' },
        );
      }
      const moved: SeriesEvent = {
        type: 'OccurrenceMoved',
        data: {
          seriesId: series.seriesId,
          occurrenceAt: at,
          scheduledAt: command.scheduledAt.toISOString(),
          released,
        },
      };
      return [moved, ...replan(series, moved, planned, occurrence, command)];
    }
    case 'EditOccurrence': {
      validateText(
        command.text,
        series.sendOptions.parseMode,
        textLimitOf(series.attachments, series.sendOptions, series.buttons),
      );
      const edited: SeriesEvent = {
        type: 'OccurrenceEdited',
        data: { seriesId: series.seriesId, occurrenceAt: at, text: command.text, released },
      };
      return [edited, ...replan(series, edited, planned, occurrence, command)];
    }
  }
}

/** A planned occurrence that changed is planned again as it is now (the old messages are let go). */
function replan(
  series: Series,
  event: SeriesEvent,
  planned: boolean,
  occurrence: Occurrence,
  planning: Planning,
): SeriesEvent[] {
  if (!planned || series.status !== 'active') return [];
  return replannedEvents(evolveSeries(series, event) as Series, series, occurrence, planning);
}

/**
 * An occurrence planned again after a change (`after`): for the recipients whose message was let
 * go of, never for those whose message for it is due already (`before` tells which those are),
 * and only where its time is still to come.
 */
function replannedEvents(
  after: Series,
  before: Series,
  occurrence: Occurrence,
  planning: Planning,
): OccurrencePlanned[] {
  const now = planning.now.getTime();
  const due = before.planned.filter(
    (entry) =>
      entry.occurrence.at === occurrence.at && new Date(entry.scheduledAt).getTime() <= now,
  );
  const served = new Set(due.flatMap((entry) => entry.recipients ?? before.recipients));
  return plannedEvents(after, occurrence, planning, {
    replanned: true,
    after: now,
    served,
  });
}

/** The occurrence at `at`, if the rule has one there, at most MAX_OCCURRENCES_AHEAD ahead. */
function findOccurrence(series: Series, schedule: OccurrenceSchedule, at: string): Occurrence {
  const target = new Date(at).getTime();
  let cursor = series.cursor;
  for (let looked = 0; looked < MAX_OCCURRENCES_AHEAD; looked += WALK_STEP) {
    const next = schedule.following(cursor, WALK_STEP);
    for (const occurrence of next) {
      const time = new Date(occurrence.at).getTime();
      if (time === target) return occurrence;
      if (time > target) return notAnOccurrence(at);
    }
    if (next.length < WALK_STEP) break;
    cursor = next.at(-1) ?? cursor;
  }
  return notAnOccurrence(at);
}

function notAnOccurrence(at: string): never {
  throw new DomainError(
    DomainErrorCode.OccurrenceNotFound,
    `The series has no upcoming occurrence at ${at} (within its next ${MAX_OCCURRENCES_AHEAD})`,
    { occurrenceAt: at },
  );
}

/**
 * Plans what is due to be planned: nothing while the latest planned occurrence is still ahead;
 * else the next occurrence. Occurrences that passed while nothing planned them (downtime) are not
 * sent in a burst: the latest of them is sent at once if it is within the grace period, the
 * others are recorded as missed, in one event.
 */
function planAhead(series: Series, planning: Planning): SeriesEvent[] {
  const now = planning.now.getTime();
  const cursor = series.cursor;
  const planNextAt = series.planNextAt ?? cursor?.at;
  if (cursor && planNextAt !== undefined && new Date(planNextAt).getTime() > now) {
    // Still ahead. Planned (or skipped) already, unless pausing let it go: then plan it again.
    const isPlanned = series.planned.some((planned) => planned.occurrence.at === cursor.at);
    if (isPlanned || series.skipped.includes(cursor.at)) return [];
    return plannedEvents(series, cursor, planning, {
      replanned: true,
      after: new Date(series.notBefore).getTime(),
      served: new Set(),
    });
  }
  const notBefore = new Date(series.notBefore).getTime();
  let walked = cursor;
  let latestPast: Occurrence | undefined;
  let missed: { count: number; first: string; last: string } | undefined;
  let upcoming: Occurrence | undefined;
  walk: for (;;) {
    const next = planning.schedule.following(walked, WALK_STEP);
    for (const occurrence of next) {
      // An occurrence has passed when its last zone's time has.
      const time = Math.max(...zoneTimes(series, occurrence, planning).map(({ at }) => at));
      walked = occurrence;
      if (time <= notBefore || series.skipped.includes(occurrence.at)) continue;
      if (time > now) {
        upcoming = occurrence;
        break walk;
      }
      if (latestPast) {
        missed = {
          count: (missed?.count ?? 0) + 1,
          first: missed?.first ?? latestPast.at,
          last: latestPast.at,
        };
      }
      latestPast = occurrence;
    }
    if (next.length < WALK_STEP) break;
  }
  let toPlan = upcoming;
  if (latestPast) {
    const latestTime = Math.max(...zoneTimes(series, latestPast, planning).map(({ at }) => at));
    if (now - latestTime <= planning.graceMs) toPlan = latestPast;
    else {
      missed = {
        count: (missed?.count ?? 0) + 1,
        first: missed?.first ?? latestPast.at,
        last: latestPast.at,
      };
    }
  }
  const events: SeriesEvent[] = [];
  if (missed) {
    const event: OccurrencesMissed = {
      type: 'OccurrencesMissed',
      data: { seriesId: series.seriesId, ...missed },
    };
    events.push(event);
  }
  if (toPlan) {
    const state = events.reduce<Series>((s, e) => evolveSeries(s, e) as Series, series);
    events.push(
      ...plannedEvents(state, toPlan, planning, {
        replanned: false,
        after: new Date(series.notBefore).getTime(),
        served: new Set(),
      }),
    );
  } else if (!upcoming) {
    events.push({
      type: 'SeriesEnded',
      data: { seriesId: series.seriesId, reason: 'completed', released: [] },
    });
  }
  return events;
}

/** One zone's share of an occurrence: its recipients (null: all) and its instant there. */
interface ZoneTime {
  readonly zone: string | null;
  readonly recipients: readonly string[] | null;
  readonly at: number;
}

/**
 * Where an occurrence falls for the series' recipients: one time for all, or for a series at each
 * recipient's local time, the occurrence's local time in each zone its recipients are in (those
 * without a zone, and those in the series' own, at the nominal instant).
 */
function zoneTimes(series: Series, occurrence: Occurrence, planning: Planning): ZoneTime[] {
  const nominal = new Date(occurrence.at).getTime();
  if (!series.atRecipientLocalTime) return [{ zone: null, recipients: null, at: nominal }];
  return recipientsByZone(series.recipients, planning.recipientZones, series.rule.timeZone).map(
    ({ zone, recipients }) => ({
      zone,
      recipients,
      at:
        zone === null
          ? nominal
          : new Date(planning.schedule.instantIn(occurrence.local, zone)).getTime(),
    }),
  );
}

/**
 * The recipients of a series at each recipient's local time, by zone, in the order they first
 * appear: those without a zone of their own, and those in the series' zone, under null.
 */
export function recipientsByZone(
  recipients: readonly string[],
  recipientZones: ReadonlyMap<string, string>,
  seriesZone: string,
): { readonly zone: string | null; readonly recipients: readonly string[] }[] {
  const byZone = new Map<string | null, string[]>();
  for (const recipient of recipients) {
    const own = recipientZones.get(recipient);
    const zone = own === undefined || own === seriesZone ? null : own;
    const group = byZone.get(zone);
    if (group) group.push(recipient);
    else byZone.set(zone, [recipient]);
  }
  return [...byZone].map(([zone, members]) => ({ zone, recipients: members }));
}

/**
 * The occurrence's messages: one per zone (one in all for a series at its own zone's time),
 * for the zones whose time is after `after` (the series' start, or now for a change), to the
 * recipients not `served` already.
 */
function plannedEvents(
  series: Series,
  occurrence: Occurrence,
  planning: Planning,
  options: {
    readonly replanned: boolean;
    readonly after: number;
    readonly served: ReadonlySet<string>;
  },
): OccurrencePlanned[] {
  const moved = series.moved[occurrence.at];
  const zones = zoneTimes(series, occurrence, planning)
    .map((zone) => ({
      ...zone,
      recipients:
        options.served.size === 0
          ? zone.recipients
          : (zone.recipients ?? series.recipients).filter(
              (recipient) => !options.served.has(recipient),
            ),
      scheduledAt: moved ?? new Date(zone.at).toISOString(),
    }))
    .filter(
      (zone) =>
        (zone.recipients === null || zone.recipients.length > 0) &&
        Math.max(zone.at, new Date(zone.scheduledAt).getTime()) > options.after,
    );
  if (zones.length === 0) return [];
  // The next occurrence is planned when this one's first zone has come.
  const planNextAt = new Date(Math.min(...zones.map((zone) => zone.at))).toISOString();
  return zones.map((zone) => ({
    type: 'OccurrencePlanned',
    data: {
      seriesId: series.seriesId,
      occurrence: { ...occurrence },
      messageId: planning.newMessageId(),
      scheduledAt: zone.scheduledAt,
      text: series.texts[occurrence.at] ?? series.text,
      replanned:
        options.replanned || (series.cursor !== null && occurrence.index <= series.cursor.index),
      zone: zone.zone,
      recipients: zone.recipients === null ? null : [...zone.recipients],
      planNextAt,
    },
  }));
}

/** Messages planned for a time still to come (whether or not they are due by now, cancel tries). */
function pendingMessages(series: Series): string[] {
  return series.planned.map((planned) => planned.messageId);
}

function validateContent(
  text: string,
  parseMode: ParseMode,
  textLimit: number,
  recipients: readonly string[],
  audience: Audience | null,
  status: ReadonlyMap<string, RecipientStatus>,
  limits: SeriesLimits,
): void {
  validateText(text, parseMode, textLimit);
  if (audience) {
    // One kind of target: the application never passes both.
    if (recipients.length > 0) throw new Error('A series to an audience lists no user ids');
    return;
  }
  if (recipients.length > limits.maxRecipients) {
    throw new DomainError(
      DomainErrorCode.TooManyRecipients,
      `At most ${limits.maxRecipients} recipients per series; got ${recipients.length}`,
      { field: 'target_user_id', max: limits.maxRecipients },
    );
  }
  validateRecipients(recipients, status);
}

/**
 * A series at each recipient's local time plans one message per zone its recipients are in: it
 * must know them when it plans, and an audience is known only when each occurrence is due.
 */
function validateTarget(audience: Audience | null, atRecipientLocalTime: boolean): void {
  if (audience && atRecipientLocalTime) {
    throw new DomainError(
      DomainErrorCode.LocalTimeNeedsUserIds,
      'at_recipient_local_time needs recipients by id (target_user_id): the zones of a topic or of everyone are known only when each occurrence is due',
      { field: 'at_recipient_local_time' },
    );
  }
}

function requireSeries(seriesId: string, state: SeriesState): Series {
  if (state.status === 'none') {
    throw new DomainError(DomainErrorCode.SeriesNotFound, `No series with id ${seriesId}`, {
      seriesId,
    });
  }
  return state;
}

/** A series that has ended changes no more. */
function requireOpen(seriesId: string, state: SeriesState): Series {
  const series = requireSeries(seriesId, state);
  if (series.status === 'ended') {
    throw new DomainError(DomainErrorCode.SeriesEnded, `Series ${seriesId} has ended`, {
      seriesId,
    });
  }
  return series;
}

export function evolveSeries(state: SeriesState, event: SeriesEvent): SeriesState {
  if (event.type === 'SeriesCreated') {
    return {
      status: 'active',
      seriesId: event.data.seriesId,
      recipients: event.data.recipients,
      text: event.data.text,
      attachments: event.data.attachments,
      fromSender: event.data.fromSender,
      rule: event.data.rule,
      atRecipientLocalTime: event.data.atRecipientLocalTime,
      audience: event.data.audience,
      sendOptions: event.data.sendOptions,
      buttons: event.data.buttons,
      cursor: null,
      planNextAt: null,
      notBefore: event.data.createdAt,
      planned: [],
      skipped: [],
      moved: {},
      texts: {},
      released: [],
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'SeriesChanged':
      return {
        ...state,
        recipients: event.data.recipients,
        text: event.data.text,
        rule: event.data.rule,
        atRecipientLocalTime: event.data.atRecipientLocalTime,
        audience: event.data.audience,
        sendOptions: event.data.sendOptions ?? state.sendOptions,
        buttons: event.data.buttons ?? state.buttons,
        // A new rule has occurrences of its own: planning starts over from the change.
        ...(event.data.ruleChanged
          ? {
              cursor: null,
              planNextAt: null,
              notBefore: event.data.changedAt,
              skipped: [],
              moved: {},
              texts: {},
            }
          : {}),
        planned: withoutReleased(state.planned, event.data.released),
        released: event.data.released,
      };
    case 'SeriesPaused':
      return {
        ...state,
        status: 'paused',
        planned: withoutReleased(state.planned, event.data.released),
        released: event.data.released,
      };
    case 'SeriesResumed':
      return { ...state, status: 'active', notBefore: event.data.resumedAt, released: [] };
    case 'SeriesEnded':
      return {
        ...state,
        status: 'ended',
        planned: withoutReleased(state.planned, event.data.released),
        released: event.data.released,
      };
    case 'OccurrencePlanned': {
      const { occurrence } = event.data;
      // The first message of a new occurrence moves the cursor; the others of its zones, and an
      // occurrence planned again, do not.
      const advances = !event.data.replanned && state.cursor?.at !== occurrence.at;
      const previousPlanAt = state.planNextAt ?? state.cursor?.at;
      // What was planned before and is due by now (the previous occurrence's first zone has
      // come) is out of reach of any change, and what lay behind the cursor is done with.
      const kept =
        advances && previousPlanAt !== undefined
          ? state.planned.filter(
              (planned) =>
                new Date(planned.scheduledAt).getTime() > new Date(previousPlanAt).getTime(),
            )
          : state.planned;
      const passed = (at: string) => new Date(at).getTime() < new Date(occurrence.at).getTime();
      return {
        ...state,
        cursor: advances ? occurrence : state.cursor,
        planNextAt: advances ? event.data.planNextAt : (state.planNextAt ?? event.data.planNextAt),
        planned: [
          ...kept,
          {
            occurrence,
            messageId: event.data.messageId,
            scheduledAt: event.data.scheduledAt,
            text: event.data.text,
            zone: event.data.zone,
            recipients: event.data.recipients,
          },
        ],
        skipped: advances ? state.skipped.filter((at) => !passed(at)) : state.skipped,
        moved: advances ? withoutPassed(state.moved, passed) : state.moved,
        texts: advances ? withoutPassed(state.texts, passed) : state.texts,
        released: [],
      };
    }
    case 'OccurrenceSkipped':
      return {
        ...state,
        skipped: [...state.skipped, event.data.occurrenceAt],
        planned: withoutReleased(state.planned, event.data.released),
        released: event.data.released,
      };
    case 'OccurrenceMoved':
      return {
        ...state,
        moved: { ...state.moved, [event.data.occurrenceAt]: event.data.scheduledAt },
        planned: withoutReleased(state.planned, event.data.released),
        released: event.data.released,
      };
    case 'OccurrenceEdited':
      return {
        ...state,
        texts: { ...state.texts, [event.data.occurrenceAt]: event.data.text },
        planned: withoutReleased(state.planned, event.data.released),
        released: event.data.released,
      };
    case 'OccurrencesMissed':
      // The cursor moves with the occurrence planned after them (or the series ends).
      return state;
  }
}

function withoutReleased(
  planned: readonly PlannedOccurrence[],
  released: readonly string[],
): readonly PlannedOccurrence[] {
  return released.length === 0
    ? planned
    : planned.filter((entry) => !released.includes(entry.messageId));
}

function withoutPassed(
  record: Readonly<Record<string, string>>,
  passed: (at: string) => boolean,
): Readonly<Record<string, string>> {
  return Object.fromEntries(Object.entries(record).filter(([at]) => !passed(at)));
}
