/**
 * The event catalogue. Event data is plain JSON: timestamps are ISO 8601 strings so that an event
 * reads back from the store exactly as it was written.
 */

import type { ParseMode } from './formatting';

export interface Attachment {
  /** Object key in the bucket; the seed's `file_paths` entries. */
  readonly objectKey: string;
  readonly fileName: string;
  /** The type the system decided for the file, sent to Telegram and shown to clients. */
  readonly contentType: string;
  /**
   * What the client said the file is (its multipart part's Content-Type), kept apart from
   * `contentType` for the audit trail. Added in MessageScheduled schema version 2: a version 1
   * event reads it as its contentType, which was the client's word then.
   */
  readonly declaredContentType: string;
  readonly size: number;
  readonly sha256: string;
  /**
   * A JPEG or PNG image's width and height in pixels, read from its bytes when it was uploaded
   * (Telegram shows an image as a photo only within its sizes); null for other files, or when
   * they could not be read. Added in MessageScheduled schema version 11 (7 of SeriesCreated):
   * older events read it as null.
   */
  readonly image: { readonly width: number; readonly height: number } | null;
}

export interface UserSubscribed {
  readonly type: 'UserSubscribed';
  readonly data: {
    readonly userId: string;
    readonly chatId: string;
    readonly chatName: string;
    /**
     * The user's names as Telegram gave them with /start in a private chat, for the variables of
     * message templates; null for a chat subscribed otherwise. Added in schema version 2: older
     * events read it as null.
     */
    readonly profile: SubscriberProfile | null;
    /**
     * What kind of chat it is, as Telegram said when the bot was added to it or /start was
     * pressed in it; null when not known (a chat subscribed on the API). Added in schema version
     * 2: older events read it as null.
     */
    readonly chatType: ChatType | null;
  };
}

/** Telegram's kinds of chat a bot can post in. */
export type ChatType = 'private' | 'group' | 'supergroup' | 'channel';

/** A Telegram user's names: `first_name`, `last_name` and `username` of their User. */
export interface SubscriberProfile {
  readonly firstName: string;
  readonly lastName: string | null;
  readonly username: string | null;
}

/**
 * Why a subscription ended: the user asked (/stop), the user blocked the bot, the user's group
 * became a supergroup that is subscribed already (as another user), which now stands for the chat,
 * or the bot left or was removed from the group or channel.
 */
export type UnsubscribeReason = 'requested' | 'blocked' | 'chat_merged' | 'removed';

export interface UserUnsubscribed {
  readonly type: 'UserUnsubscribed';
  readonly data: {
    readonly userId: string;
    readonly chatId: string;
    readonly reason: UnsubscribeReason;
  };
}

/** A group became a supergroup: Telegram moved the chat to a new id. */
export interface UserChatMigrated {
  readonly type: 'UserChatMigrated';
  readonly data: {
    readonly userId: string;
    readonly fromChatId: string;
    readonly toChatId: string;
  };
}

/**
 * The subscriber's own time zone (IANA), for series sent at each recipient's local time; null
 * clears it.
 */
export interface SubscriberTimeZoneSet {
  readonly type: 'SubscriberTimeZoneSet';
  readonly data: {
    readonly userId: string;
    readonly timeZone: string | null;
  };
}

/**
 * The user's names changed since they were recorded (seen on a later /start): templates use the
 * new ones from now on.
 */
export interface SubscriberProfileChanged {
  readonly type: 'SubscriberProfileChanged';
  readonly data: {
    readonly userId: string;
    readonly profile: SubscriberProfile;
  };
}

/** The subscriber joined a topic (by its id: a renamed topic keeps its members). */
export interface SubscriberJoinedTopic {
  readonly type: 'SubscriberJoinedTopic';
  readonly data: { readonly userId: string; readonly topicId: string };
}

export interface SubscriberLeftTopic {
  readonly type: 'SubscriberLeftTopic';
  readonly data: { readonly userId: string; readonly topicId: string };
}

/** A named audience (see libs/domain/src/topic.ts). */
export interface TopicCreated {
  readonly type: 'TopicCreated';
  readonly data: { readonly topicId: string; readonly name: string };
}

export interface TopicRenamed {
  readonly type: 'TopicRenamed';
  readonly data: { readonly topicId: string; readonly from: string; readonly to: string };
}

/** The topic is gone: it is no audience any more, and its name is free again. */
export interface TopicDeleted {
  readonly type: 'TopicDeleted';
  readonly data: { readonly topicId: string; readonly name: string };
}

export interface MessageScheduled {
  readonly type: 'MessageScheduled';
  readonly data: {
    readonly messageId: string;
    readonly recipients: readonly string[];
    readonly text: string;
    readonly scheduledAt: string;
    readonly attachments: readonly Attachment[];
    /**
     * The client's label for who sends the message (the seed's clients send `from_sender`), for
     * finding one sender's messages; null when none was given. Added in schema version 3: older
     * events read it as null.
     */
    readonly fromSender: string | null;
    /**
     * The series occurrence this message is, when a recurring series planned it: the series and
     * the occurrence's nominal time (the rule's, before any move). Null for a message scheduled on
     * its own. Added in schema version 4: older events read it as null.
     */
    readonly series: OccurrenceOfSeries | null;
    /**
     * Who the message is for when it is not a list of user ids: the members of topics, or
     * everyone subscribed, as they are when the message falls due (AudienceResolved then records
     * them). Null for a message to the ids in `recipients`. Added in schema version 5: older events
     * read it as null.
     */
    readonly audience: Audience | null;
    /**
     * Sent as a paid broadcast (`allow_paid_broadcast`: beyond the free 30 a second, up to 1000, for
     * a fee per message). Added in schema version 6: older events read it as false.
     */
    readonly paidBroadcast: boolean;
    /**
     * How Telegram shows the message: silent, protected from forwarding and saving, in a forum
     * topic, with or without a link preview. Added in schema version 7: older events read it as
     * Telegram's defaults (`DEFAULT_SEND_OPTIONS`).
     */
    readonly sendOptions: MessageSendOptions;
    /**
     * Rows of URL buttons under the text (`reply_markup.inline_keyboard`); empty for none. Added
     * in schema version 8: older events read it as empty.
     */
    readonly buttons: ButtonRows;
  };
}

/** An inline keyboard button that opens a link. */
export interface UrlButton {
  readonly text: string;
  readonly url: string;
}

/** Rows of buttons, top to bottom, each left to right. */
export type ButtonRows = readonly (readonly UrlButton[])[];

/** The Bot API's send parameters a client may set on a message, as the message keeps them. */
export interface MessageSendOptions {
  /** `disable_notification`: delivered silently. */
  readonly disableNotification: boolean;
  /** `protect_content`: the recipient cannot forward or save it. */
  readonly protectContent: boolean;
  /** `message_thread_id`: the forum topic of a supergroup it goes to; null for none. */
  readonly messageThreadId: number | null;
  /**
   * `link_preview_options`: `on` lets Telegram preview the text's first link (its default),
   * `off` shows none, a URL previews that page whatever the text links to.
   */
  readonly linkPreview: 'on' | 'off' | { readonly url: string };
  /**
   * `parse_mode`: how Telegram reads the text's markup: `plain` (none, the seed's), `HTML` or
   * `MarkdownV2`. Added in schema version 9 of MessageScheduled (5 of the series' events): older
   * events read it as plain.
   */
  readonly parseMode: ParseMode;
  /**
   * `delete_after`: seconds after it fell due when the message is recalled from every chat
   * (MessageRecalled, `automatic`), within Telegram's 48 hours; null: it stays. Added with
   * `parseMode`: older events read it as null.
   */
  readonly deleteAfter: number | null;
  /**
   * `send_as`: how the files go: each as a document, untouched (`documents`, the seed's), or as
   * what it is (`media`: images as photos, videos as videos, audio as audio, the rest as
   * documents). Added with `parseMode`: older events read it as documents.
   */
  readonly sendAs: 'documents' | 'media';
  /**
   * `as_album`: two to ten files of a kind Telegram groups (photos and videos, audio, documents)
   * go as one album (`sendMediaGroup`), more than ten split into albums of at most ten, the text
   * the first album's caption (when there are no buttons: an album cannot carry them, so then the
   * text and its buttons follow in their own message). Added in schema version 10 of
   * MessageScheduled (6 of the series' events): older events read it as false.
   */
  readonly asAlbum: boolean;
}

/** Telegram's own defaults: what a message without options is sent with. */
export const DEFAULT_SEND_OPTIONS: MessageSendOptions = {
  disableNotification: false,
  protectContent: false,
  messageThreadId: null,
  linkPreview: 'on',
  parseMode: 'plain',
  deleteAfter: null,
  sendAs: 'documents',
  asAlbum: false,
};

/** An audience resolved when the message falls due. */
export type Audience =
  | {
      readonly kind: 'topics';
      /** The topics by id (a rename before the message is due changes nothing), with their names then. */
      readonly topics: readonly { readonly id: string; readonly name: string }[];
    }
  | { readonly kind: 'all' };

export interface OccurrenceOfSeries {
  readonly seriesId: string;
  /** The occurrence's nominal instant (UTC ISO 8601). */
  readonly occurrenceAt: string;
}

export interface MessageCancelled {
  readonly type: 'MessageCancelled';
  readonly data: { readonly messageId: string };
}

export interface MessageRescheduled {
  readonly type: 'MessageRescheduled';
  readonly data: {
    readonly messageId: string;
    readonly scheduledAt: string;
    readonly previousScheduledAt: string;
  };
}

export interface MessageDue {
  readonly type: 'MessageDue';
  readonly data: {
    readonly messageId: string;
    /** The time the message was scheduled for. */
    readonly scheduledAt: string;
  };
}

/**
 * A series occurrence fell due while nothing could send it (the system was down) and is later
 * than the grace period: it is not sent, so that a recovery never sends a burst of old posts.
 */
export interface MessageMissed {
  readonly type: 'MessageMissed';
  readonly data: {
    readonly messageId: string;
    readonly scheduledAt: string;
    /** When the scheduler found it, past scheduledAt plus the grace period. */
    readonly foundAt: string;
  };
}

/**
 * One part of a message reached a recipient's chat: part 0 is the text, part n the n-th
 * attachment. Recorded right after each send, so that a delivery resumed after a crash sends
 * only the parts not yet recorded.
 */
export interface RecipientPartSent {
  readonly type: 'RecipientPartSent';
  readonly data: {
    readonly messageId: string;
    readonly userId: string;
    readonly chatId: string;
    readonly part: number;
    readonly telegramMessageId: number;
    /** For an attachment: Telegram's file_id, by which it can be sent again without uploading. */
    readonly telegramFileId?: string;
  };
}

/** Every part reached the recipient. */
export interface RecipientDelivered {
  readonly type: 'RecipientDelivered';
  readonly data: {
    readonly messageId: string;
    readonly userId: string;
    readonly chatId: string;
    /** Telegram's ids of the messages sent: the text, then one per attachment. */
    readonly telegramMessageIds: readonly number[];
  };
}

/** Why a recipient will not get a message; stable, for code to act on. */
export type DeliveryFailureCode =
  | 'unknown_recipient'
  | 'unsubscribed'
  | 'blocked'
  | 'chat_not_found'
  | 'rejected'
  | 'attachment_missing'
  /** Transient failures (5xx, network, timeouts) past the configured number of attempts. */
  | 'send_failed';

export interface RecipientDeliveryFailed {
  readonly type: 'RecipientDeliveryFailed';
  readonly data: {
    readonly messageId: string;
    readonly userId: string;
    readonly code: DeliveryFailureCode;
    /** For people: what Telegram (or the system) said. */
    readonly reason: string;
  };
}

/**
 * The audience of a message, resolved when it fell due: who it was meant for then. A large audience
 * is recorded in parts (`part` of `parts`, each at most AUDIENCE_PART_SIZE ids), appended together.
 */
export interface AudienceResolved {
  readonly type: 'AudienceResolved';
  readonly data: {
    readonly messageId: string;
    readonly recipients: readonly string[];
    readonly part: number;
    readonly parts: number;
  };
}

/**
 * Every recipient of one part of a message's audience has an outcome. A large audience is
 * delivered part by part, each in its own stream (`message-<id>-part-<n>`) by whichever delivery
 * process took it; once every part has this event, the message is sent.
 */
export interface AudiencePartSent {
  readonly type: 'AudiencePartSent';
  readonly data: {
    readonly messageId: string;
    readonly part: number;
    readonly parts: number;
    readonly delivered: number;
    readonly failed: number;
  };
}

/**
 * A sent message to an audience was edited or recalled: the chats of part `part` (of `parts`) are
 * to be brought to it, each part by whichever delivery process takes it, its outcomes recorded in
 * the part's stream as its sends were. Appended together, one per part, for `edit` (the latest
 * edit of the chats then; 0 for none) or the recall (`recall`): a revision of a broadcast is as
 * many units of work as its delivery was.
 */
export interface AudienceRevisionDue {
  readonly type: 'AudienceRevisionDue';
  readonly data: {
    readonly messageId: string;
    readonly part: number;
    readonly parts: number;
    readonly edit: number;
    readonly recall: boolean;
  };
}

/**
 * The message's text changed. Before it was due, it simply goes out with the new text; once sent
 * (`inChats`), every chat that got the text is edited to it, each recorded as RecipientEdited or
 * RecipientEditFailed with this edit's number. Edits are numbered from 1 in the message's stream;
 * a chat edited for a later number has the text of every earlier one.
 */
export interface MessageEdited {
  readonly type: 'MessageEdited';
  readonly data: {
    readonly messageId: string;
    readonly text: string;
    readonly edit: number;
    readonly inChats: boolean;
  };
}

/** One chat shows the text of edit `edit` (editMessageText). */
export interface RecipientEdited {
  readonly type: 'RecipientEdited';
  readonly data: {
    readonly messageId: string;
    readonly userId: string;
    readonly chatId: string;
    readonly edit: number;
  };
}

/** One chat could not be edited; recorded, not tried again. */
export interface RecipientEditFailed {
  readonly type: 'RecipientEditFailed';
  readonly data: {
    readonly messageId: string;
    readonly userId: string;
    readonly edit: number;
    readonly code: DeliveryFailureCode;
    readonly reason: string;
  };
}

/**
 * The message is taken back: every message it became in every chat (the text and each file) is
 * deleted (deleteMessages: a call per chat for up to 100 of its messages), each chat recorded as
 * RecipientRecalled or RecipientRecallFailed. Telegram lets a bot delete what it sent for 48 hours: `deadline`, from when it fell due.
 */
export interface MessageRecalled {
  readonly type: 'MessageRecalled';
  readonly data: {
    readonly messageId: string;
    readonly deadline: string;
    /** By the scheduler, as the message's `delete_after` asked; false: by a client. */
    readonly automatic: boolean;
  };
}

/** One chat no longer shows the message. */
export interface RecipientRecalled {
  readonly type: 'RecipientRecalled';
  readonly data: {
    readonly messageId: string;
    readonly userId: string;
    readonly chatId: string;
  };
}

/** One chat's copy of the message could not be deleted; recorded, not tried again. */
export interface RecipientRecallFailed {
  readonly type: 'RecipientRecallFailed';
  readonly data: {
    readonly messageId: string;
    readonly userId: string;
    readonly code: DeliveryFailureCode;
    readonly reason: string;
  };
}

export interface MessageSent {
  readonly type: 'MessageSent';
  readonly data: {
    readonly messageId: string;
    readonly delivered: number;
    readonly failed: number;
  };
}

/** A recurrence rule over a local start in an IANA zone. */
export interface SeriesRule {
  /** RFC 5545 RRULE, without the `RRULE:` prefix. */
  readonly rrule: string;
  /** The first local date-time, without an offset: `2027-01-04T09:00`. */
  readonly dtstart: string;
  readonly timeZone: string;
}

/** One occurrence of a series' rule. */
export interface Occurrence {
  /** Its nominal instant, UTC ISO 8601. */
  readonly at: string;
  /** Its local wall-clock time in the series' zone (`2027-03-28T02:30:00`), as the rule made it. */
  readonly local: string;
  /** Its place in the rule's sequence, from 0 (the rule's COUNT counts these). */
  readonly index: number;
}

export interface SeriesCreated {
  readonly type: 'SeriesCreated';
  readonly data: {
    readonly seriesId: string;
    readonly recipients: readonly string[];
    readonly text: string;
    readonly attachments: readonly Attachment[];
    readonly fromSender: string | null;
    readonly rule: SeriesRule;
    /** Occurrences at or before this instant are not sent: the series starts from its creation. */
    readonly createdAt: string;
    /** Who created it (the API key's name): the limit of active series is counted per key. */
    readonly owner: string;
    /**
     * Each recipient gets each occurrence at the rule's local time in their own zone (their
     * subscriber time zone; the series' zone for those without one). Added in schema version 2:
     * older events read it as false.
     */
    readonly atRecipientLocalTime: boolean;
    /**
     * Who each occurrence is for when it is not the user ids in `recipients` (then empty): the
     * members of topics, or everyone subscribed, resolved when each occurrence falls due. Added in
     * schema version 3: older events read it as null.
     */
    readonly audience: Audience | null;
    /**
     * How Telegram shows each occurrence, and its buttons (as a message's). Added in schema
     * version 4: older events read them as Telegram's defaults and no buttons.
     */
    readonly sendOptions: MessageSendOptions;
    readonly buttons: ButtonRows;
  };
}

/**
 * The series changes from now on: its text, recipients (or audience) or rule (all given, changed
 * or not).
 * Planned messages it lets go of are cancelled (`released`) and planned again as they are now.
 */
export interface SeriesChanged {
  readonly type: 'SeriesChanged';
  readonly data: {
    readonly seriesId: string;
    readonly recipients: readonly string[];
    readonly text: string;
    readonly rule: SeriesRule;
    readonly ruleChanged: boolean;
    /** Added in schema version 2: older events read it as false. */
    readonly atRecipientLocalTime: boolean;
    /** As SeriesCreated's. Added in schema version 3: older events read it as null. */
    readonly audience: Audience | null;
    /**
     * As SeriesCreated's. Added in schema version 4: older events read them as null, "as they
     * were" (no change could touch them then).
     */
    readonly sendOptions: MessageSendOptions | null;
    readonly buttons: ButtonRows | null;
    readonly changedAt: string;
    readonly released: readonly string[];
  };
}

export interface SeriesPaused {
  readonly type: 'SeriesPaused';
  readonly data: { readonly seriesId: string; readonly released: readonly string[] };
}

/** Occurrences that fell while the series was paused are not sent. */
export interface SeriesResumed {
  readonly type: 'SeriesResumed';
  readonly data: {
    readonly seriesId: string;
    readonly resumedAt: string;
    /** When the series next plans: its latest planned occurrence if that is still ahead, else now. */
    readonly nextPlanningAt: string;
  };
}

/** `deleted`: ended by a client (what it planned is cancelled); `completed`: the rule has no more occurrences. */
export type SeriesEndReason = 'deleted' | 'completed';

export interface SeriesEnded {
  readonly type: 'SeriesEnded';
  readonly data: {
    readonly seriesId: string;
    readonly reason: SeriesEndReason;
    readonly released: readonly string[];
  };
}

/** The occurrence becomes a message (`messageId`), scheduled for `scheduledAt` (its time, or where it was moved). */
export interface OccurrencePlanned {
  readonly type: 'OccurrencePlanned';
  readonly data: {
    readonly seriesId: string;
    readonly occurrence: Occurrence;
    readonly messageId: string;
    readonly scheduledAt: string;
    readonly text: string;
    /** True when the occurrence was planned before and is planned again (it was changed). */
    readonly replanned: boolean;
    /**
     * For a series at each recipient's local time, the zone this message keeps the occurrence's
     * local time in and the recipients who are in it (one OccurrencePlanned per zone); null and
     * null for the series' own zone and all its recipients. Added in schema version 2: older
     * events read null, null.
     */
    readonly zone: string | null;
    readonly recipients: readonly string[] | null;
    /**
     * When the series plans its next occurrence: this occurrence's earliest instant over its
     * zones (its nominal instant when there is one zone). Added in schema version 2: older events
     * read the occurrence's instant.
     */
    readonly planNextAt: string;
  };
}

export interface OccurrenceSkipped {
  readonly type: 'OccurrenceSkipped';
  readonly data: {
    readonly seriesId: string;
    readonly occurrenceAt: string;
    readonly released: readonly string[];
  };
}

export interface OccurrenceMoved {
  readonly type: 'OccurrenceMoved';
  readonly data: {
    readonly seriesId: string;
    readonly occurrenceAt: string;
    readonly scheduledAt: string;
    readonly released: readonly string[];
  };
}

export interface OccurrenceEdited {
  readonly type: 'OccurrenceEdited';
  readonly data: {
    readonly seriesId: string;
    readonly occurrenceAt: string;
    readonly text: string;
    readonly released: readonly string[];
  };
}

/**
 * Occurrences that passed while nothing could plan them (the system was down) and are older than
 * the grace period: not sent, recorded in one event however many they were.
 */
export interface OccurrencesMissed {
  readonly type: 'OccurrencesMissed';
  readonly data: {
    readonly seriesId: string;
    readonly count: number;
    readonly first: string;
    readonly last: string;
  };
}

export type SeriesEvent =
  | SeriesCreated
  | SeriesChanged
  | SeriesPaused
  | SeriesResumed
  | SeriesEnded
  | OccurrencePlanned
  | OccurrenceSkipped
  | OccurrenceMoved
  | OccurrenceEdited
  | OccurrencesMissed;

export type SubscriberEvent =
  | UserSubscribed
  | UserUnsubscribed
  | UserChatMigrated
  | SubscriberTimeZoneSet
  | SubscriberProfileChanged
  | SubscriberJoinedTopic
  | SubscriberLeftTopic;
export type TopicEvent = TopicCreated | TopicRenamed | TopicDeleted;
export type ScheduledMessageEvent =
  | MessageScheduled
  | MessageCancelled
  | MessageRescheduled
  | MessageDue
  | MessageMissed
  | RecipientPartSent
  | RecipientDelivered
  | RecipientDeliveryFailed
  | MessageSent
  | AudienceResolved
  | AudiencePartSent
  | AudienceRevisionDue
  | MessageEdited
  | RecipientEdited
  | RecipientEditFailed
  | MessageRecalled
  | RecipientRecalled
  | RecipientRecallFailed;
export type DomainEvent = SubscriberEvent | ScheduledMessageEvent | SeriesEvent | TopicEvent;
export type DomainEventType = DomainEvent['type'];

/** Every event type; a new one must be added (the record's type makes the compiler ask). */
const EVENT_TYPES: Record<DomainEventType, true> = {
  UserSubscribed: true,
  UserUnsubscribed: true,
  UserChatMigrated: true,
  SubscriberTimeZoneSet: true,
  SubscriberProfileChanged: true,
  SubscriberJoinedTopic: true,
  SubscriberLeftTopic: true,
  TopicCreated: true,
  TopicRenamed: true,
  TopicDeleted: true,
  MessageScheduled: true,
  MessageCancelled: true,
  MessageRescheduled: true,
  MessageDue: true,
  MessageMissed: true,
  RecipientPartSent: true,
  RecipientDelivered: true,
  RecipientDeliveryFailed: true,
  MessageSent: true,
  AudienceResolved: true,
  AudiencePartSent: true,
  AudienceRevisionDue: true,
  MessageEdited: true,
  RecipientEdited: true,
  RecipientEditFailed: true,
  MessageRecalled: true,
  RecipientRecalled: true,
  RecipientRecallFailed: true,
  SeriesCreated: true,
  SeriesChanged: true,
  SeriesPaused: true,
  SeriesResumed: true,
  SeriesEnded: true,
  OccurrencePlanned: true,
  OccurrenceSkipped: true,
  OccurrenceMoved: true,
  OccurrenceEdited: true,
  OccurrencesMissed: true,
};
export const DOMAIN_EVENT_TYPES = Object.keys(EVENT_TYPES) as DomainEventType[];

export const subscriberStreamId = (userId: string): string => `subscriber-${userId}`;
export const messageStreamId = (messageId: string): string => `message-${messageId}`;
/** The stream of one part of a message's audience: its recipients' progress and outcomes. */
export const messagePartStreamId = (messageId: string, part: number): string =>
  `message-${messageId}-part-${part}`;
export const seriesStreamId = (seriesId: string): string => `series-${seriesId}`;
export const topicStreamId = (topicId: string): string => `topic-${topicId}`;

/** Which aggregate an event belongs to; exhaustive, so a new event type must be placed here. */
export function isSubscriberEvent(event: DomainEvent): event is SubscriberEvent {
  switch (event.type) {
    case 'UserSubscribed':
    case 'UserUnsubscribed':
    case 'UserChatMigrated':
    case 'SubscriberTimeZoneSet':
    case 'SubscriberProfileChanged':
    case 'SubscriberJoinedTopic':
    case 'SubscriberLeftTopic':
      return true;
    case 'TopicCreated':
    case 'TopicRenamed':
    case 'TopicDeleted':
      return false;
    case 'MessageScheduled':
    case 'MessageCancelled':
    case 'MessageRescheduled':
    case 'MessageDue':
    case 'MessageMissed':
    case 'RecipientPartSent':
    case 'RecipientDelivered':
    case 'RecipientDeliveryFailed':
    case 'MessageSent':
    case 'AudienceResolved':
    case 'AudiencePartSent':
    case 'AudienceRevisionDue':
    case 'MessageEdited':
    case 'RecipientEdited':
    case 'RecipientEditFailed':
    case 'MessageRecalled':
    case 'RecipientRecalled':
    case 'RecipientRecallFailed':
      return false;
    case 'SeriesCreated':
    case 'SeriesChanged':
    case 'SeriesPaused':
    case 'SeriesResumed':
    case 'SeriesEnded':
    case 'OccurrencePlanned':
    case 'OccurrenceSkipped':
    case 'OccurrenceMoved':
    case 'OccurrenceEdited':
    case 'OccurrencesMissed':
      return false;
  }
}

/** Which aggregate an event belongs to, by its type. */
export type AggregateKind = 'subscriber' | 'message' | 'series' | 'topic';

export function aggregateOf(event: DomainEvent): AggregateKind {
  switch (event.type) {
    case 'UserSubscribed':
    case 'UserUnsubscribed':
    case 'UserChatMigrated':
    case 'SubscriberTimeZoneSet':
    case 'SubscriberProfileChanged':
    case 'SubscriberJoinedTopic':
    case 'SubscriberLeftTopic':
      return 'subscriber';
    case 'TopicCreated':
    case 'TopicRenamed':
    case 'TopicDeleted':
      return 'topic';
    case 'MessageScheduled':
    case 'MessageCancelled':
    case 'MessageRescheduled':
    case 'MessageDue':
    case 'MessageMissed':
    case 'RecipientPartSent':
    case 'RecipientDelivered':
    case 'RecipientDeliveryFailed':
    case 'MessageSent':
    case 'AudienceResolved':
    case 'AudiencePartSent':
    case 'AudienceRevisionDue':
    case 'MessageEdited':
    case 'RecipientEdited':
    case 'RecipientEditFailed':
    case 'MessageRecalled':
    case 'RecipientRecalled':
    case 'RecipientRecallFailed':
      return 'message';
    case 'SeriesCreated':
    case 'SeriesChanged':
    case 'SeriesPaused':
    case 'SeriesResumed':
    case 'SeriesEnded':
    case 'OccurrencePlanned':
    case 'OccurrenceSkipped':
    case 'OccurrenceMoved':
    case 'OccurrenceEdited':
    case 'OccurrencesMissed':
      return 'series';
  }
}

export const isSeriesEvent = (event: DomainEvent): event is SeriesEvent =>
  aggregateOf(event) === 'series';
export const isMessageEvent = (event: DomainEvent): event is ScheduledMessageEvent =>
  aggregateOf(event) === 'message';
