import { Command } from '@nestjs/cqrs';
import type { SubscriberRecord } from '../../ports/subscriber-reader';
import type { RequestContext } from '../../request-context';

/** The subscriber named by user id (the API) or by its chat (the bot's /timezone). */
export type SubscriberNamed = { readonly userId: string } | { readonly chatId: string };

/**
 * Sets a subscriber's own time zone (an IANA name, any letter case), or clears it with null.
 * Answers the subscriber as it is now.
 */
export class SetSubscriberTimeZoneCommand extends Command<SubscriberRecord> {
  constructor(
    readonly subscriber: SubscriberNamed,
    readonly timeZone: string | null,
    readonly context: RequestContext,
  ) {
    super();
  }
}
