import { Query } from '@nestjs/cqrs';
import type { MessageView } from '../../../../projections/src/message.view';

/** Messages not yet sent, soonest first; only one sender's when `fromSender` is given. */
export class ListPendingMessagesQuery extends Query<MessageView[]> {
  constructor(readonly fromSender: string | null = null) {
    super();
  }
}
