import { Query } from '@nestjs/cqrs';
import type { MessageStatus, MessageView } from '../../../../projections/src/message.view';

export interface MessagePage {
  readonly items: readonly MessageView[];
  /** Where the next page starts; null on the last page. */
  readonly next: { readonly scheduledAt: Date; readonly id: string } | null;
}

/** Messages by scheduled time, filtered and paged by keyset (stable while messages are added). */
export class ListMessagesQuery extends Query<MessagePage> {
  constructor(
    readonly filter: {
      readonly status?: MessageStatus;
      /** Only the messages scheduled with this sender label. */
      readonly fromSender?: string;
      readonly from?: Date;
      readonly to?: Date;
    },
    readonly limit: number,
    readonly after: { readonly scheduledAt: Date; readonly id: string } | null,
  ) {
    super();
  }
}
