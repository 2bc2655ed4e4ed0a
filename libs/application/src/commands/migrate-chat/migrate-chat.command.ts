import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';

/**
 * What became of the subscription: it follows the chat to its new id, it ended because the new
 * chat is subscribed already (as another user), or nothing changed (it had moved already).
 */
export type MigrateChatOutcome = 'moved' | 'merged' | 'unchanged';

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
