import { Command } from '@nestjs/cqrs';
import type { Attachment, ButtonRows, MessageSendOptions } from '../../../../domain/src/events';
import type { MessageRecord } from '../../ports/message-reader';
import type { RequestContext } from '../../request-context';

import type { AudienceRequest } from '../../audience-request';

/** The message as scheduled, and what the client should know about it (an empty audience now). */
export interface ScheduledMessageAnswer {
  readonly message: MessageRecord;
  readonly warnings: readonly string[];
}

/**
 * Schedules a text with attachments (already in the object store) for subscribers: the user ids
 * given, or an audience resolved when the message falls due.
 */
export class ScheduleMessageCommand extends Command<ScheduledMessageAnswer> {
  constructor(
    readonly messageId: string,
    readonly recipients: readonly string[],
    /** Topics or everyone; null for the user ids in `recipients`. */
    readonly audience: AudienceRequest | null,
    readonly text: string,
    readonly scheduledAt: Date,
    readonly attachments: readonly Attachment[],
    /** The client's sender label (`from_sender`); null when none. */
    readonly fromSender: string | null,
    readonly context: RequestContext,
    /** Send as a paid broadcast (`paid_broadcast`). */
    readonly paidBroadcast = false,
    /** How Telegram shows it; Telegram's defaults when not given. */
    readonly sendOptions?: MessageSendOptions,
    /** URL buttons under the text (`buttons`); none when not given. */
    readonly buttons?: ButtonRows,
  ) {
    super();
  }
}
