import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';
import type { SubscriberNamed } from '../../subscriber-stream';

/**
 * A subscriber (by user id on the API, by chat in the bot) joins or leaves the topic with this
 * name. Answers the topic's name as it is spelled, and whether anything changed (joining twice
 * changes nothing).
 */
export class ChangeTopicMembershipCommand extends Command<{ topic: string; changed: boolean }> {
  constructor(
    readonly subscriber: SubscriberNamed,
    readonly topic: string,
    readonly change: 'join' | 'leave',
    readonly context: RequestContext,
  ) {
    super();
  }
}
