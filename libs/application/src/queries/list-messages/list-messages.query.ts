import { Query } from '@nestjs/cqrs';
import type { MessageFilter, MessageKey, MessagePage } from '../../ports/message-reader';

/** Messages by scheduled time, filtered and paged by keyset (stable while messages are added). */
export class ListMessagesQuery extends Query<MessagePage> {
  constructor(
    readonly filter: MessageFilter,
    readonly limit: number,
    readonly after: MessageKey | null,
  ) {
    super();
  }
}
