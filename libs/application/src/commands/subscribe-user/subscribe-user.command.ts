import { Command } from '@nestjs/cqrs';
import type { SubscriberView } from '../../../../projections/src/subscriber.view';
import type { RequestContext } from '../../request-context';

/** Subscribes a chat: from `POST /subscribe-user`, and from the bot's /start. */
export class SubscribeUserCommand extends Command<SubscriberView> {
  constructor(
    /** As received; the domain validates it. */
    readonly chatId: unknown,
    readonly chatName: unknown,
    readonly context: RequestContext,
  ) {
    super();
  }
}
