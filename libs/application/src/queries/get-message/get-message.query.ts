import { Query } from '@nestjs/cqrs';
import type { MessageWithRecipients } from '../../ports/message-reader';

/** A message with each recipient's outcome; null when there is no such message. */
export class GetMessageQuery extends Query<MessageWithRecipients | null> {
  constructor(readonly messageId: string) {
    super();
  }
}
