import { Query } from '@nestjs/cqrs';
import type { RecipientDeliveryStatus, RecipientPage } from '../../ports/message-reader';

/**
 * A page of a message's recipients with their outcomes, in order, after an ordinal, optionally
 * only those of one outcome; null when there is no such message.
 */
export class ListMessageRecipientsQuery extends Query<RecipientPage | null> {
  constructor(
    readonly messageId: string,
    readonly limit: number,
    readonly after: number | null,
    readonly status: RecipientDeliveryStatus | undefined,
  ) {
    super();
  }
}
