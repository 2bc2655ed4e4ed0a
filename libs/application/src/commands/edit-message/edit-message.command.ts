import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';

/**
 * Changes a message's text: before it is due, the text it goes out with; once sent, the text of
 * every chat that got it (delivery edits them).
 */
export class EditMessageCommand extends Command<void> {
  constructor(
    readonly messageId: string,
    readonly text: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}
