import { Command } from '@nestjs/cqrs';

/**
 * A MessageDue arrived: give every recipient without an outcome the text and every file; for a
 * message to an audience, resolve the audience. An AudienceResolved arrived: the same for the
 * recipients of that part of the audience.
 */
export class DeliverMessageCommand extends Command<void> {
  constructor(
    readonly messageId: string,
    /** The MessageDue (or AudienceResolved) event: the cause of what is recorded. */
    readonly causeEventId: string,
    readonly correlationId: string,
    /** The part of the message's audience to deliver; none for the message itself. */
    readonly part?: number,
  ) {
    super();
  }
}
