import type {
  Attachment,
  Audience,
  ButtonRows,
  MessageSendOptions,
  Occurrence,
} from '../../../domain/src/events';
import type { SeriesStatus } from '../../../domain/src/series';
import type { MessageStatus } from './message-reader';

/** A series as its read model holds it. */
export interface SeriesRecord {
  readonly id: string;
  /** The API key's name that created it. */
  readonly owner: string;
  readonly status: SeriesStatus;
  /** Why it ended: `deleted` or `completed`; null while it has not. */
  readonly endReason: string | null;
  readonly targetUserIds: readonly string[];
  /** Topics or everyone, for each occurrence when it is due; null: the user ids. */
  readonly audience: Audience | null;
  readonly text: string;
  readonly attachments: readonly Attachment[];
  readonly fromSender: string | null;
  readonly rrule: string;
  readonly dtstart: string;
  readonly timeZone: string;
  /** Each recipient at the rule's local time in their own zone. */
  readonly atRecipientLocalTime: boolean;
  /** How Telegram shows each occurrence, and its buttons. */
  readonly sendOptions: MessageSendOptions;
  readonly buttons: ButtonRows;
  /** The latest occurrence planned; the upcoming ones follow it. */
  readonly cursor: Occurrence | null;
  /** Occurrences at or before this are passed over (created, resumed, rule changed). */
  readonly notBefore: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * What happened to one occurrence: `planned` (as a message, whose status is given), `skipped`,
 * `changed` (moved or given its own text before it was planned), or `missed` (a run of missed
 * occurrences, from this one to `missedUntil`).
 */
export interface RecordedOccurrence {
  readonly occurrenceAt: Date;
  readonly localTime: string | null;
  readonly status: 'planned' | 'skipped' | 'changed' | 'missed';
  readonly scheduledAt: Date | null;
  readonly messageId: string | null;
  readonly messageStatus: MessageStatus | null;
  readonly text: string | null;
  readonly missedCount: number | null;
  readonly missedUntil: Date | null;
  /** For a series at each recipient's local time: the message of each zone it was planned in. */
  readonly zones: readonly RecordedZone[];
}

/** An occurrence's message in one zone (null: the series' own). */
export interface RecordedZone {
  readonly zone: string | null;
  readonly scheduledAt: Date;
  readonly messageId: string;
  readonly messageStatus: MessageStatus | null;
  readonly recipients: readonly string[];
}

export interface SeriesKey {
  readonly createdAt: Date;
  readonly id: string;
}

export interface SeriesPage {
  readonly items: readonly SeriesRecord[];
  readonly next: SeriesKey | null;
}

/** Every way the use cases read series; implemented over the read model. */
export abstract class SeriesReader {
  abstract byId(seriesId: string): Promise<SeriesRecord | null>;
  /** Series by creation, oldest first, after `after` (keyset pagination); of one status if given. */
  abstract page(
    status: SeriesStatus | null,
    limit: number,
    after: SeriesKey | null,
  ): Promise<SeriesPage>;
  /** The latest `limit` occurrences recorded before `before`, oldest first. */
  abstract recordedBefore(
    seriesId: string,
    before: Date,
    limit: number,
  ): Promise<RecordedOccurrence[]>;
  /** Occurrences recorded at or after `from` (planned, skipped or changed ahead of time), oldest first. */
  abstract recordedFrom(seriesId: string, from: Date, limit: number): Promise<RecordedOccurrence[]>;
  /** Series of this owner that have not ended. */
  abstract countOpen(owner: string): Promise<number>;
}
