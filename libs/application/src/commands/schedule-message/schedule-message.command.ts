import { Command } from '@nestjs/cqrs';
import type { Attachment } from '../../../../domain/src/events';
import type { MessageRecord } from '../../ports/message-reader';
import type { RequestContext } from '../../request-context';

/** Schedules a text with attachments (already in the object store) for subscribers. */
export class ScheduleMessageCommand extends Command<MessageRecord> {
  constructor(
    readonly messageId: string,
    readonly recipients: readonly string[],
    readonly text: string,
    readonly scheduledAt: Date,
    readonly attachments: readonly Attachment[],
    /** The client's sender label (`from_sender`); null when none. */
    readonly fromSender: string | null,
    readonly context: RequestContext,
  ) {
    super();
  }
}
