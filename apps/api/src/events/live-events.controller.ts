import { type BeforeApplicationShutdown, Controller, Get, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import type { Request, Response } from 'express';
import { GetLogEndQuery } from '../../../../libs/application/src/queries/get-log-end/get-log-end.query';
import { ListLogEventsQuery } from '../../../../libs/application/src/queries/list-log-events/list-log-events.query';
import { ApiError } from '../http/api-error';
import { ApiProblems } from '../http/api-problems';
import { toEventResponse } from './event.response';

/** Events read from the log per query while catching up. */
const PAGE = 200;
/** How often the log is read again once caught up. */
const POLL_MS = 500;
/** A comment line this often keeps proxies from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000;
/** How long a browser waits before reconnecting after the stream dropped. */
const RETRY_MS = 2000;
/** Within what a JavaScript number holds exactly. */
const POSITION = /^\d{1,15}$/;

export class LiveEventsDto {
  @ApiPropertyOptional({
    description:
      'Start after the event at this log position (0: from the start of the log); by default from now. A `Last-Event-ID` header, which a reconnecting client sends, takes precedence.',
    example: 0,
  })
  @IsOptional()
  @Matches(POSITION, { message: 'after must be a log position (a whole number)' })
  after?: string;
}

/**
 * The log as it grows, as server-sent events: each event as GET /events answers it, its log
 * position as the SSE id, its type as the SSE event name. A client that reconnects with the last
 * id it saw (`Last-Event-ID`) goes on from there and misses nothing, since the log is read in an
 * order nothing committed later can cut into (the same reads as GET /events).
 */
@ApiTags('events')
@ApiSecurity('api-key')
@ApiSecurity('bearer')
@Controller('events')
export class LiveEventsController implements BeforeApplicationShutdown {
  private readonly open = new Set<() => void>();

  constructor(private readonly queries: QueryBus) {}

  /** Open streams end on shutdown: the server would otherwise wait for every browser to leave. */
  beforeApplicationShutdown(): void {
    for (const close of this.open) close();
  }

  @Get('live')
  @ApiProblems('INVALID_REQUEST', 'UNKNOWN_POSITION')
  @ApiOperation({
    summary:
      'The log live, as server-sent events (text/event-stream): every event from now on (or after a position), resuming after Last-Event-ID',
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The id of the last event received: the stream goes on after it',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'A stream of `id: <position>`, `event: <type>`, `data: <the event as GET /events answers it>` records, and `: keep-alive` comments',
  })
  async live(
    @Req() request: Request,
    @Res() response: Response,
    @Query() query: LiveEventsDto,
  ): Promise<void> {
    const resumeFrom = request.header('last-event-id') ?? query.after;
    if (resumeFrom !== undefined && !POSITION.test(resumeFrom)) {
      throw new ApiError('INVALID_REQUEST', 'Last-Event-ID must be a log position', {
        field: 'Last-Event-ID',
      });
    }
    // Closed before anything is read: a client that leaves at once ends the loop at once. Closing
    // (the client left, or shutdown) wakes whatever waits: the poll's pause, a slow reader.
    let closed = false;
    const waiting = new Set<() => void>();
    const close = () => {
      closed = true;
      for (const wake of waiting) wake();
    };
    /** Resolves after `ms`, or at once on close. */
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          waiting.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, ms);
        waiting.add(wake);
      });
    /** Writes, then waits while the client is slow to read (the socket's buffer is full). */
    const write = async (text: string) => {
      if (response.write(text) || closed) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          response.off('drain', wake);
          waiting.delete(wake);
          resolve();
        };
        response.on('drain', wake);
        waiting.add(wake);
      });
    };
    response.on('close', close);
    this.open.add(close);
    try {
      let after =
        resumeFrom !== undefined
          ? Number(resumeFrom)
          : await this.queries.execute(new GetLogEndQuery());
      // Read once before answering: an unknown position is a problem answer, not a broken stream.
      let page = await this.queries.execute(new ListLogEventsQuery(after, PAGE, undefined));
      if (closed) {
        // Shutdown began meanwhile, the client still there: it comes back to another process.
        if (!response.destroyed) response.status(503).setHeader('Retry-After', '2').end();
        return;
      }
      response.status(200);
      response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      response.setHeader('Cache-Control', 'no-cache, no-transform');
      response.setHeader('X-Accel-Buffering', 'no');
      response.flushHeaders();
      // The place it starts from, as an id of its own: a client that drops before the first event
      // resumes from here, not from wherever the log has got to by then.
      await write(`retry: ${RETRY_MS}\nid: ${after}\n\n`);
      let quietSince = Date.now();
      while (!closed && !response.destroyed) {
        for (const event of page.events) {
          if (closed) break;
          await write(
            `id: ${event.position}\nevent: ${event.type}\ndata: ${JSON.stringify(toEventResponse(event))}\n\n`,
          );
        }
        if (page.events.length > 0) quietSince = Date.now();
        after = page.nextAfter;
        if (page.events.length < PAGE) {
          if (Date.now() - quietSince >= KEEP_ALIVE_MS) {
            await write(': keep-alive\n\n');
            quietSince = Date.now();
          }
          await pause(POLL_MS);
        }
        if (closed) break;
        page = await this.queries.execute(new ListLogEventsQuery(after, PAGE, undefined));
      }
    } catch (error) {
      // Before the stream began, the problem is the answer; after, the client reconnects with its
      // last id and goes on from there (the database went away, say).
      if (!response.headersSent) throw error;
    } finally {
      this.open.delete(close);
      response.off('close', close);
      if (response.headersSent) response.end();
    }
  }
}
