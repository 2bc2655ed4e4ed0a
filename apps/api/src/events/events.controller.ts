import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { GetStreamEventsQuery } from '../../../../libs/application/src/queries/get-stream-events/get-stream-events.query';
import { ListLogEventsQuery } from '../../../../libs/application/src/queries/list-log-events/list-log-events.query';
import { ApiProblems } from '../http/api-problems';
import { LogEventsPageDto, parseEventsLimit, type StreamEventsPageDto } from './audit-page.dto';
import { EventResponse, toEventResponse } from './event.response';

export class LogEventsPage {
  @ApiProperty({ type: [EventResponse] })
  items!: EventResponse[];

  @ApiProperty({
    description:
      'Pass as `after` for the next page; the same as `after` when nothing new was committed yet',
  })
  next_after!: number;
}

@ApiTags('events')
@ApiSecurity('api-key')
@ApiSecurity('bearer')
@Controller('events')
export class EventsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiProblems('INVALID_REQUEST', 'INVALID_LIMIT', 'UNKNOWN_POSITION')
  @ApiOperation({
    summary:
      'The whole log, a page at a time, in log order: follow next_after to read on, now or later',
  })
  @ApiOkResponse({ type: LogEventsPage })
  async list(@Query() query: LogEventsPageDto): Promise<LogEventsPage> {
    const after = query.after === undefined ? 0 : Number(query.after);
    const page = await this.queries.execute(
      new ListLogEventsQuery(after, parseEventsLimit(query.limit, 100), query.type),
    );
    return { items: page.events.map(toEventResponse), next_after: page.nextAfter };
  }
}

/**
 * A page of a stream's events, for GET /messages/:id/events and GET /subscribers/:id/events:
 * the whole stream without `limit`; with it, a `Link: <…>; rel="next"` header while more may
 * follow. Undefined when the stream does not exist.
 */
export async function streamEventsPage(
  queries: QueryBus,
  streamId: string,
  query: StreamEventsPageDto,
  request: Request,
  response: Response,
): Promise<EventResponse[] | undefined> {
  const afterVersion = query.after === undefined ? 0 : Number(query.after);
  const limit = query.limit === undefined ? undefined : parseEventsLimit(query.limit, 1);
  const { events, exists } = await queries.execute(
    new GetStreamEventsQuery(
      streamId,
      limit !== undefined || afterVersion > 0
        ? { afterVersion, limit: limit ?? Number.MAX_SAFE_INTEGER }
        : undefined,
    ),
  );
  if (!exists) return undefined;
  const last = events.at(-1);
  if (limit !== undefined && events.length === limit && last) {
    const part = 'part' in query && typeof query.part === 'string' ? `&part=${query.part}` : '';
    response.setHeader(
      'Link',
      `<${request.path}?after=${last.streamVersion}&limit=${limit}${part}>; rel="next"`,
    );
  }
  return events.map(toEventResponse);
}
