import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SetSubscriberTimeZoneCommand } from '../../../../libs/application/src/commands/set-subscriber-time-zone/set-subscriber-time-zone.command';
import { SubscribeUserCommand } from '../../../../libs/application/src/commands/subscribe-user/subscribe-user.command';
import { GetSubscriberQuery } from '../../../../libs/application/src/queries/get-subscriber/get-subscriber.query';
import { ListSubscribersQuery } from '../../../../libs/application/src/queries/list-subscribers/list-subscribers.query';
import { SearchSubscribersQuery } from '../../../../libs/application/src/queries/search-subscribers/search-subscribers.query';
import { DomainError, DomainErrorCode } from '../../../../libs/domain/src/errors';
import { subscriberStreamId } from '../../../../libs/domain/src/events';
import { StreamEventsPageDto } from '../events/audit-page.dto';
import { EventResponse } from '../events/event.response';
import { streamEventsPage } from '../events/events.controller';
import { ApiTolerantJsonBody, JSON_BODY_PROBLEMS, extraJsonFieldsOf } from '../http/extra-fields';
import { IDEMPOTENCY_KEY_HEADER } from '../http/idempotency.docs';
import { IdempotencyInterceptor } from '../http/idempotency.interceptor';
import { ApiProblems } from '../http/api-problems';
import { pageLimit } from '../http/page-limit';
import { RequireJsonInterceptor } from '../http/require-json.interceptor';
import { requestContextOf } from '../http/request-context';
import { ApiError } from '../http/api-error';
import { decodeSubscriberCursor, encodeSubscriberCursor } from '../http/keyset-cursor';
import { ChangeSubscriberDto, SearchSubscribersDto, SubscribeUserDto } from './subscribe-user.dto';
import {
  SubscriberDetailResponse,
  SubscriberPageResponse,
  SubscriberResponse,
  toSubscriberDetailResponse,
  toSubscriberResponse,
} from './subscriber.response';

@ApiTags('subscribers')
@ApiSecurity('api-key')
@ApiSecurity('bearer')
@Controller()
export class SubscribersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('subscribe-user')
  @ApiProblems(
    'INVALID_CHAT_ID',
    'INVALID_CHAT_NAME',
    'CHAT_ALREADY_SUBSCRIBED',
    ...JSON_BODY_PROBLEMS,
    'INVALID_IDEMPOTENCY_KEY',
    'IDEMPOTENCY_KEY_IN_FLIGHT',
    'IDEMPOTENCY_KEY_REUSED',
    'CONCURRENT_UPDATE',
  )
  @HttpCode(200)
  @UseInterceptors(RequireJsonInterceptor, IdempotencyInterceptor)
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiOperation({ summary: 'Subscribe a chat; answers with the user_id to schedule messages for' })
  @ApiTolerantJsonBody(SubscribeUserDto)
  @ApiOkResponse({ type: SubscriberResponse })
  async subscribe(
    @Req() request: Request,
    @Body() body: SubscribeUserDto,
  ): Promise<SubscriberResponse> {
    const extraFields = extraJsonFieldsOf(request.body, SubscribeUserDto);
    const { subscriber } = await this.commands.execute(
      new SubscribeUserCommand(
        body.chat_id,
        body.chat_name,
        requestContextOf(request, extraFields),
      ),
    );
    return toSubscriberResponse(subscriber);
  }

  @Get('subscribed-users')
  @ApiProblems()
  @ApiOperation({ summary: 'Users currently subscribed' })
  @ApiOkResponse({ type: [SubscriberResponse] })
  async list(): Promise<SubscriberResponse[]> {
    const views = await this.queries.execute(new ListSubscribersQuery());
    return views.map(toSubscriberResponse);
  }

  @Get('subscribers')
  @ApiProblems('INVALID_REQUEST', 'INVALID_LIMIT', 'INVALID_CURSOR')
  @ApiOperation({
    summary:
      'Subscribers, active or not, oldest first, a page at a time: by status, and searched by name or id',
  })
  @ApiOkResponse({ type: SubscriberPageResponse })
  async search(@Query() query: SearchSubscribersDto): Promise<SubscriberPageResponse> {
    const limit = pageLimit(query.limit, 50, 200);
    const text = query.search?.trim();
    // Postgres takes no NUL in a text.
    if (text?.includes('\u0000')) {
      throw new ApiError('INVALID_REQUEST', 'search must not hold a NUL character', {
        field: 'search',
      });
    }
    const page = await this.queries.execute(
      new SearchSubscribersQuery(
        { ...(query.status ? { status: query.status } : {}), ...(text ? { text } : {}) },
        limit,
        query.cursor === undefined ? null : decodeSubscriberCursor(query.cursor),
      ),
    );
    return {
      items: page.items.map(toSubscriberDetailResponse),
      next_cursor: page.next ? encodeSubscriberCursor(page.next) : null,
    };
  }

  @Get('subscribers/:id')
  @ApiProblems('SUBSCRIBER_NOT_FOUND')
  @ApiOperation({
    summary:
      'A subscriber, active or not: its chat and kind of chat, status (and why it ended), time zone and the names templates fill in',
  })
  @ApiOkResponse({ type: SubscriberDetailResponse })
  async get(@Param('id') id: string): Promise<SubscriberDetailResponse> {
    return toSubscriberDetailResponse(await this.queries.execute(new GetSubscriberQuery(id)));
  }

  @Patch('subscribers/:id')
  @ApiProblems(
    'UNKNOWN_TIME_ZONE',
    'SUBSCRIBER_NOT_FOUND',
    'USER_NOT_SUBSCRIBED',
    ...JSON_BODY_PROBLEMS,
    'CONCURRENT_UPDATE',
  )
  @UseInterceptors(RequireJsonInterceptor)
  @ApiOperation({
    summary: "Set or clear a subscriber's own time zone",
    description:
      "Series created with at_recipient_local_time send each occurrence at the rule's local time in this zone; the subscriber can set it in the bot too (/timezone Europe/Berlin). Occurrences already planned keep the zone they were planned in.",
  })
  @ApiTolerantJsonBody(ChangeSubscriberDto)
  @ApiOkResponse({ type: SubscriberDetailResponse })
  async change(
    @Req() request: Request,
    @Param('id') id: string,
    @Body() body: ChangeSubscriberDto,
  ): Promise<SubscriberDetailResponse> {
    const subscriber = await this.commands.execute(
      new SetSubscriberTimeZoneCommand(
        { userId: id },
        body.time_zone,
        requestContextOf(request, extraJsonFieldsOf(request.body, ChangeSubscriberDto)),
      ),
    );
    return toSubscriberDetailResponse(subscriber);
  }

  @Get('subscribers/:id/events')
  @ApiProblems('INVALID_REQUEST', 'INVALID_LIMIT', 'SUBSCRIBER_NOT_FOUND')
  @ApiOperation({
    summary: "The subscriber's events, in order: subscribed, unsubscribed, chat moved",
  })
  @ApiOkResponse({ type: [EventResponse] })
  async events(
    @Param('id') id: string,
    @Query() query: StreamEventsPageDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<EventResponse[]> {
    const page = await streamEventsPage(
      this.queries,
      subscriberStreamId(id),
      query,
      request,
      response,
    );
    if (!page) {
      throw new DomainError(
        DomainErrorCode.SubscriberNotFound,
        `No subscriber with user_id ${id}`,
        { userId: id },
      );
    }
    return page;
  }
}
