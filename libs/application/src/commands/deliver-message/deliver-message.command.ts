import { Command } from '@nestjs/cqrs';

/** A MessageDue arrived: give every recipient without an outcome the text and every file. */
export class DeliverMessageCommand extends Command<void> {
  constructor(
    readonly messageId: string,
    /** The MessageDue event: the cause of the outcomes recorded. */
    readonly dueEventId: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
