import type {
  Attachment,
  Audience,
  ButtonRows,
  ChatType,
  DomainEvent,
  MessageSendOptions,
  Occurrence,
} from '../../domain/src/events';
import { AUDIENCE_PART_SIZE } from '../../domain/src/scheduled-message';
import {
  EVENT_POSITION,
  EVENT_TIME,
  insert,
  insertEach,
  type Projection,
  type RowChange,
  type Table,
  update,
  upsert,
  type Written,
  NO_CHANGE,
  remove,
} from './projection';

/**
 * The read models the API serves, kept in each append's own transaction (so a client reads its
 * own writes) and rebuilt by a replay. Their rows as the tables hold them (column names; times as
 * ISO 8601; `last_position` the position of the last event applied): the one description of
 * their shape besides the migrations' DDL.
 */
export interface SubscriberRow {
  readonly user_id: string;
  /** Unique among active subscribers (a partial unique index): one chat, one subscription. */
  readonly chat_id: string;
  readonly chat_name: string;
  /** The user's names from Telegram (/start in a private chat); null when not known. */
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly username: string | null;
  /** private, group, supergroup or channel, when Telegram said it; null when not known. */
  readonly chat_type: ChatType | null;
  readonly status: 'active' | 'unsubscribed';
  readonly unsubscribe_reason: string | null;
  /** The subscriber's own IANA zone; null: none set. */
  readonly time_zone: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly last_position: number;
}

export interface MessageRow {
  readonly id: string;
  readonly target_user_ids: readonly string[];
  readonly text: string;
  readonly scheduled_at: string;
  readonly attachments: readonly Attachment[];
  readonly from_sender: string | null;
  /** The series occurrence the message is; null for a message of its own. */
  readonly series_id: string | null;
  readonly occurrence_at: string | null;
  /** The topics or everyone it was scheduled for; null for a message to user ids. */
  readonly audience: Audience | null;
  readonly paid_broadcast: boolean;
  /** How Telegram shows it; null (a message from before send options) for Telegram's defaults. */
  readonly send_options: MessageSendOptions | null;
  /** Rows of URL buttons under the text; empty for none. */
  readonly buttons: ButtonRows;
  readonly status: 'scheduled' | 'due' | 'sent' | 'cancelled' | 'missed';
  readonly is_sent: boolean;
  readonly due_at: string | null;
  readonly sent_at: string | null;
  /** When its text last changed (before it was due, or in the chats after it was sent). */
  readonly edited_at: string | null;
  /** When it was taken back from every chat; null while not. */
  readonly recalled_at: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly last_position: number;
}

export interface MessageRecipientRow {
  readonly message_id: string;
  readonly user_id: string;
  /** The recipient's place in target_user_id. */
  readonly ordinal: number;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly chat_id: string | null;
  readonly failure_code: string | null;
  readonly reason: string | null;
  /**
   * What became of the message in the recipient's chat after it was sent: `edited` (the latest
   * edit shown), `recalled` (deleted), or `edit_failed` / `recall_failed` with `revision_reason`.
   */
  readonly revision: 'edited' | 'edit_failed' | 'recalled' | 'recall_failed' | null;
  readonly revision_reason: string | null;
  readonly updated_at: string;
}

export interface SeriesRow {
  readonly id: string;
  /** The API key's name that created it. */
  readonly owner: string;
  readonly status: 'active' | 'paused' | 'ended';
  readonly end_reason: string | null;
  readonly target_user_ids: readonly string[];
  /** The topics or everyone each occurrence is for; null for a series to user ids. */
  readonly audience: Audience | null;
  readonly text: string;
  readonly attachments: readonly Attachment[];
  readonly from_sender: string | null;
  readonly rrule: string;
  readonly dtstart: string;
  readonly time_zone: string;
  readonly at_recipient_local_time: boolean;
  /** How Telegram shows each occurrence; null (a series from before them) for its defaults. */
  readonly send_options: MessageSendOptions | null;
  readonly buttons: ButtonRows;
  /** The latest occurrence planned; where the upcoming ones are counted from. */
  readonly cursor: Occurrence | null;
  /** Occurrences at or before this are passed over (created, resumed, rule changed). */
  readonly not_before: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly last_position: number;
}

/**
 * What happened to one occurrence: planned (as `message_id`), skipped, moved or given its own text
 * before it was planned (`changed`), or missed (one row for a run of missed occurrences, at the
 * first, with their count and the last).
 */
export interface SeriesOccurrenceRow {
  readonly series_id: string;
  readonly occurrence_at: string;
  readonly local_time: string | null;
  readonly status: 'planned' | 'skipped' | 'changed' | 'missed';
  readonly scheduled_at: string | null;
  readonly message_id: string | null;
  readonly text: string | null;
  readonly missed_count: number | null;
  readonly missed_until: string | null;
  readonly updated_at: string;
}

/**
 * For a series at each recipient's local time: the message an occurrence became in one zone
 * (the series' own zone is `''`), and to whom. The occurrence's own row is in series_occurrences.
 */
export interface SeriesOccurrenceZoneRow {
  readonly series_id: string;
  readonly occurrence_at: string;
  readonly zone: string;
  readonly scheduled_at: string;
  readonly message_id: string;
  readonly recipients: readonly string[];
  readonly updated_at: string;
}

/** A topic; a deleted one stays, marked, so that its name is free and its history readable. */
export interface TopicRow {
  readonly id: string;
  readonly name: string;
  readonly status: 'active' | 'deleted';
  readonly created_at: string;
  readonly updated_at: string;
  readonly last_position: number;
}

/** Who belongs to a topic (by the topic's id: a rename keeps its members). */
export interface TopicMemberRow {
  readonly topic_id: string;
  readonly user_id: string;
  readonly joined_at: string;
}

export const TOPICS: Table<TopicRow, 'id'> = { name: 'topics', key: ['id'] };
export const TOPIC_MEMBERS: Table<TopicMemberRow, 'topic_id' | 'user_id'> = {
  name: 'topic_members',
  key: ['topic_id', 'user_id'],
};

export const SUBSCRIBERS: Table<SubscriberRow, 'user_id'> = {
  name: 'subscribers',
  key: ['user_id'],
};
export const MESSAGES: Table<MessageRow, 'id'> = { name: 'messages', key: ['id'] };
export const MESSAGE_RECIPIENTS: Table<MessageRecipientRow, 'message_id' | 'user_id'> = {
  name: 'message_recipients',
  key: ['message_id', 'user_id'],
};
export const SERIES: Table<SeriesRow, 'id'> = { name: 'series', key: ['id'] };
export const SERIES_OCCURRENCES: Table<SeriesOccurrenceRow, 'series_id' | 'occurrence_at'> = {
  name: 'series_occurrences',
  key: ['series_id', 'occurrence_at'],
};
export const SERIES_OCCURRENCE_ZONES: Table<
  SeriesOccurrenceZoneRow,
  'series_id' | 'occurrence_at' | 'zone'
> = {
  name: 'series_occurrence_zones',
  key: ['series_id', 'occurrence_at', 'zone'],
};

/** A message's recipients, pending, from the ordinal given on; nothing for none. */
/** What a recipient's chat shows after each outcome of an edit or a recall. */
const REVISIONS = {
  RecipientEdited: 'edited',
  RecipientEditFailed: 'edit_failed',
  RecipientRecalled: 'recalled',
  RecipientRecallFailed: 'recall_failed',
} as const;

function recipientRows(
  messageId: string,
  recipients: readonly string[],
  firstOrdinal: number,
): RowChange[] {
  if (recipients.length === 0) return [];
  return [
    insertEach(
      MESSAGE_RECIPIENTS,
      {
        message_id: messageId,
        status: 'pending',
        chat_id: null,
        failure_code: null,
        reason: null,
        revision: null,
        revision_reason: null,
        updated_at: EVENT_TIME,
      },
      'user_id',
      recipients,
      { column: 'ordinal', first: firstOrdinal },
    ),
  ];
}

/** The stamp of every change of a message's row: the event's time and position. */
const STAMPED = { updated_at: EVENT_TIME, last_position: EVENT_POSITION } as const;

export const readModelsProjection: Projection = {
  name: 'read-models',
  tables: [
    SUBSCRIBERS,
    MESSAGES,
    MESSAGE_RECIPIENTS,
    SERIES,
    SERIES_OCCURRENCES,
    SERIES_OCCURRENCE_ZONES,
    TOPICS,
    TOPIC_MEMBERS,
  ],
  changesOf(event: DomainEvent): readonly RowChange[] {
    switch (event.type) {
      case 'UserSubscribed':
        return [
          upsert(
            SUBSCRIBERS,
            {
              user_id: event.data.userId,
              chat_id: event.data.chatId,
              chat_name: event.data.chatName,
              first_name: event.data.profile?.firstName ?? null,
              last_name: event.data.profile?.lastName ?? null,
              username: event.data.profile?.username ?? null,
              chat_type: event.data.chatType,
              status: 'active',
              unsubscribe_reason: null,
              time_zone: null,
              created_at: EVENT_TIME,
              updated_at: EVENT_TIME,
              last_position: EVENT_POSITION,
            },
            // Back after unsubscribing: same user, subscribed since the first time, same zone.
            ['created_at', 'time_zone'],
          ),
        ];
      case 'UserUnsubscribed':
        return [
          update(
            SUBSCRIBERS,
            { user_id: event.data.userId },
            {
              status: 'unsubscribed',
              unsubscribe_reason: event.data.reason,
              updated_at: EVENT_TIME,
              last_position: EVENT_POSITION,
            },
          ),
        ];
      case 'UserChatMigrated':
        return [
          update(
            SUBSCRIBERS,
            { user_id: event.data.userId },
            { chat_id: event.data.toChatId, updated_at: EVENT_TIME, last_position: EVENT_POSITION },
          ),
        ];
      case 'SubscriberTimeZoneSet':
        return [
          update(
            SUBSCRIBERS,
            { user_id: event.data.userId },
            {
              time_zone: event.data.timeZone,
              updated_at: EVENT_TIME,
              last_position: EVENT_POSITION,
            },
          ),
        ];
      case 'SubscriberProfileChanged':
        return [
          update(
            SUBSCRIBERS,
            { user_id: event.data.userId },
            {
              first_name: event.data.profile.firstName,
              last_name: event.data.profile.lastName,
              username: event.data.profile.username,
              updated_at: EVENT_TIME,
              last_position: EVENT_POSITION,
            },
          ),
        ];
      case 'SubscriberJoinedTopic':
        return [
          insert(TOPIC_MEMBERS, {
            topic_id: event.data.topicId,
            user_id: event.data.userId,
            joined_at: EVENT_TIME,
          }),
        ];
      case 'SubscriberLeftTopic':
        return [
          remove(TOPIC_MEMBERS, { topic_id: event.data.topicId, user_id: event.data.userId }),
        ];
      case 'TopicCreated':
        return [
          insert(TOPICS, {
            id: event.data.topicId,
            name: event.data.name,
            status: 'active',
            created_at: EVENT_TIME,
            updated_at: EVENT_TIME,
            last_position: EVENT_POSITION,
          }),
        ];
      case 'TopicRenamed':
        return [
          update(
            TOPICS,
            { id: event.data.topicId },
            { name: event.data.to, updated_at: EVENT_TIME, last_position: EVENT_POSITION },
          ),
        ];
      case 'TopicDeleted':
        return [
          update(
            TOPICS,
            { id: event.data.topicId },
            { status: 'deleted', updated_at: EVENT_TIME, last_position: EVENT_POSITION },
          ),
        ];
      case 'MessageScheduled':
        return [
          insert(MESSAGES, {
            id: event.data.messageId,
            target_user_ids: event.data.recipients,
            text: event.data.text,
            scheduled_at: new Date(event.data.scheduledAt).toISOString(),
            attachments: event.data.attachments,
            from_sender: event.data.fromSender,
            series_id: event.data.series?.seriesId ?? null,
            occurrence_at: event.data.series
              ? new Date(event.data.series.occurrenceAt).toISOString()
              : null,
            audience: event.data.audience,
            paid_broadcast: event.data.paidBroadcast,
            send_options: event.data.sendOptions,
            buttons: event.data.buttons,
            status: 'scheduled',
            is_sent: false,
            due_at: null,
            sent_at: null,
            edited_at: null,
            recalled_at: null,
            created_at: EVENT_TIME,
            updated_at: EVENT_TIME,
            last_position: EVENT_POSITION,
          }),
          // A message to user ids has them now; one to an audience gets them when it is due.
          ...recipientRows(event.data.messageId, event.data.recipients, 0),
        ];
      case 'AudienceResolved':
        return recipientRows(
          event.data.messageId,
          event.data.recipients,
          (event.data.part - 1) * AUDIENCE_PART_SIZE,
        );
      case 'MessageCancelled':
        return [
          update(MESSAGES, { id: event.data.messageId }, { status: 'cancelled', ...STAMPED }),
        ];
      case 'MessageRescheduled':
        return [
          update(
            MESSAGES,
            { id: event.data.messageId },
            { scheduled_at: new Date(event.data.scheduledAt).toISOString(), ...STAMPED },
          ),
        ];
      case 'MessageDue':
        return [
          update(
            MESSAGES,
            { id: event.data.messageId },
            { status: 'due', due_at: EVENT_TIME, ...STAMPED },
          ),
        ];
      case 'MessageMissed':
        return [update(MESSAGES, { id: event.data.messageId }, { status: 'missed', ...STAMPED })];
      case 'MessageSent':
        return [
          update(
            MESSAGES,
            { id: event.data.messageId },
            { status: 'sent', is_sent: true, sent_at: EVENT_TIME, ...STAMPED },
          ),
        ];
      case 'MessageEdited':
        return [
          update(
            MESSAGES,
            { id: event.data.messageId },
            { text: event.data.text, edited_at: EVENT_TIME, ...STAMPED },
          ),
        ];
      case 'MessageRecalled':
        return [
          update(MESSAGES, { id: event.data.messageId }, { recalled_at: EVENT_TIME, ...STAMPED }),
        ];
      case 'AudienceRevisionDue':
        // Work handed to delivery; each chat's outcome is what the read model shows.
        return NO_CHANGE;
      case 'RecipientEdited':
      case 'RecipientEditFailed':
      case 'RecipientRecalled':
      case 'RecipientRecallFailed':
        return [
          update(
            MESSAGE_RECIPIENTS,
            { message_id: event.data.messageId, user_id: event.data.userId },
            {
              revision: REVISIONS[event.type],
              revision_reason: 'reason' in event.data ? event.data.reason : null,
              updated_at: EVENT_TIME,
            },
          ),
        ];
      case 'RecipientPartSent':
      case 'AudiencePartSent':
        // Progress within a delivery: the read models show each recipient's outcome, and the
        // message sent once every part is.
        return NO_CHANGE;
      case 'RecipientDelivered':
        return [
          update(
            MESSAGE_RECIPIENTS,
            { message_id: event.data.messageId, user_id: event.data.userId },
            { status: 'delivered', chat_id: event.data.chatId, updated_at: EVENT_TIME },
          ),
        ];
      case 'RecipientDeliveryFailed':
        return [
          update(
            MESSAGE_RECIPIENTS,
            { message_id: event.data.messageId, user_id: event.data.userId },
            {
              status: 'failed',
              failure_code: event.data.code,
              reason: event.data.reason,
              updated_at: EVENT_TIME,
            },
          ),
        ];
      case 'SeriesCreated':
        return [
          insert(SERIES, {
            id: event.data.seriesId,
            owner: event.data.owner,
            status: 'active',
            end_reason: null,
            target_user_ids: event.data.recipients,
            audience: event.data.audience,
            text: event.data.text,
            attachments: event.data.attachments,
            from_sender: event.data.fromSender,
            rrule: event.data.rule.rrule,
            dtstart: event.data.rule.dtstart,
            time_zone: event.data.rule.timeZone,
            at_recipient_local_time: event.data.atRecipientLocalTime,
            send_options: event.data.sendOptions,
            buttons: event.data.buttons,
            cursor: null,
            not_before: event.data.createdAt,
            created_at: EVENT_TIME,
            updated_at: EVENT_TIME,
            last_position: EVENT_POSITION,
          }),
        ];
      case 'SeriesChanged':
        return [
          update(
            SERIES,
            { id: event.data.seriesId },
            {
              target_user_ids: event.data.recipients,
              audience: event.data.audience,
              text: event.data.text,
              rrule: event.data.rule.rrule,
              dtstart: event.data.rule.dtstart,
              time_zone: event.data.rule.timeZone,
              at_recipient_local_time: event.data.atRecipientLocalTime,
              // Null in a change from before them: as they were.
              ...(event.data.sendOptions ? { send_options: event.data.sendOptions } : {}),
              ...(event.data.buttons ? { buttons: event.data.buttons } : {}),
              ...(event.data.ruleChanged ? { cursor: null, not_before: event.data.changedAt } : {}),
              ...STAMPED,
            },
          ),
        ];
      case 'SeriesPaused':
        return [update(SERIES, { id: event.data.seriesId }, { status: 'paused', ...STAMPED })];
      case 'SeriesResumed':
        return [
          update(
            SERIES,
            { id: event.data.seriesId },
            { status: 'active', not_before: event.data.resumedAt, ...STAMPED },
          ),
        ];
      case 'SeriesEnded':
        return [
          update(
            SERIES,
            { id: event.data.seriesId },
            { status: 'ended', end_reason: event.data.reason, ...STAMPED },
          ),
        ];
      case 'OccurrencePlanned': {
        const row: Written<SeriesOccurrenceRow> = {
          series_id: event.data.seriesId,
          occurrence_at: event.data.occurrence.at,
          local_time: event.data.occurrence.local,
          status: 'planned',
          scheduled_at: event.data.scheduledAt,
          message_id: event.data.messageId,
          text: event.data.text,
          missed_count: null,
          missed_until: null,
          updated_at: EVENT_TIME,
        };
        const zoned = event.data.zone !== null || event.data.recipients !== null;
        return [
          ...(event.data.replanned
            ? []
            : [
                update(
                  SERIES,
                  { id: event.data.seriesId },
                  { cursor: event.data.occurrence, ...STAMPED },
                ),
              ]),
          // Of an occurrence in several zones, the occurrence's row names the series' own zone's
          // message (or the first zone's, when nobody is in the series' own).
          upsert(
            SERIES_OCCURRENCES,
            row,
            zoned && event.data.zone !== null ? ['scheduled_at', 'message_id'] : [],
          ),
          ...(zoned
            ? [
                upsert(
                  SERIES_OCCURRENCE_ZONES,
                  {
                    series_id: event.data.seriesId,
                    occurrence_at: event.data.occurrence.at,
                    zone: event.data.zone ?? '',
                    scheduled_at: event.data.scheduledAt,
                    message_id: event.data.messageId,
                    recipients: event.data.recipients ?? [],
                    updated_at: EVENT_TIME,
                  },
                  [],
                ),
              ]
            : []),
        ];
      }
      case 'OccurrenceSkipped':
        return [
          upsert(
            SERIES_OCCURRENCES,
            occurrenceRow(event.data.seriesId, event.data.occurrenceAt, 'skipped'),
            ['local_time', 'scheduled_at', 'message_id', 'text'],
          ),
        ];
      case 'OccurrenceMoved':
        return [
          upsert(
            SERIES_OCCURRENCES,
            {
              ...occurrenceRow(event.data.seriesId, event.data.occurrenceAt, 'changed'),
              scheduled_at: event.data.scheduledAt,
            },
            ['local_time', 'message_id', 'text'],
          ),
        ];
      case 'OccurrenceEdited':
        return [
          upsert(
            SERIES_OCCURRENCES,
            {
              ...occurrenceRow(event.data.seriesId, event.data.occurrenceAt, 'changed'),
              text: event.data.text,
            },
            ['local_time', 'scheduled_at', 'message_id'],
          ),
        ];
      case 'OccurrencesMissed':
        return [
          upsert(
            SERIES_OCCURRENCES,
            {
              ...occurrenceRow(event.data.seriesId, event.data.first, 'missed'),
              missed_count: event.data.count,
              missed_until: event.data.last,
            },
            [],
          ),
        ];
    }
  },
};

/** A row for an occurrence that is not (or no longer) planned; what it keeps is said by the caller. */
function occurrenceRow(
  seriesId: string,
  occurrenceAt: string,
  status: SeriesOccurrenceRow['status'],
): Written<SeriesOccurrenceRow> {
  return {
    series_id: seriesId,
    occurrence_at: occurrenceAt,
    local_time: null,
    status,
    scheduled_at: null,
    message_id: null,
    text: null,
    missed_count: null,
    missed_until: null,
    updated_at: EVENT_TIME,
  };
}
