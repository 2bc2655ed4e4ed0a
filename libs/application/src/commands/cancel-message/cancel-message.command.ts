import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';

/** Cancels a message that is not yet due. */
export class CancelMessageCommand extends Command<void> {
  constructor(
    readonly messageId: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}
