import { Command } from '@nestjs/cqrs';

/**
 * Carries out what a MessageEdited or a MessageRecalled asks of the chats that got the message:
 * each edited to the latest text, or each copy deleted, each recorded. A redelivery does what
 * the log says is left.
 */
export class ReviseMessageCommand extends Command<void> {
  constructor(
    readonly messageId: string,
    readonly causeEventId: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
