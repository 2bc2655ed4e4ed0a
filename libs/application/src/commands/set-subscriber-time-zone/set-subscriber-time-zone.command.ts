import { Command } from '@nestjs/cqrs';
import type { SubscriberRecord } from '../../ports/subscriber-reader';
import type { RequestContext } from '../../request-context';
import type { SubscriberNamed } from '../../subscriber-stream';

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
