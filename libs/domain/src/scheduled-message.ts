import { DomainError, DomainErrorCode } from './errors';
import type { Attachment, MessageScheduled, ScheduledMessageEvent } from './events';

/** Telegram refuses a text message longer than this. */
export const MAX_MESSAGE_LENGTH = 4096;

export type ScheduledMessageState =
  | { readonly status: 'none' }
  | {
      readonly status: 'scheduled';
      readonly messageId: string;
      readonly recipients: readonly string[];
      readonly scheduledAt: string;
    };

export const initialScheduledMessageState: ScheduledMessageState = { status: 'none' };

export type RecipientStatus = 'active' | 'unsubscribed';

export interface AttachmentLimits {
  readonly maxCount: number;
  readonly maxBytes: number;
}

export interface ScheduleMessage {
  readonly type: 'ScheduleMessage';
  readonly messageId: string;
  readonly recipients: readonly string[];
  readonly text: string;
  readonly scheduledAt: Date;
  readonly attachments: readonly Attachment[];
  /** What the subscribers view says of each recipient; an id absent from it is unknown. */
  readonly recipientStatus: ReadonlyMap<string, RecipientStatus>;
  readonly limits: AttachmentLimits;
}

export type ScheduledMessageCommand = ScheduleMessage;

export function decideScheduledMessage(
  command: ScheduledMessageCommand,
  state: ScheduledMessageState,
): ScheduledMessageEvent[] {
  switch (command.type) {
    case 'ScheduleMessage':
      return [schedule(command, state)];
  }
}

function schedule(command: ScheduleMessage, state: ScheduledMessageState): MessageScheduled {
  if (state.status !== 'none') {
    throw new DomainError(
      DomainErrorCode.MessageAlreadyScheduled,
      `Message ${command.messageId} is already scheduled`,
      { messageId: command.messageId },
    );
  }
  validateText(command.text);
  validateRecipients(command.recipients, command.recipientStatus);
  validateAttachments(command.attachments, command.limits);
  if (Number.isNaN(command.scheduledAt.getTime())) {
    throw new DomainError(
      DomainErrorCode.InvalidTimestamp,
      'scheduled_timestamp is not a valid time',
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
    },
  };
}

export function validateText(text: string): void {
  if (text.trim().length === 0) {
    throw new DomainError(DomainErrorCode.MissingMessage, 'message must not be empty', {
      field: 'message',
    });
  }
  if (text.length > MAX_MESSAGE_LENGTH) {
    throw new DomainError(
      DomainErrorCode.MessageTooLong,
      `message is ${text.length} characters long; Telegram accepts at most ${MAX_MESSAGE_LENGTH}`,
      { field: 'message', length: text.length, max: MAX_MESSAGE_LENGTH },
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

function validateRecipients(
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
  const duplicates = recipients.filter((id, index) => recipients.indexOf(id) !== index);
  if (duplicates.length > 0) {
    throw new DomainError(
      DomainErrorCode.InvalidRecipient,
      `target_user_id lists these users more than once: ${[...new Set(duplicates)].join(', ')}`,
      { field: 'target_user_id', duplicates: [...new Set(duplicates)] },
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
        scheduledAt: event.data.scheduledAt,
      };
  }
}
