import { Command } from '@nestjs/cqrs';
import type { UnsubscribeReason } from '../../../../domain/src/events';
import type { RequestContext } from '../../request-context';

/** Unsubscribes the chat's subscriber: /stop, or the user blocked the bot. Answers its user_id. */
export class UnsubscribeUserCommand extends Command<string> {
  constructor(
    readonly chatId: string,
    readonly reason: UnsubscribeReason,
    readonly context: RequestContext,
  ) {
    super();
  }
}
