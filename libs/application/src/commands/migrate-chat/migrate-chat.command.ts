import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';

/** Telegram said the subscriber's group moved to a new chat id (it became a supergroup). */
export class MigrateChatCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly toChatId: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}
