import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';

/** Moves a message that is not yet due to another time (and changes its text with it, if given). */
export class RescheduleMessageCommand extends Command<void> {
  constructor(
    readonly messageId: string,
    readonly scheduledAt: Date,
    readonly context: RequestContext,
    /** A new text, changed in the same append: both or neither. */
    readonly text?: string,
  ) {
    super();
  }
}
