import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore } from '../../../../event-store/src/event-store';
import { GetLogEndQuery } from './get-log-end.query';

@QueryHandler(GetLogEndQuery)
export class GetLogEndHandler implements IQueryHandler<GetLogEndQuery> {
  constructor(private readonly events: EventStore) {}

  async execute(): Promise<number> {
    return (await this.events.endOfLog()).position;
  }
}
