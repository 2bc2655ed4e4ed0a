import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SubscriberReader, type SubscriberRecord } from '../../ports/subscriber-reader';
import { FindSubscriberByChatQuery } from './find-subscriber-by-chat.query';

@QueryHandler(FindSubscriberByChatQuery)
export class FindSubscriberByChatHandler implements IQueryHandler<FindSubscriberByChatQuery> {
  constructor(private readonly subscribers: SubscriberReader) {}

  async execute(query: FindSubscriberByChatQuery): Promise<SubscriberRecord | null> {
    return this.subscribers.activeOfChat(query.chatId);
  }
}
