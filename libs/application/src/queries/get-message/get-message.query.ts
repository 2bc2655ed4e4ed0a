import { Query } from '@nestjs/cqrs';
import type { MessageRecipientView } from '../../../../projections/src/message-recipient.view';
import type { MessageView } from '../../../../projections/src/message.view';

export interface MessageWithRecipients {
  readonly message: MessageView;
  readonly recipients: readonly MessageRecipientView[];
}

/** A message with each recipient's outcome; null when there is no such message. */
export class GetMessageQuery extends Query<MessageWithRecipients | null> {
  constructor(readonly messageId: string) {
    super();
  }
}
