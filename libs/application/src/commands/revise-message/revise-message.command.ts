import { Command } from '@nestjs/cqrs';

/**
 * Carries out what a MessageEdited or a MessageRecalled asks of the chats that got the message:
 * each edited to the latest text, or each copy deleted, each recorded. For a message to an
 * audience, hands the revision to its parts (AudienceRevisionDue), each then carried out on its
 * own (`part`). A redelivery does what the log says is left.
 */
export class ReviseMessageCommand extends Command<void> {
  constructor(
    readonly messageId: string,
    readonly causeEventId: string,
    readonly correlationId: string,
    /** The part of the message's audience whose chats to revise; none for the message itself. */
    readonly part?: number,
  ) {
    super();
  }
}
