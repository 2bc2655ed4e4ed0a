import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';

/**
 * What became of the subscription: it follows the chat to its new id (now, or it had already),
 * or it is not subscribed any more (it just ended because the new chat is subscribed already as
 * another user, or it had ended before): nothing may be sent for it.
 */
export type MigrateChatOutcome = 'follows' | 'ended';

/** Telegram said the subscriber's group moved to a new chat id (it became a supergroup). */
export class MigrateChatCommand extends Command<MigrateChatOutcome> {
  constructor(
    readonly userId: string,
    readonly toChatId: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}
