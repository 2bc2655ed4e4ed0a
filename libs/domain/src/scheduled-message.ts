import { Map as ImmutableMap } from 'immutable';
import { DomainError, DomainErrorCode } from './errors';
import {
  type Attachment,
  type Audience,
  type AudiencePartSent,
  type AudienceRevisionDue,
  type AudienceResolved,
  type ButtonRows,
  DEFAULT_SEND_OPTIONS,
  type DeliveryFailureCode,
  type MessageDue,
  type MessageMissed,
  type MessageScheduled,
  type MessageSendOptions,
  type MessageSent,
  type OccurrenceOfSeries,
  type RecipientDelivered,
  type RecipientDeliveryFailed,
  type RecipientPartSent,
  type ScheduledMessageEvent,
} from './events';
import { PARSE_MODES, parseFormattedText, type ParseMode } from './formatting';
import { isCaptioned, MAX_CAPTION_LENGTH } from './media';
import {
  hasTemplateVariables,
  renderExtreme,
  renderInPlace,
  validateTemplateVariables,
} from './template';

/** Telegram refuses a text message longer than this. */
export const MAX_MESSAGE_LENGTH = 4096;

/**
 * Recipients per AudienceResolved event, at most: an audience of 100,000 is 100 events of one
 * append, and 100 parts that delivery processes take one at a time, each in its own stream.
 */
export const AUDIENCE_PART_SIZE = 1000;

/** The longest sender label (`from_sender`) a message keeps. */
export const MAX_FROM_SENDER_LENGTH = 256;

export type RecipientOutcome = 'delivered' | 'failed';

export type ScheduledMessageState =
  | { readonly status: 'none' }
  | {
      /**
       * scheduled → due (the scheduler found it due) → sent (every recipient has an outcome); or
       * cancelled before it was due; or, for a series occurrence found past its grace period after
       * downtime, missed.
       */
      readonly status: 'scheduled' | 'due' | 'sent' | 'cancelled' | 'missed';
      readonly messageId: string;
      /** The recipients; of one part only in the state of an audience's part (see `part`). */
      readonly recipients: readonly string[];
      readonly text: string;
      readonly scheduledAt: string;
      readonly attachments: readonly Attachment[];
      /** The series occurrence this message is; null for a message of its own. */
      readonly series: OccurrenceOfSeries | null;
      /** Topics or everyone, resolved when due; null for a list of user ids. */
      readonly audience: Audience | null;
      /** Sent with `allow_paid_broadcast`, within the paid limit rather than the free one. */
      readonly paidBroadcast: boolean;
      /** How Telegram shows it (silent, protected, forum topic, link preview). */
      readonly sendOptions: MessageSendOptions;
      /** URL buttons under the text; empty for none. */
      readonly buttons: ButtonRows;
      /** For an audience: whether it has been resolved (its recipients are in `recipients`). */
      readonly audienceResolved: boolean;
      /** For an audience: the parts it was resolved in, each delivered in its own stream; else 0. */
      readonly audienceParts: number;
      /**
       * The part of the audience this state is of (folded by audiencePartEvolver: the message's
       * events, that part's recipients, and the outcomes in that part's stream); null for the
       * message's own stream.
       */
      readonly part: number | null;
      /** Persistent maps: one recipient's outcome is a cheap step, not a copy of every other. */
      readonly outcomes: ImmutableMap<string, RecipientOutcome>;
      /** How many of `outcomes` are 'delivered'. */
      readonly delivered: number;
      /** Per recipient, the parts sent so far (0 = the text, n = the n-th attachment) and Telegram's message id for each. */
      readonly partsSent: ImmutableMap<string, Readonly<Record<number, number>>>;
      /** Per attachment part, Telegram's file_id from its first upload: later sends reuse it. */
      readonly fileIds: Readonly<Record<number, string>>;
      /** Per recipient, the chat their parts went to (a group may have moved since). */
      readonly chatsSent: ImmutableMap<string, string>;
      /** Edits so far (MessageEdited's numbers go up from 1). */
      readonly edits: number;
      /** The number of the latest edit of the chats that got the text; 0 for none. */
      readonly chatEdit: number;
      /** Per recipient, the latest edit their chat has an outcome for (edited or failed). */
      readonly editOutcomes: ImmutableMap<string, number>;
      /** When recalled: by when Telegram lets the bot delete what it sent; null while not recalled. */
      readonly recallDeadline: string | null;
      /** Per recipient, whether their chat's copy was deleted. */
      readonly recallOutcomes: ImmutableMap<string, 'recalled' | 'failed'>;
      /**
       * For an audience: the latest revision its parts were handed (AudienceRevisionDue): the edit
       * of the chats, and whether the recall.
       */
      readonly revisionDue: { readonly edit: number; readonly recall: boolean };
    };

export const initialScheduledMessageState: ScheduledMessageState = { status: 'none' };

/** A message that exists. */
type KnownState = Exclude<ScheduledMessageState, { status: 'none' }>;

export type RecipientStatus = 'active' | 'unsubscribed';

export interface AttachmentLimits {
  readonly maxCount: number;
  readonly maxBytes: number;
}

/** What one message may hold, and how far ahead it may be scheduled. */
export interface ScheduleLimits extends AttachmentLimits {
  readonly maxRecipients: number;
  /** The latest time a message may be scheduled for (now plus the horizon). */
  readonly latest: Date;
}

export interface ScheduleMessage {
  readonly type: 'ScheduleMessage';
  readonly messageId: string;
  /** The user ids the message is for; empty when it is for an audience. */
  readonly recipients: readonly string[];
  /** Topics or everyone, resolved when the message falls due; none for a list of user ids. */
  readonly audience?: Audience;
  readonly text: string;
  readonly scheduledAt: Date;
  readonly attachments: readonly Attachment[];
  /** The client's label for the sender; null (or empty) when none. */
  readonly fromSender: string | null;
  /** Send as a paid broadcast; only where paid broadcasts are allowed (`paidBroadcastAllowed`). */
  readonly paidBroadcast?: boolean;
  /** Whether this bot may send paid broadcasts (TELEGRAM_PAID_BROADCAST=on). */
  readonly paidBroadcastAllowed?: boolean;
  /** How Telegram shows it; Telegram's defaults when not given. */
  readonly sendOptions?: MessageSendOptions;
  /** URL buttons under the text; none when not given. */
  readonly buttons?: ButtonRows;
  /** What the subscribers view says of each recipient; an id absent from it is unknown. */
  readonly recipientStatus: ReadonlyMap<string, RecipientStatus>;
  readonly limits: ScheduleLimits;
}

/**
 * A series plans one of its occurrences as a message. The series checked its text, recipients and
 * files when it was created or changed; a recipient who unsubscribed since is kept, and delivery
 * records why they did not get it, so the audit says who the occurrence was meant for.
 */
export interface ScheduleOccurrence {
  readonly type: 'ScheduleOccurrence';
  readonly messageId: string;
  readonly recipients: readonly string[];
  readonly text: string;
  readonly scheduledAt: Date;
  readonly attachments: readonly Attachment[];
  readonly fromSender: string | null;
  readonly series: OccurrenceOfSeries;
  /** The series' topics or everyone, resolved when the occurrence is due (recipients empty). */
  readonly audience: Audience | null;
  /** How Telegram shows it, and its buttons: the series' own (checked when it was created). */
  readonly sendOptions: MessageSendOptions;
  readonly buttons: ButtonRows;
}

/** The scheduler found the message due. */
export interface MarkMessageDue {
  readonly type: 'MarkMessageDue';
  readonly messageId: string;
  readonly now: Date;
  /**
   * How long before its time the message may be handed to delivery, which holds it until its
   * time: the work before a send is done by then, so that many messages due at one instant
   * leave at that instant.
   */
  readonly leadMs?: number;
  /** How late a series occurrence may still be sent; a message of its own is always sent. */
  readonly seriesGraceMs?: number;
}

/**
 * The message's audience as it is now that the message is due: the subscribers it goes to (for
 * topics, the members subscribed now; for everyone, every subscriber), each once.
 */
export interface ResolveAudience {
  readonly type: 'ResolveAudience';
  readonly messageId: string;
  readonly recipients: readonly string[];
  /** Recipients per part, 1 to AUDIENCE_PART_SIZE (the default). */
  readonly partSize?: number;
}

/** What a part's AudiencePartSent said: its recipients' outcomes, counted. */
export interface AudiencePartResult {
  readonly part: number;
  readonly delivered: number;
  readonly failed: number;
}

/**
 * The parts of the message's audience found sent so far (AudiencePartSent in their streams): when
 * every part is, the message is sent.
 */
export interface CompleteAudienceDelivery {
  readonly type: 'CompleteAudienceDelivery';
  readonly messageId: string;
  readonly partsSent: readonly AudiencePartResult[];
}

/** One part of the message reached a recipient's chat. */
export interface RecordPartSent {
  readonly type: 'RecordPartSent';
  readonly messageId: string;
  readonly userId: string;
  readonly chatId: string;
  readonly part: number;
  readonly telegramMessageId: number;
  readonly telegramFileId?: string;
}

/**
 * Several parts reached a recipient's chat in one call (an album, its caption the text): recorded
 * in one append, so that a crash leaves the album all recorded or not at all.
 */
export interface RecordPartsSent {
  readonly type: 'RecordPartsSent';
  readonly messageId: string;
  readonly userId: string;
  readonly chatId: string;
  readonly parts: readonly Pick<RecordPartSent, 'part' | 'telegramMessageId' | 'telegramFileId'>[];
}

/** A recipient will not get the message (a permanent failure). */
export interface RecordDeliveryFailure {
  readonly type: 'RecordDeliveryFailure';
  readonly messageId: string;
  readonly userId: string;
  readonly code: DeliveryFailureCode;
  readonly reason: string;
}

/** The client cancels a message before it is due. */
export interface CancelMessage {
  readonly type: 'CancelMessage';
  readonly messageId: string;
}

/** The client moves a message to another time before it is due. */
export interface RescheduleMessage {
  readonly type: 'RescheduleMessage';
  readonly messageId: string;
  readonly scheduledAt: Date;
  /** The latest time allowed, as for scheduling; none: no horizon. */
  readonly latest?: Date;
}

/**
 * The client changes the text: before the message is due, what will be sent; once sent, what
 * every chat that got it shows (each edited by delivery). Not while it is being sent, nor once
 * cancelled, missed or recalled.
 */
export interface EditMessage {
  readonly type: 'EditMessage';
  readonly messageId: string;
  readonly text: string;
}

/**
 * The client takes a sent message back from every chat, within the 48 hours Telegram gives a bot
 * to delete what it sent, counted from `dueAt` (when it fell due: every send came after).
 */
export interface RecallMessage {
  readonly type: 'RecallMessage';
  readonly messageId: string;
  readonly now: Date;
  readonly dueAt: Date;
  /** By the scheduler, for `delete_after`; a client's recall when absent. */
  readonly automatic?: boolean;
}

/** Telegram's window for a bot to delete a message it sent. */
export const RECALL_WINDOW_MS = 48 * 3_600_000;

/**
 * The longest `delete_after`: an hour short of Telegram's 48, so that a message still being sent
 * when its time comes (a large audience) is recalled within the window.
 */
export const MAX_DELETE_AFTER_SECONDS = 47 * 3600;

/** Delivery's outcome of an edit or a recall in one recipient's chat. */
export interface RecordRevision {
  readonly type: 'RecordRevision';
  readonly messageId: string;
  readonly userId: string;
  /** The edit carried out (its number), or the recall. */
  readonly revision: { readonly kind: 'edit'; readonly edit: number } | { readonly kind: 'recall' };
  readonly outcome:
    | { readonly ok: true; readonly chatId: string }
    | { readonly ok: false; readonly code: DeliveryFailureCode; readonly reason: string };
}

/**
 * Delivery hands a broadcast's latest edit or recall to its parts: one AudienceRevisionDue per part,
 * once per revision (nothing when its parts have it already).
 */
export interface PlanAudienceRevision {
  readonly type: 'PlanAudienceRevision';
  readonly messageId: string;
}

export type ScheduledMessageCommand =
  | EditMessage
  | RecallMessage
  | RecordRevision
  | PlanAudienceRevision
  | ScheduleMessage
  | ScheduleOccurrence
  | CancelMessage
  | RescheduleMessage
  | MarkMessageDue
  | ResolveAudience
  | RecordPartSent
  | RecordPartsSent
  | RecordDeliveryFailure
  | CompleteAudienceDelivery;

export function decideScheduledMessage(
  command: ScheduledMessageCommand,
  state: ScheduledMessageState,
): ScheduledMessageEvent[] {
  switch (command.type) {
    case 'ScheduleMessage':
      return [schedule(command, state)];
    case 'ScheduleOccurrence':
      return [scheduleOccurrence(command, state)];
    case 'CancelMessage':
      requirePending(command.messageId, state);
      return [{ type: 'MessageCancelled', data: { messageId: command.messageId } }];
    case 'RescheduleMessage': {
      const pending = requirePending(command.messageId, state);
      if (Number.isNaN(command.scheduledAt.getTime())) {
        throw new DomainError(
          DomainErrorCode.InvalidTimestamp,
          'scheduled_timestamp is not a valid time',
        );
      }
      if (command.latest) validateHorizon(command.scheduledAt, command.latest);
      const scheduledAt = command.scheduledAt.toISOString();
      if (scheduledAt === pending.scheduledAt) return [];
      return [
        {
          type: 'MessageRescheduled',
          data: {
            messageId: command.messageId,
            scheduledAt,
            previousScheduledAt: pending.scheduledAt,
          },
        },
      ];
    }
    case 'MarkMessageDue':
      return [markDue(command, state)];
    case 'ResolveAudience':
      return resolveAudience(command, state);
    case 'RecordPartSent':
      return recordPartSent(command, state);
    case 'RecordPartsSent': {
      // Each part as if recorded alone, one after the other: the last may deliver the recipient.
      const events: ScheduledMessageEvent[] = [];
      let current = state;
      for (const sent of command.parts) {
        const { messageId, userId, chatId } = command;
        const single = { type: 'RecordPartSent' as const, messageId, userId, chatId, ...sent };
        const decided = recordPartSent(single, current);
        events.push(...decided);
        current = decided.reduce(evolveScheduledMessage, current);
      }
      return events;
    }
    case 'RecordDeliveryFailure':
      return recordFailure(command, state);
    case 'CompleteAudienceDelivery':
      return completeAudienceDelivery(command, state);
    case 'EditMessage':
      return editMessage(command, state);
    case 'RecallMessage':
      return recallMessage(command, state);
    case 'RecordRevision':
      return recordRevision(command, state);
    case 'PlanAudienceRevision':
      return planAudienceRevision(command, state);
  }
}

function planAudienceRevision(
  command: PlanAudienceRevision,
  state: ScheduledMessageState,
): AudienceRevisionDue[] {
  if (state.status !== 'sent' || state.audience === null || state.audienceParts === 0) return [];
  const recall = state.recallDeadline !== null;
  const { revisionDue } = state;
  if (state.chatEdit <= revisionDue.edit && recall === revisionDue.recall) return [];
  const parts = state.audienceParts;
  return Array.from({ length: parts }, (_, index) => ({
    type: 'AudienceRevisionDue',
    data: { messageId: command.messageId, part: index + 1, parts, edit: state.chatEdit, recall },
  }));
}

/** A message that may still change in the chats that got it: sent, to user ids, not recalled. */
function requireRevisable(
  messageId: string,
  state: ScheduledMessageState,
  what: string,
): KnownState {
  if (state.status === 'none') {
    throw new DomainError(DomainErrorCode.MessageNotFound, `No message with id ${messageId}`, {
      messageId,
    });
  }
  const refuse = (why: string): never => {
    throw new DomainError(
      DomainErrorCode.MessageNotEditable,
      `Message ${messageId} cannot be ${what}: ${why}`,
      { status: state.status },
    );
  };
  if (state.recallDeadline !== null) refuse('it was recalled');
  if (state.status === 'due') refuse('it is being sent; try again once it is sent');
  if (state.status === 'cancelled' || state.status === 'missed') refuse(`it is ${state.status}`);
  return state;
}

function editMessage(command: EditMessage, state: ScheduledMessageState): ScheduledMessageEvent[] {
  const message = requireRevisable(command.messageId, state, 'edited');
  validateText(
    command.text,
    message.sendOptions.parseMode,
    textLimitOf(message.attachments, message.sendOptions, message.buttons),
  );
  if (command.text === message.text) return [];
  return [
    {
      type: 'MessageEdited',
      data: {
        messageId: command.messageId,
        text: command.text,
        edit: message.edits + 1,
        inChats: message.status === 'sent',
      },
    },
  ];
}

function recallMessage(
  command: RecallMessage,
  state: ScheduledMessageState,
): ScheduledMessageEvent[] {
  const message = requireRevisable(command.messageId, state, 'recalled');
  if (message.status !== 'sent') {
    throw new DomainError(
      DomainErrorCode.MessageNotEditable,
      `Message ${command.messageId} cannot be recalled: it has not been sent (cancel it instead)`,
      { status: message.status },
    );
  }
  const deadline = new Date(command.dueAt.getTime() + RECALL_WINDOW_MS);
  if (command.now.getTime() > deadline.getTime()) {
    throw new DomainError(
      DomainErrorCode.RecallWindowPassed,
      `Message ${command.messageId} can no longer be recalled: Telegram lets a bot delete what it sent for 48 hours, until ${deadline.toISOString()}`,
      { deadline: deadline.toISOString() },
    );
  }
  return [
    {
      type: 'MessageRecalled',
      data: {
        messageId: command.messageId,
        deadline: deadline.toISOString(),
        automatic: command.automatic ?? false,
      },
    },
  ];
}

/** An edit's or a recall's outcome in one chat, once: a repeat of it records nothing. */
function recordRevision(
  command: RecordRevision,
  state: ScheduledMessageState,
): ScheduledMessageEvent[] {
  if (state.status !== 'sent') {
    throw new Error(`Message ${command.messageId} is ${state.status}: nothing to edit or recall`);
  }
  const { messageId, userId, outcome } = command;
  if (command.revision.kind === 'edit') {
    const { edit } = command.revision;
    if ((state.editOutcomes.get(userId) ?? 0) >= edit) return [];
    return [
      outcome.ok
        ? { type: 'RecipientEdited', data: { messageId, userId, chatId: outcome.chatId, edit } }
        : {
            type: 'RecipientEditFailed',
            data: { messageId, userId, edit, code: outcome.code, reason: outcome.reason },
          },
    ];
  }
  if (state.recallOutcomes.has(userId)) return [];
  return [
    outcome.ok
      ? { type: 'RecipientRecalled', data: { messageId, userId, chatId: outcome.chatId } }
      : {
          type: 'RecipientRecallFailed',
          data: { messageId, userId, code: outcome.code, reason: outcome.reason },
        },
  ];
}

/**
 * The chats still to edit, with the edit to bring them to: those that got the text and have no
 * outcome for the latest edit of the chats. None once recalled.
 */
export function chatsToEdit(
  state: ScheduledMessageState,
): { userId: string; chatId: string; telegramMessageId: number }[] {
  if (state.status !== 'sent' || state.chatEdit === 0 || state.recallDeadline !== null) return [];
  const edit = state.chatEdit;
  return sentCopies(state).flatMap(({ userId, chatId, parts }) =>
    parts[0] !== undefined && (state.editOutcomes.get(userId) ?? 0) < edit
      ? [{ userId, chatId, telegramMessageId: parts[0] }]
      : [],
  );
}

/** The chats still to recall, with every message the recipient got (the text and the files). */
export function chatsToRecall(
  state: ScheduledMessageState,
): { userId: string; chatId: string; telegramMessageIds: number[] }[] {
  if (state.status !== 'sent' || state.recallDeadline === null) return [];
  return sentCopies(state).flatMap(({ userId, chatId, parts }) =>
    state.recallOutcomes.has(userId)
      ? []
      : // An album's caption is its first item: one message for two parts.
        [{ userId, chatId, telegramMessageIds: [...new Set(Object.values(parts))] }],
  );
}

/** Each recipient who got any part: the chat it went to and Telegram's id of each part. */
function sentCopies(
  state: KnownState,
): { userId: string; chatId: string; parts: Readonly<Record<number, number>> }[] {
  return [...state.partsSent].flatMap(([userId, parts]) => {
    const chatId = state.chatsSent.get(userId);
    return chatId === undefined ? [] : [{ userId, chatId, parts }];
  });
}

function schedule(command: ScheduleMessage, state: ScheduledMessageState): MessageScheduled {
  requireNew(command.messageId, state);
  const sendOptions = validSendOptions(command.sendOptions ?? DEFAULT_SEND_OPTIONS);
  validateText(
    command.text,
    sendOptions.parseMode,
    textLimitOf(command.attachments, sendOptions, command.buttons ?? []),
  );
  if (command.audience) {
    if (command.recipients.length > 0) {
      throw new DomainError(
        DomainErrorCode.ConflictingTargets,
        'Give one kind of target: target_user_id, target_topic or target_all',
        { field: 'target_user_id' },
      );
    }
  } else if (command.recipients.length > command.limits.maxRecipients) {
    throw new DomainError(
      DomainErrorCode.TooManyRecipients,
      `At most ${command.limits.maxRecipients} recipients per message; got ${command.recipients.length}`,
      { field: 'target_user_id', max: command.limits.maxRecipients },
    );
  }
  if (!command.audience) validateRecipients(command.recipients, command.recipientStatus);
  validateAttachments(command.attachments, command.limits);
  if (Number.isNaN(command.scheduledAt.getTime())) {
    throw new DomainError(
      DomainErrorCode.InvalidTimestamp,
      'scheduled_timestamp is not a valid time',
    );
  }
  validateHorizon(command.scheduledAt, command.limits.latest);
  if (command.paidBroadcast && !command.paidBroadcastAllowed) {
    throw new DomainError(
      DomainErrorCode.PaidBroadcastDisabled,
      'paid_broadcast is off for this bot: it sends within the free limits (TELEGRAM_PAID_BROADCAST=on allows it)',
      { field: 'paid_broadcast' },
    );
  }
  return {
    type: 'MessageScheduled',
    data: {
      messageId: command.messageId,
      recipients: [...command.recipients],
      text: command.text,
      scheduledAt: command.scheduledAt.toISOString(),
      attachments: command.attachments.map((attachment) => ({ ...attachment })),
      fromSender: senderLabel(command.fromSender),
      series: null,
      audience: command.audience ? copyAudience(command.audience) : null,
      paidBroadcast: command.paidBroadcast ?? false,
      sendOptions,
      buttons: validButtons(command.buttons ?? []),
    },
  };
}

/** The longest link a button or a link preview may name. */
const MAX_URL_LENGTH = 2048;

/** Telegram's limits of an inline keyboard: buttons in all, and in a row (more are not shown). */
const BUTTON_LIMITS = { total: 100, perRow: 8, textLength: 64 } as const;

/**
 * URL buttons as Telegram takes them: rows of one to eight, a hundred in all, each with a text
 * and a link Telegram opens (http, https or tg). The text's limit is ours: clients cut a longer
 * one short.
 */
export function validButtons(rows: ButtonRows): ButtonRows {
  const refuse = (problem: string): never => {
    throw new DomainError(DomainErrorCode.InvalidButtons, `buttons: ${problem}`, {
      field: 'buttons',
    });
  };
  if (rows.flat().length > BUTTON_LIMITS.total) {
    refuse(`at most ${BUTTON_LIMITS.total} buttons in all`);
  }
  return rows.map((row, rowIndex) => {
    if (row.length === 0 || row.length > BUTTON_LIMITS.perRow) {
      refuse(`row ${rowIndex + 1} has ${row.length} buttons: 1 to ${BUTTON_LIMITS.perRow} a row`);
    }
    return row.map((button, index) => {
      const where = `row ${rowIndex + 1}, button ${index + 1}`;
      const text = button.text.trim();
      if (text.length === 0 || [...text].length > BUTTON_LIMITS.textLength) {
        refuse(`${where}: a text of 1 to ${BUTTON_LIMITS.textLength} characters`);
      }
      if (!isButtonUrl(button.url)) {
        refuse(`${where}: a url of http, https or tg (at most ${MAX_URL_LENGTH} characters)`);
      }
      return { text, url: button.url };
    });
  });
}

function isButtonUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    return new URL(value).protocol === 'tg:' ? value.length <= MAX_URL_LENGTH : isPreviewUrl(value);
  } catch {
    return false;
  }
}

/** The largest message_thread_id the Bot API takes (a 32-bit signed integer). */
const MAX_THREAD_ID = 2_147_483_647;

/** Send options as Telegram takes them: a forum topic's id is a positive integer, a preview's URL http(s). */
export function validSendOptions(options: MessageSendOptions): MessageSendOptions {
  const thread = options.messageThreadId;
  if (thread !== null && !(Number.isInteger(thread) && thread > 0 && thread <= MAX_THREAD_ID)) {
    throw new DomainError(
      DomainErrorCode.InvalidSendOption,
      `message_thread_id is the id of a forum topic: a whole number from 1 to ${MAX_THREAD_ID}`,
      { field: 'message_thread_id' },
    );
  }
  const preview = options.linkPreview;
  if (typeof preview === 'object' && !isPreviewUrl(preview.url)) {
    throw new DomainError(
      DomainErrorCode.InvalidSendOption,
      `link_preview takes on, off, or the http(s) URL of the page to preview (at most ${MAX_URL_LENGTH} characters)`,
      { field: 'link_preview' },
    );
  }
  const deleteAfter = options.deleteAfter;
  if (
    deleteAfter !== null &&
    !(Number.isInteger(deleteAfter) && deleteAfter >= 1 && deleteAfter <= MAX_DELETE_AFTER_SECONDS)
  ) {
    throw new DomainError(
      DomainErrorCode.InvalidSendOption,
      `delete_after is the seconds after the message falls due when it is deleted from every chat: a whole number from 1 to ${MAX_DELETE_AFTER_SECONDS} (Telegram lets a bot delete what it sent for 48 hours)`,
      { field: 'delete_after' },
    );
  }
  if (options.sendAs !== 'documents' && options.sendAs !== 'media') {
    throw new DomainError(DomainErrorCode.InvalidSendOption, 'send_as takes documents or media', {
      field: 'send_as',
    });
  }
  if (!PARSE_MODES.includes(options.parseMode)) {
    throw new DomainError(
      DomainErrorCode.InvalidSendOption,
      `parse_mode takes ${PARSE_MODES.join(', ')}`,
      { field: 'parse_mode' },
    );
  }
  return {
    disableNotification: options.disableNotification,
    protectContent: options.protectContent,
    messageThreadId: thread,
    linkPreview: typeof preview === 'object' ? { url: preview.url } : preview,
    parseMode: options.parseMode,
    deleteAfter,
    sendAs: options.sendAs,
    asAlbum: options.asAlbum === true,
  };
}

function isPreviewUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function copyAudience(audience: Audience): Audience {
  return audience.kind === 'all'
    ? { kind: 'all' }
    : { kind: 'topics', topics: audience.topics.map((topic) => ({ ...topic })) };
}

function scheduleOccurrence(
  command: ScheduleOccurrence,
  state: ScheduledMessageState,
): MessageScheduled {
  requireNew(command.messageId, state);
  return {
    type: 'MessageScheduled',
    data: {
      messageId: command.messageId,
      recipients: [...command.recipients],
      text: command.text,
      scheduledAt: command.scheduledAt.toISOString(),
      attachments: command.attachments.map((attachment) => ({ ...attachment })),
      fromSender: command.fromSender,
      series: { ...command.series },
      audience: command.audience,
      paidBroadcast: false,
      sendOptions: command.sendOptions,
      buttons: command.buttons,
    },
  };
}

function requireNew(messageId: string, state: ScheduledMessageState): void {
  if (state.status !== 'none') {
    throw new DomainError(
      DomainErrorCode.MessageAlreadyScheduled,
      `Message ${messageId} is already scheduled`,
      { messageId },
    );
  }
}

/** An empty label is no label: forms send empty fields for inputs left blank. */
export function senderLabel(fromSender: string | null): string | null {
  if (fromSender === null || fromSender.length === 0) return null;
  if ([...fromSender].length > MAX_FROM_SENDER_LENGTH) {
    throw new DomainError(
      DomainErrorCode.FromSenderTooLong,
      `from_sender may be at most ${MAX_FROM_SENDER_LENGTH} characters long`,
      { field: 'from_sender', max: MAX_FROM_SENDER_LENGTH },
    );
  }
  return fromSender;
}

/** Cancelling and rescheduling are for a message not yet due. */
function requirePending(
  messageId: string,
  state: ScheduledMessageState,
): Exclude<ScheduledMessageState, { status: 'none' }> {
  if (state.status === 'none') {
    throw new DomainError(DomainErrorCode.MessageNotFound, `No message with id ${messageId}`, {
      messageId,
    });
  }
  if (state.status !== 'scheduled') {
    throw new DomainError(
      DomainErrorCode.MessageNotPending,
      `Message ${messageId} is already ${state.status}: only a message not yet due can change`,
      { status: state.status },
    );
  }
  return state;
}

function markDue(
  command: MarkMessageDue,
  state: ScheduledMessageState,
): MessageDue | MessageMissed {
  if (state.status === 'none') {
    throw new DomainError(
      DomainErrorCode.MessageNotFound,
      `Message ${command.messageId} does not exist`,
    );
  }
  if (state.status !== 'scheduled') {
    throw new DomainError(
      DomainErrorCode.MessageNotPending,
      `Message ${command.messageId} is already ${state.status}`,
      { status: state.status },
    );
  }
  if (new Date(state.scheduledAt).getTime() - (command.leadMs ?? 0) > command.now.getTime()) {
    throw new DomainError(
      DomainErrorCode.MessageNotDueYet,
      `Message ${command.messageId} is due at ${state.scheduledAt}`,
    );
  }
  const lateMs = command.now.getTime() - new Date(state.scheduledAt).getTime();
  if (state.series && command.seriesGraceMs !== undefined && lateMs > command.seriesGraceMs) {
    return {
      type: 'MessageMissed',
      data: {
        messageId: state.messageId,
        scheduledAt: state.scheduledAt,
        foundAt: command.now.toISOString(),
      },
    };
  }
  return {
    type: 'MessageDue',
    data: { messageId: state.messageId, scheduledAt: state.scheduledAt },
  };
}

type Message = Exclude<ScheduledMessageState, { status: 'none' }>;

/**
 * Records who a due message's audience is, in parts; resolved already, it changes nothing (a
 * redelivered MessageDue resolves again and keeps the first answer). An audience of nobody is
 * recorded as such and the message is sent to 0 recipients.
 */
function resolveAudience(
  command: ResolveAudience,
  state: ScheduledMessageState,
): ScheduledMessageEvent[] {
  if (state.status === 'none') {
    throw new DomainError(
      DomainErrorCode.MessageNotFound,
      `Message ${command.messageId} does not exist`,
    );
  }
  if (state.audience === null) {
    throw new Error(`Message ${command.messageId} is for user ids, not an audience`);
  }
  if (state.audienceResolved) return [];
  if (state.status !== 'due') {
    throw new DomainError(
      DomainErrorCode.MessageNotDue,
      `Message ${command.messageId} is ${state.status}, not due`,
      { status: state.status },
    );
  }
  const partSize = command.partSize ?? AUDIENCE_PART_SIZE;
  if (!Number.isInteger(partSize) || partSize < 1 || partSize > AUDIENCE_PART_SIZE) {
    throw new Error(`A part holds 1 to ${AUDIENCE_PART_SIZE} recipients; got ${partSize}`);
  }
  const recipients = [...new Set(command.recipients)];
  const parts = Math.max(1, Math.ceil(recipients.length / partSize));
  const resolved: AudienceResolved[] = Array.from({ length: parts }, (_, index) => ({
    type: 'AudienceResolved',
    data: {
      messageId: state.messageId,
      recipients: recipients.slice(index * partSize, (index + 1) * partSize),
      part: index + 1,
      parts,
    },
  }));
  if (recipients.length > 0) return resolved;
  return [
    ...resolved,
    { type: 'MessageSent', data: { messageId: state.messageId, delivered: 0, failed: 0 } },
  ];
}

/** Sent once every part of the audience is: the outcomes summed; before that, nothing. */
function completeAudienceDelivery(
  command: CompleteAudienceDelivery,
  state: ScheduledMessageState,
): MessageSent[] {
  if (state.status === 'none') {
    throw new DomainError(
      DomainErrorCode.MessageNotFound,
      `Message ${command.messageId} does not exist`,
    );
  }
  if (state.status === 'sent') return [];
  if (state.status !== 'due') {
    throw new DomainError(
      DomainErrorCode.MessageNotDue,
      `Message ${command.messageId} is ${state.status}, not due`,
      { status: state.status },
    );
  }
  if (state.audience === null || !state.audienceResolved) {
    throw new Error(`Message ${command.messageId} has no resolved audience to complete`);
  }
  const byPart = new Map(command.partsSent.map((result) => [result.part, result]));
  const results = Array.from({ length: state.audienceParts }, (_, index) => byPart.get(index + 1));
  if (results.some((result) => result === undefined)) return [];
  const sum = (count: (result: AudiencePartResult) => number) =>
    results.reduce((total, result) => total + count(result!), 0);
  return [
    {
      type: 'MessageSent',
      data: {
        messageId: state.messageId,
        delivered: sum((result) => result.delivered),
        failed: sum((result) => result.failed),
      },
    },
  ];
}

/** The number of parts each recipient gets: the text, then every attachment. */
export const partCount = (message: Message): number => 1 + message.attachments.length;

/** Parts not yet sent to a recipient, in sending order. */
export function partsToSend(state: ScheduledMessageState, userId: string): number[] {
  if (state.status === 'none') return [];
  const sent = state.partsSent.get(userId) ?? {};
  return Array.from({ length: partCount(state) }, (_, part) => part).filter(
    (part) => sent[part] === undefined,
  );
}

/**
 * Checks that an outcome may be recorded for the recipient; returns false when it already has
 * one (a redelivered MessageDue may try again: that changes nothing).
 */
function acceptsOutcome(
  command: { messageId: string; userId: string },
  state: ScheduledMessageState,
): state is Message {
  if (state.status === 'none') {
    throw new DomainError(
      DomainErrorCode.MessageNotFound,
      `Message ${command.messageId} does not exist`,
    );
  }
  if (state.audience !== null && state.part === null) {
    throw new Error(
      `Message ${command.messageId} goes to an audience: outcomes are recorded in its parts' streams`,
    );
  }
  if (!state.recipients.includes(command.userId)) {
    throw new DomainError(
      DomainErrorCode.NotARecipient,
      `User ${command.userId} is not a recipient of message ${command.messageId}`,
    );
  }
  if (state.outcomes.has(command.userId)) return false;
  if (state.status !== 'due') {
    throw new DomainError(
      DomainErrorCode.MessageNotDue,
      `Message ${command.messageId} is ${state.status}, not due`,
      { status: state.status },
    );
  }
  return true;
}

/**
 * With one more outcome (for a recipient that had none), is every recipient done? Then the message
 * is sent; for a part of an audience, the part is.
 */
function sentIfComplete(
  state: Message,
  outcome: RecipientOutcome,
): (MessageSent | AudiencePartSent)[] {
  if (state.outcomes.size + 1 < state.recipients.length) return [];
  const delivered = state.delivered + (outcome === 'delivered' ? 1 : 0);
  const failed = state.recipients.length - delivered;
  if (state.part !== null) {
    return [
      {
        type: 'AudiencePartSent',
        data: {
          messageId: state.messageId,
          part: state.part,
          parts: state.audienceParts,
          delivered,
          failed,
        },
      },
    ];
  }
  return [{ type: 'MessageSent', data: { messageId: state.messageId, delivered, failed } }];
}

function recordPartSent(
  command: RecordPartSent,
  state: ScheduledMessageState,
): ScheduledMessageEvent[] {
  if (!acceptsOutcome(command, state)) return [];
  const total = partCount(state);
  if (!Number.isInteger(command.part) || command.part < 0 || command.part >= total) {
    throw new DomainError(
      DomainErrorCode.InvalidAttachment,
      `Message ${command.messageId} has parts 0 to ${total - 1}; got ${command.part}`,
    );
  }
  const sentBefore = state.partsSent.get(command.userId);
  if (sentBefore?.[command.part] !== undefined) return [];
  const sent = { ...sentBefore, [command.part]: command.telegramMessageId };
  const partSent: RecipientPartSent = {
    type: 'RecipientPartSent',
    data: {
      messageId: state.messageId,
      userId: command.userId,
      chatId: command.chatId,
      part: command.part,
      telegramMessageId: command.telegramMessageId,
      ...(command.telegramFileId !== undefined ? { telegramFileId: command.telegramFileId } : {}),
    },
  };
  if (Object.keys(sent).length < total) return [partSent];
  const delivered: RecipientDelivered = {
    type: 'RecipientDelivered',
    data: {
      messageId: state.messageId,
      userId: command.userId,
      chatId: command.chatId,
      telegramMessageIds: Array.from({ length: total }, (_, part) => sent[part]!),
    },
  };
  return [partSent, delivered, ...sentIfComplete(state, 'delivered')];
}

function recordFailure(
  command: RecordDeliveryFailure,
  state: ScheduledMessageState,
): ScheduledMessageEvent[] {
  if (!acceptsOutcome(command, state)) return [];
  const failed: RecipientDeliveryFailed = {
    type: 'RecipientDeliveryFailed',
    data: {
      messageId: state.messageId,
      userId: command.userId,
      code: command.code,
      reason: command.reason,
    },
  };
  return [failed, ...sentIfComplete(state, 'failed')];
}

/** Recipients still without an outcome, in the order they were given. */
export function recipientsAwaitingOutcome(state: ScheduledMessageState): string[] {
  return state.status === 'none'
    ? []
    : state.recipients.filter((recipient) => !state.outcomes.has(recipient));
}

/**
 * A text Telegram takes in its parse mode: markup it can read, and, once the markup is read, not
 * empty and within its length (counted as Telegram counts it, in UTF-16 code units). A text with
 * variables is checked for every recipient it can have: empty with the shortest values, within
 * the length with the longest.
 */
/**
 * The longest text Telegram takes for the message: 4096 characters, or 1024 when it goes as an
 * album's caption (`as_album`).
 */
export function textLimitOf(
  attachments: readonly Pick<Attachment, 'contentType' | 'size' | 'image'>[],
  sendOptions: Pick<MessageSendOptions, 'sendAs' | 'asAlbum'>,
  buttons: ButtonRows,
): number {
  return isCaptioned(attachments, sendOptions, buttons.length > 0)
    ? MAX_CAPTION_LENGTH
    : MAX_MESSAGE_LENGTH;
}

export function validateText(
  text: string,
  parseMode: ParseMode = 'plain',
  maxLength = MAX_MESSAGE_LENGTH,
): void {
  validateTemplateVariables(text, parseMode);
  const parsed = parseFormattedText(renderInPlace(text), parseMode);
  if (!parsed.ok) {
    const { offset, problem } = parsed.error;
    throw new DomainError(
      DomainErrorCode.InvalidFormatting,
      `message: Telegram cannot read it as ${parseMode}: ${problem}, at offset ${offset}`,
      { field: 'message', parse_mode: parseMode, offset, problem },
    );
  }
  const templated = hasTemplateVariables(text);
  const shown = (extreme: 'min' | 'max'): string => {
    if (!templated) return parsed.formatted.text;
    const rendered = parseFormattedText(renderExtreme(text, parseMode, extreme), parseMode);
    if (!rendered.ok)
      throw new Error(`A rendered template reads otherwise: ${rendered.error.problem}`);
    return rendered.formatted.text;
  };
  const afterMarkup = parseMode === 'plain' ? '' : ' once its markup is read';
  if (shown('min').trim().length === 0) {
    throw new DomainError(
      DomainErrorCode.MissingMessage,
      `message must not be empty${afterMarkup}${templated ? ', whatever its variables are' : ''}`,
      { field: 'message' },
    );
  }
  const longest = shown('max').length;
  if (longest > maxLength) {
    const where =
      maxLength === MAX_CAPTION_LENGTH
        ? " in a caption (with as_album the text is the first album's)"
        : '';
    throw new DomainError(
      DomainErrorCode.MessageTooLong,
      `message is ${longest} characters long${afterMarkup}${templated ? ' with its variables at their longest' : ''}; Telegram accepts at most ${maxLength}${where}`,
      { field: 'message', length: longest, max: maxLength },
    );
  }
}

function validateHorizon(scheduledAt: Date, latest: Date): void {
  if (scheduledAt.getTime() > latest.getTime()) {
    throw new DomainError(
      DomainErrorCode.ScheduledTooFar,
      `scheduled_timestamp ${scheduledAt.toISOString()} is too far ahead: the latest allowed now is ${latest.toISOString()}`,
      { field: 'scheduled_timestamp', latest: latest.toISOString() },
    );
  }
}

/** Splits the seed's comma-separated `target_user_id` field into ids. */
export function parseRecipientList(raw: string): string[] {
  return raw
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
}

export function validateRecipients(
  recipients: readonly string[],
  status: ReadonlyMap<string, RecipientStatus>,
): void {
  if (recipients.length === 0) {
    throw new DomainError(
      DomainErrorCode.NoRecipients,
      'target_user_id must name at least one subscribed user',
      { field: 'target_user_id' },
    );
  }
  const duplicates = [
    ...new Set(recipients.filter((id, index) => recipients.indexOf(id) !== index)),
  ];
  if (duplicates.length > 0) {
    throw new DomainError(
      DomainErrorCode.InvalidRecipient,
      `target_user_id lists these users more than once: ${duplicates.join(', ')}`,
      { field: 'target_user_id', duplicates },
    );
  }
  const unknown = recipients.filter((id) => !status.has(id));
  if (unknown.length > 0) {
    throw new DomainError(
      DomainErrorCode.UnknownRecipients,
      `Unknown user ids in target_user_id: ${unknown.join(', ')}`,
      { field: 'target_user_id', userIds: unknown },
    );
  }
  const unsubscribed = recipients.filter((id) => status.get(id) === 'unsubscribed');
  if (unsubscribed.length > 0) {
    throw new DomainError(
      DomainErrorCode.UnsubscribedRecipients,
      `These users have unsubscribed: ${unsubscribed.join(', ')}`,
      { field: 'target_user_id', userIds: unsubscribed },
    );
  }
}

export function validateAttachments(
  attachments: readonly Attachment[],
  limits: AttachmentLimits,
): void {
  if (attachments.length > limits.maxCount) {
    throw new DomainError(
      DomainErrorCode.TooManyAttachments,
      `At most ${limits.maxCount} files per message; got ${attachments.length}`,
      { field: 'files', max: limits.maxCount },
    );
  }
  for (const attachment of attachments) {
    if (attachment.size > limits.maxBytes) {
      throw new DomainError(
        DomainErrorCode.AttachmentTooLarge,
        `File '${attachment.fileName}' is larger than the limit of ${limits.maxBytes} bytes`,
        { field: 'files', fileName: attachment.fileName, max: limits.maxBytes },
      );
    }
    if (attachment.fileName.length === 0 || attachment.objectKey.length === 0) {
      throw new DomainError(DomainErrorCode.InvalidAttachment, 'Every file needs a name', {
        field: 'files',
      });
    }
  }
}

export function evolveScheduledMessage(
  state: ScheduledMessageState,
  event: ScheduledMessageEvent,
): ScheduledMessageState {
  switch (event.type) {
    case 'MessageScheduled':
      return {
        status: 'scheduled',
        messageId: event.data.messageId,
        recipients: event.data.recipients,
        text: event.data.text,
        scheduledAt: event.data.scheduledAt,
        attachments: event.data.attachments,
        series: event.data.series,
        audience: event.data.audience,
        paidBroadcast: event.data.paidBroadcast,
        sendOptions: event.data.sendOptions,
        buttons: event.data.buttons,
        audienceResolved: false,
        audienceParts: 0,
        part: null,
        outcomes: ImmutableMap(),
        delivered: 0,
        partsSent: ImmutableMap(),
        fileIds: {},
        chatsSent: ImmutableMap(),
        edits: 0,
        chatEdit: 0,
        editOutcomes: ImmutableMap(),
        recallDeadline: null,
        recallOutcomes: ImmutableMap(),
        revisionDue: { edit: 0, recall: false },
      };
    case 'MessageCancelled':
      return state.status === 'none' ? state : { ...state, status: 'cancelled' };
    case 'MessageRescheduled':
      return state.status === 'none' ? state : { ...state, scheduledAt: event.data.scheduledAt };
    case 'MessageDue':
      return state.status === 'none' ? state : { ...state, status: 'due' };
    case 'MessageMissed':
      return state.status === 'none' ? state : { ...state, status: 'missed' };
    case 'RecipientPartSent': {
      if (state.status === 'none') return state;
      const { userId, chatId, part, telegramMessageId, telegramFileId } = event.data;
      return {
        ...state,
        chatsSent: state.chatsSent.set(userId, chatId),
        partsSent: state.partsSent.set(userId, {
          ...state.partsSent.get(userId),
          [part]: telegramMessageId,
        }),
        fileIds:
          telegramFileId !== undefined && state.fileIds[part] === undefined
            ? { ...state.fileIds, [part]: telegramFileId }
            : state.fileIds,
      };
    }
    case 'RecipientDelivered':
    case 'RecipientDeliveryFailed': {
      if (state.status === 'none' || state.outcomes.has(event.data.userId)) return state;
      const delivered = event.type === 'RecipientDelivered';
      return {
        ...state,
        outcomes: state.outcomes.set(event.data.userId, delivered ? 'delivered' : 'failed'),
        delivered: state.delivered + (delivered ? 1 : 0),
      };
    }
    case 'MessageSent':
      return state.status === 'none' ? state : { ...state, status: 'sent' };
    case 'AudienceResolved':
      return state.status === 'none'
        ? state
        : {
            ...state,
            recipients: [...state.recipients, ...event.data.recipients],
            audienceResolved: state.audienceResolved || event.data.part === event.data.parts,
            audienceParts: event.data.parts,
          };
    case 'AudiencePartSent':
      // The part's last outcome came with it: the outcomes already say the part is done.
      return state;
    case 'AudienceRevisionDue':
      return state.status === 'none'
        ? state
        : { ...state, revisionDue: { edit: event.data.edit, recall: event.data.recall } };
    case 'MessageEdited':
      return state.status === 'none'
        ? state
        : {
            ...state,
            text: event.data.text,
            edits: event.data.edit,
            chatEdit: event.data.inChats ? event.data.edit : state.chatEdit,
          };
    case 'RecipientEdited':
    case 'RecipientEditFailed':
      return state.status === 'none'
        ? state
        : {
            ...state,
            editOutcomes: state.editOutcomes.set(
              event.data.userId,
              Math.max(state.editOutcomes.get(event.data.userId) ?? 0, event.data.edit),
            ),
          };
    case 'MessageRecalled':
      return state.status === 'none' ? state : { ...state, recallDeadline: event.data.deadline };
    case 'RecipientRecalled':
    case 'RecipientRecallFailed':
      return state.status === 'none'
        ? state
        : {
            ...state,
            recallOutcomes: state.recallOutcomes.set(
              event.data.userId,
              event.type === 'RecipientRecalled' ? 'recalled' : 'failed',
            ),
          };
  }
}

/**
 * Folds a message's own stream without the recipients its audience resolved to (its parts carry
 * them): all that deciding on the message as a whole needs, without copying 100,000 ids.
 */
export function evolveWithoutAudienceRecipients(
  state: ScheduledMessageState,
  event: ScheduledMessageEvent,
): ScheduledMessageState {
  return evolveScheduledMessage(
    state,
    event.type === 'AudienceResolved'
      ? { ...event, data: { ...event.data, recipients: [] } }
      : event,
  );
}

/**
 * Folds the state of one part of a message's audience: the message's own events with only that
 * part's recipients, then the part's stream (its recipients' progress and outcomes).
 */
export function audiencePartEvolver(
  part: number,
): (state: ScheduledMessageState, event: ScheduledMessageEvent) => ScheduledMessageState {
  return (state, event) => {
    const next = evolveScheduledMessage(
      state,
      event.type === 'AudienceResolved' && event.data.part !== part
        ? { ...event, data: { ...event.data, recipients: [] } }
        : event,
    );
    return next.status === 'none' || next.part === part ? next : { ...next, part };
  };
}
