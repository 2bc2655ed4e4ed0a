import { Query } from '@nestjs/cqrs';
import type { MessageRecord } from '../../ports/message-reader';

/** Messages not yet sent, soonest first; only one sender's when `fromSender` is given. */
export class ListPendingMessagesQuery extends Query<MessageRecord[]> {
  constructor(readonly fromSender: string | null = null) {
    super();
  }
}
