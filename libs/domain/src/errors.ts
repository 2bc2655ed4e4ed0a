/**
 * Every error a user can cause carries a stable code. The API maps the code to an HTTP status
 * and the bot to a reply; the text is for people and may change, the code may not.
 */
export const DomainErrorCode = {
  InvalidTimestamp: 'INVALID_TIMESTAMP',
  MissingMessage: 'MISSING_MESSAGE',
  MessageTooLong: 'MESSAGE_TOO_LONG',
  NoRecipients: 'NO_RECIPIENTS',
  InvalidRecipient: 'INVALID_RECIPIENT',
  UnknownRecipients: 'UNKNOWN_RECIPIENTS',
  UnsubscribedRecipients: 'UNSUBSCRIBED_RECIPIENTS',
  TooManyAttachments: 'TOO_MANY_ATTACHMENTS',
  AttachmentTooLarge: 'ATTACHMENT_TOO_LARGE',
  InvalidAttachment: 'INVALID_ATTACHMENT',
  MessageAlreadyScheduled: 'MESSAGE_ALREADY_SCHEDULED',
  MessageNotFound: 'MESSAGE_NOT_FOUND',
  MessageNotPending: 'MESSAGE_NOT_PENDING',
  // An edit or a recall of a message being sent, cancelled, missed, recalled, or to an audience.
  MessageNotEditable: 'MESSAGE_NOT_EDITABLE',
  // A recall past the 48 hours Telegram gives a bot to delete what it sent.
  RecallWindowPassed: 'RECALL_WINDOW_PASSED',
  MessageNotDueYet: 'MESSAGE_NOT_DUE_YET',
  MessageNotDue: 'MESSAGE_NOT_DUE',
  NotARecipient: 'NOT_A_RECIPIENT',
  InvalidChatId: 'INVALID_CHAT_ID',
  InvalidChatName: 'INVALID_CHAT_NAME',
  ChatAlreadySubscribed: 'CHAT_ALREADY_SUBSCRIBED',
  UserAlreadySubscribed: 'USER_ALREADY_SUBSCRIBED',
  UserNotSubscribed: 'USER_NOT_SUBSCRIBED',
  SubscriberNotFound: 'SUBSCRIBER_NOT_FOUND',
  UnknownPosition: 'UNKNOWN_POSITION',
  TooManyRecipients: 'TOO_MANY_RECIPIENTS',
  ScheduledTooFar: 'SCHEDULED_TOO_FAR',
  FromSenderTooLong: 'FROM_SENDER_TOO_LONG',
  SeriesAlreadyExists: 'SERIES_ALREADY_EXISTS',
  SeriesNotFound: 'SERIES_NOT_FOUND',
  SeriesEnded: 'SERIES_ENDED',
  TooManySeries: 'TOO_MANY_SERIES',
  OccurrenceNotFound: 'OCCURRENCE_NOT_FOUND',
  OccurrencePassed: 'OCCURRENCE_PASSED',
  // A recurrence the rule library refuses (see libs/recurrence).
  InvalidRrule: 'INVALID_RRULE',
  UnsupportedRrule: 'UNSUPPORTED_RRULE',
  RruleTooFrequent: 'RRULE_TOO_FREQUENT',
  UnknownTimeZone: 'UNKNOWN_TIME_ZONE',
  InvalidDtstart: 'INVALID_DTSTART',
  CountAndUntil: 'COUNT_AND_UNTIL',
  UntilBeforeStart: 'UNTIL_BEFORE_START',
  RuleNeverFires: 'RULE_NEVER_FIRES',
  // Topics: named audiences.
  InvalidTopicName: 'INVALID_TOPIC_NAME',
  TopicExists: 'TOPIC_EXISTS',
  TopicNotFound: 'TOPIC_NOT_FOUND',
  TopicMemberNotFound: 'TOPIC_MEMBER_NOT_FOUND',
  ConflictingTargets: 'CONFLICTING_TARGETS',
  UnknownTopic: 'UNKNOWN_TOPIC',
  InvalidTargetAll: 'INVALID_TARGET_ALL',
  // Paid broadcasts: beyond the free limits, for a fee.
  InvalidPaidBroadcast: 'INVALID_PAID_BROADCAST',
  PaidBroadcastDisabled: 'PAID_BROADCAST_DISABLED',
  // Send options (disable_notification, protect_content, message_thread_id, link_preview).
  InvalidSendOption: 'INVALID_SEND_OPTION',
  // A text whose markup Telegram cannot read in its parse_mode (HTML, MarkdownV2).
  InvalidFormatting: 'INVALID_FORMATTING',
  // A {{variable}} of a formatted text that names no field of a recipient.
  UnknownTemplateVariable: 'UNKNOWN_TEMPLATE_VARIABLE',
  // A preview Telegram did not take (the chat is unknown to the bot, blocked it, or Telegram is down).
  PreviewNotSent: 'PREVIEW_NOT_SENT',
  // Buttons under a message: rows of {text, url}.
  InvalidButtons: 'INVALID_BUTTONS',
  // A series at each recipient's local time needs a rule with a time of day.
  LocalTimeNeedsDailyRule: 'LOCAL_TIME_NEEDS_DAILY_RULE',
  // ... and recipients listed by id: only theirs have zones known when it is planned.
  LocalTimeNeedsUserIds: 'LOCAL_TIME_NEEDS_USER_IDS',
} as const;

export type DomainErrorCode = (typeof DomainErrorCode)[keyof typeof DomainErrorCode];

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Machine-readable specifics, e.g. the offending ids. */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
