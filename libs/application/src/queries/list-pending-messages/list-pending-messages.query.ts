import { Query } from '@nestjs/cqrs';
import type { MessageView } from '../../../../projections/src/message.view';

/** Messages not yet sent, soonest first. */
export class ListPendingMessagesQuery extends Query<MessageView[]> {}
