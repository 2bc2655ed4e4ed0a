import type { DomainErrorCode } from '../../../../libs/domain/src/errors';

export interface ErrorEntry {
  /** The HTTP status the code is answered with. */
  readonly status: number;
  /** When a client gets it: the OpenAPI document and the README say this. */
  readonly when: string;
}

/**
 * Every error code a client can get, with its status and when it comes: the one place both are
 * written. The domain's codes (DomainErrorCode) must all be here; the HTTP layer's own codes (the
 * request itself, before any use case) are only here. ApiError and the problem-details filter
 * take the status from this table, and the routes' OpenAPI problem lists are made from it.
 */
export const ERROR_CATALOGUE = {
  // Keys, limits, and what every route can answer.
  API_KEY_MISSING: { status: 401, when: 'no API key was sent' },
  API_KEY_INVALID: { status: 401, when: 'the API key is not one of API_KEYS' },
  RATE_LIMITED: {
    status: 429,
    when: 'more than API_RATE_LIMIT_PER_MINUTE requests a minute with one key (see Retry-After)',
  },
  INTERNAL_ERROR: {
    status: 500,
    when: 'a fault of ours: nothing of the cause is shown; the correlation id finds it in the logs',
  },
  NOT_FOUND: { status: 404, when: 'no such route' },
  BAD_REQUEST: { status: 400, when: 'a request the framework refused before any route' },
  CONCURRENT_UPDATE: {
    status: 409,
    when: 'another request changed the same resource at the same time; try again',
  },
  // Telegram's webhook.
  WEBHOOK_SECRET_INVALID: {
    status: 401,
    when: 'a webhook call without the right X-Telegram-Bot-Api-Secret-Token',
  },
  INVALID_UPDATE: { status: 400, when: 'a webhook call whose body is not a Telegram update' },
  // Bodies and forms.
  MALFORMED_JSON: { status: 400, when: 'a body that is not JSON' },
  BODY_TOO_LARGE: { status: 413, when: 'a JSON body over 64 kB' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    when: 'JSON to the multipart route, or the other way round',
  },
  INVALID_REQUEST: {
    status: 400,
    when: 'a missing JSON field or query parameter, or one of the wrong type',
  },
  MALFORMED_MULTIPART: { status: 400, when: 'a multipart body that cannot be read' },
  DUPLICATE_FIELD: { status: 400, when: 'a form field of the route given twice' },
  INVALID_FIELD: {
    status: 400,
    when: 'a form field of the route given as a nested name (message[x]), or with a value it cannot take (at_recipient_local_time neither true nor false)',
  },
  FIELD_TOO_LONG: { status: 400, when: 'a form field over 1 MB' },
  TOO_MANY_PARTS: { status: 400, when: 'more than 64 text fields in one form' },
  TOO_MANY_EXTRA_FIELDS: {
    status: 400,
    when: 'more than 32 fields (form fields or JSON properties) the route does not take',
  },
  EXTRA_FIELD_NAME_TOO_LONG: {
    status: 400,
    when: 'a field the route does not take whose name is over 64 characters',
  },
  EXTRA_FIELD_TOO_LONG: {
    status: 400,
    when: 'a field the route does not take whose value is over 1024 bytes (details.field names it)',
  },
  // Files.
  UNEXPECTED_FILE_FIELD: { status: 400, when: 'a file under another field than files' },
  EMPTY_FILE: { status: 400, when: 'an empty file' },
  INVALID_FILE_NAME: {
    status: 400,
    when: 'a file name that is blank, holds a path (/ or \\) or control characters, or is over 255 characters',
  },
  ATTACHMENT_TYPE_MISMATCH: {
    status: 415,
    when: 'a file whose bytes contradict its declared type (a PDF sent as image/jpeg)',
  },
  TOO_MANY_ATTACHMENTS: { status: 400, when: 'more than MAX_FILES_PER_MESSAGE files' },
  ATTACHMENT_TOO_LARGE: { status: 413, when: 'a file over MAX_FILE_SIZE_BYTES' },
  INVALID_ATTACHMENT: { status: 400, when: 'a file without a name' },
  ATTACHMENT_NOT_FOUND: { status: 404, when: 'the message has no attachment of that number' },
  // Scheduling.
  INVALID_TIMESTAMP: {
    status: 400,
    when: 'a time (scheduled_timestamp, from, to) missing, unparseable or impossible (2026-02-30)',
  },
  SCHEDULED_TOO_FAR: {
    status: 400,
    when: 'a time more than SCHEDULE_HORIZON_DAYS ahead (scheduling or moving)',
  },
  MISSING_MESSAGE: { status: 400, when: 'message missing or blank' },
  MESSAGE_TOO_LONG: {
    status: 400,
    when: "message over 4096 characters (Telegram's limit), or over 1024 when it is an album's caption (`as_album`)",
  },
  NO_RECIPIENTS: { status: 400, when: 'no user ids in target_user_id' },
  INVALID_RECIPIENT: { status: 400, when: 'a user id listed twice' },
  TOO_MANY_RECIPIENTS: { status: 400, when: 'more than MAX_RECIPIENTS_PER_MESSAGE recipients' },
  UNKNOWN_RECIPIENTS: { status: 400, when: 'user ids that are no subscribers (named)' },
  UNSUBSCRIBED_RECIPIENTS: { status: 400, when: 'user ids that have unsubscribed (named)' },
  FROM_SENDER_TOO_LONG: { status: 400, when: 'a from_sender over 256 characters' },
  // Messages.
  MESSAGE_NOT_FOUND: { status: 404, when: 'no message with that id' },
  MESSAGE_NOT_PENDING: {
    status: 409,
    when: 'cancelling or moving a message that is already due, sent or cancelled',
  },
  MESSAGE_ALREADY_SCHEDULED: { status: 409, when: 'a message id that is taken' },
  MESSAGE_NOT_DUE_YET: { status: 400, when: 'marking a message due before its time' },
  MESSAGE_NOT_DUE: { status: 400, when: 'recording a send of a message that is not due' },
  NOT_A_RECIPIENT: { status: 400, when: 'recording a send to someone the message is not for' },
  INVALID_LIMIT: { status: 400, when: 'a page size out of its range' },
  INVALID_CURSOR: { status: 400, when: 'a cursor GET /messages did not give out' },
  // Subscribers.
  INVALID_CHAT_ID: { status: 400, when: 'chat_id not a Telegram chat id (an integer, or @name)' },
  INVALID_CHAT_NAME: { status: 400, when: 'chat_name empty or over 256 characters' },
  CHAT_ALREADY_SUBSCRIBED: {
    status: 400,
    when: 'the chat is subscribed already (as the seed answered)',
  },
  USER_ALREADY_SUBSCRIBED: { status: 400, when: 'the subscriber is subscribed already' },
  USER_NOT_SUBSCRIBED: { status: 409, when: 'the chat is not subscribed' },
  SUBSCRIBER_NOT_FOUND: { status: 404, when: 'no subscriber with that user_id' },
  // Topics.
  INVALID_TOPIC_NAME: {
    status: 400,
    when: 'a topic name that is not 1 to 64 letters, digits, _ or - (no spaces)',
  },
  TOPIC_EXISTS: { status: 409, when: 'a topic with that name exists already' },
  TOPIC_NOT_FOUND: { status: 404, when: 'no topic with that name' },
  TOPIC_MEMBER_NOT_FOUND: { status: 404, when: 'the subscriber is not a member of the topic' },
  CONFLICTING_TARGETS: {
    status: 400,
    when: 'more than one kind of target: target_user_id, target_topic and target_all exclude each other',
  },
  UNKNOWN_TOPIC: { status: 400, when: 'target_topic names a topic that does not exist' },
  INVALID_TARGET_ALL: { status: 400, when: 'target_all is not true' },
  INVALID_PAID_BROADCAST: { status: 400, when: 'paid_broadcast is not true or false' },
  PAID_BROADCAST_DISABLED: {
    status: 400,
    when: 'paid_broadcast is true while paid broadcasts are off (TELEGRAM_PAID_BROADCAST)',
  },
  INVALID_BUTTONS: {
    status: 400,
    when: 'buttons is not JSON rows of {"text", "url"}, or breaks a limit: 1 to 8 buttons a row, 100 in all, a text of 1 to 64 characters, an http, https or tg url (the message names the button)',
  },
  MESSAGE_NOT_EDITABLE: {
    status: 409,
    when: 'an edit or a recall of a message being sent (try again once sent), cancelled, missed or recalled, or a recall of one not yet sent',
  },
  RECALL_WINDOW_PASSED: {
    status: 409,
    when: 'a recall more than 48 hours after the message fell due: Telegram no longer lets the bot delete it (the deadline is in the answer)',
  },
  PREVIEW_NOT_SENT: {
    status: 502,
    when: 'Telegram did not take a preview (a chat the bot cannot post in, a bot blocked, Telegram unreachable): its answer is in the message',
  },
  INVALID_FORMATTING: {
    status: 400,
    when: 'a message whose markup Telegram cannot read in its parse_mode (HTML or MarkdownV2): the answer names the offset and the problem',
  },
  UNKNOWN_TEMPLATE_VARIABLE: {
    status: 400,
    when: 'a formatted message (HTML or MarkdownV2) names a {{variable}} that is none of first_name, last_name, username, chat_name, user_id',
  },
  INVALID_SEND_OPTION: {
    status: 400,
    when: 'disable_notification, protect_content or as_album is not true or false, message_thread_id not a whole number from 1, link_preview not on, off or an http(s) URL, parse_mode not plain, HTML or MarkdownV2, send_as not documents or media, or delete_after not whole seconds from 1 to 169200 (the field is named)',
  },
  // Recurring series.
  SERIES_ALREADY_EXISTS: { status: 409, when: 'a series with that id exists already' },
  SERIES_NOT_FOUND: { status: 404, when: 'no series with that id' },
  SERIES_ENDED: { status: 409, when: 'the series has ended: it changes no more' },
  TOO_MANY_SERIES: {
    status: 400,
    when: 'the API key has SERIES_MAX_ACTIVE_PER_KEY series that have not ended',
  },
  OCCURRENCE_NOT_FOUND: {
    status: 404,
    when: 'the series has no upcoming occurrence at that time (within its next 1000)',
  },
  OCCURRENCE_PASSED: { status: 409, when: 'the occurrence has passed, or is skipped already' },
  INVALID_RRULE: { status: 400, when: 'the rrule cannot be read as an RFC 5545 RRULE' },
  UNSUPPORTED_RRULE: {
    status: 400,
    when: 'a rule part this system does not take (SECONDLY, BYSECOND, BYWEEKNO, BYYEARDAY, …)',
  },
  RRULE_TOO_FREQUENT: {
    status: 400,
    when: 'the rule fires more often than every SERIES_MIN_INTERVAL_MINUTES',
  },
  UNKNOWN_TIME_ZONE: { status: 400, when: 'time_zone is not an IANA time zone' },
  INVALID_DTSTART: { status: 400, when: 'dtstart is not a local date-time without an offset' },
  COUNT_AND_UNTIL: { status: 400, when: 'the rule has both COUNT and UNTIL' },
  UNTIL_BEFORE_START: { status: 400, when: "the rule's UNTIL is before dtstart" },
  RULE_NEVER_FIRES: { status: 400, when: 'the rule has no occurrence at all' },
  LOCAL_TIME_NEEDS_DAILY_RULE: {
    status: 400,
    when: 'at_recipient_local_time with an hourly or minutely rule (it needs a time of day)',
  },
  LOCAL_TIME_NEEDS_USER_IDS: {
    status: 400,
    when: 'at_recipient_local_time with target_topic or target_all (it needs recipients by id)',
  },
  // The log.
  UNKNOWN_POSITION: { status: 400, when: 'an after position GET /events did not give out' },
  // Idempotency keys.
  INVALID_IDEMPOTENCY_KEY: {
    status: 400,
    when: 'an Idempotency-Key that is not 1 to 255 visible ASCII characters',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    when: 'an Idempotency-Key this API key used for a different request',
  },
  IDEMPOTENCY_KEY_IN_FLIGHT: {
    status: 409,
    when: 'the first request with this Idempotency-Key is still being handled',
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

// Every domain code has its entry: a new one fails the type check until it is added above.
const domainCodesCovered: Record<DomainErrorCode, ErrorEntry> = ERROR_CATALOGUE;
void domainCodesCovered;

export const statusOf = (code: ErrorCode): number => ERROR_CATALOGUE[code].status;

/** The title of a problem answer, by status (RFC 9110's reason phrases). */
export const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};
