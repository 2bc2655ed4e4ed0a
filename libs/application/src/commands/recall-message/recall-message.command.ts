import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';

/** Takes a sent message back from every chat that got it (delivery deletes each copy). */
export class RecallMessageCommand extends Command<void> {
  constructor(
    readonly messageId: string,
    readonly context: RequestContext,
    /** By the scheduler, as the message's delete_after asked. */
    readonly automatic = false,
  ) {
    super();
  }
}
