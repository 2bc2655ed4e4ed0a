import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';

/** Moves a message that is not yet due to another time. */
export class RescheduleMessageCommand extends Command<void> {
  constructor(
    readonly messageId: string,
    readonly scheduledAt: Date,
    readonly context: RequestContext,
  ) {
    super();
  }
}
