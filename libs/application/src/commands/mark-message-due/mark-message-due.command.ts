import { Command } from '@nestjs/cqrs';

/** The scheduler found the message's time has come. Answers whether this call marked it due. */
export class MarkMessageDueCommand extends Command<boolean> {
  constructor(readonly messageId: string) {
    super();
  }
}
