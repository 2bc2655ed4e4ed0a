import { Query } from '@nestjs/cqrs';
import type { MessageWithRecipients } from '../../ports/message-reader';

/**
 * Recipients shown with a message at most: every recipient of a message to user ids (at most
 * 1,000 by the limit), the first of an audience's; GET /messages/:id/recipients pages on.
 */
export const RECIPIENTS_SHOWN = 1000;

/**
 * A message with its recipients' counts by outcome and the first recipients' outcomes; null when
 * there is no such message.
 */
export class GetMessageQuery extends Query<MessageWithRecipients | null> {
  constructor(readonly messageId: string) {
    super();
  }
}
