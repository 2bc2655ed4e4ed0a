import { Command } from '@nestjs/cqrs';
import type { SubscriberProfile } from '../../../../domain/src/events';
import type { RequestContext } from '../../request-context';

/** Records a subscriber's names as Telegram gives them now (a later /start), when they changed. */
export class UpdateSubscriberProfileCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly profile: SubscriberProfile,
    readonly context: RequestContext,
  ) {
    super();
  }
}
