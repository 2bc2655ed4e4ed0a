import { Command } from '@nestjs/cqrs';
import type { ChatType, SubscriberProfile } from '../../../../domain/src/events';
import type { SubscriberRecord } from '../../ports/subscriber-reader';
import type { RequestContext } from '../../request-context';

export interface SubscribeUserResult {
  readonly subscriber: SubscriberRecord;
  /** The chat had unsubscribed and is back, under the user_id it had. */
  readonly resubscribed: boolean;
}

/** Subscribes a chat: from `POST /subscribe-user`, and from the bot's /start. */
export class SubscribeUserCommand extends Command<SubscribeUserResult> {
  constructor(
    /** As received; the domain validates it. */
    readonly chatId: unknown,
    readonly chatName: unknown,
    readonly context: RequestContext,
    /**
     * What Telegram said of the chat (the bot's updates): the user's names (/start in a private
     * chat) and the kind of chat.
     */
    readonly telegram: {
      readonly profile?: SubscriberProfile | null;
      readonly chatType?: ChatType | null;
    } = {},
  ) {
    super();
  }
}
