import {
  Body,
  Controller,
  Delete,
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
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ChangeTopicCommand } from '../../../../libs/application/src/commands/change-topic/change-topic.command';
import { ChangeTopicMembershipCommand } from '../../../../libs/application/src/commands/change-topic-membership/change-topic-membership.command';
import { GetTopicQuery } from '../../../../libs/application/src/queries/get-topic/get-topic.query';
import { ListTopicMembersQuery } from '../../../../libs/application/src/queries/list-topic-members/list-topic-members.query';
import { ListTopicsQuery } from '../../../../libs/application/src/queries/list-topics/list-topics.query';
import { isUuid } from '../../../../libs/application/src/uuid';
import { DomainError, DomainErrorCode } from '../../../../libs/domain/src/errors';
import { topicStreamId } from '../../../../libs/domain/src/events';
import { StreamEventsPageDto } from '../events/audit-page.dto';
import { EventResponse } from '../events/event.response';
import { streamEventsPage } from '../events/events.controller';
import { ApiProblems } from '../http/api-problems';
import { pageLimit } from '../http/page-limit';
import { ApiTolerantJsonBody, JSON_BODY_PROBLEMS, extraJsonFieldsOf } from '../http/extra-fields';
import { RequireJsonInterceptor } from '../http/require-json.interceptor';
import { requestContextOf } from '../http/request-context';
import { TopicMemberDto, TopicMembersPageDto, TopicNameDto } from './topic.dto';
import {
  TopicMembershipResponse,
  TopicMembersResponse,
  TopicResponse,
  toTopicMemberResponse,
  toTopicResponse,
} from './topic.response';

@ApiTags('topics')
@ApiSecurity('api-key')
@ApiSecurity('bearer')
@Controller('topics')
export class TopicsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiProblems('INVALID_TOPIC_NAME', 'TOPIC_EXISTS', ...JSON_BODY_PROBLEMS, 'CONCURRENT_UPDATE')
  @UseInterceptors(RequireJsonInterceptor)
  @ApiOperation({ summary: 'Create a topic: a named audience subscribers join and leave' })
  @ApiTolerantJsonBody(TopicNameDto)
  @ApiCreatedResponse({ type: TopicResponse })
  async create(@Req() request: Request, @Body() body: TopicNameDto): Promise<TopicResponse> {
    await this.commands.execute(
      new ChangeTopicCommand(
        { kind: 'create', name: body.name },
        requestContextOf(request, extraJsonFieldsOf(request.body, TopicNameDto)),
      ),
    );
    return this.topic(body.name.trim());
  }

  @Get()
  @ApiProblems()
  @ApiOperation({ summary: 'The topics, by name, each with its count of subscribed members' })
  @ApiOkResponse({ type: [TopicResponse] })
  async list(): Promise<TopicResponse[]> {
    return (await this.queries.execute(new ListTopicsQuery())).map(({ topic }) =>
      toTopicResponse(topic),
    );
  }

  @Patch(':name')
  @ApiProblems(
    'INVALID_TOPIC_NAME',
    'TOPIC_EXISTS',
    'TOPIC_NOT_FOUND',
    ...JSON_BODY_PROBLEMS,
    'CONCURRENT_UPDATE',
  )
  @UseInterceptors(RequireJsonInterceptor)
  @ApiOperation({ summary: 'Rename a topic; its members stay' })
  @ApiTolerantJsonBody(TopicNameDto)
  @ApiOkResponse({ type: TopicResponse })
  async rename(
    @Req() request: Request,
    @Param('name') name: string,
    @Body() body: TopicNameDto,
  ): Promise<TopicResponse> {
    await this.commands.execute(
      new ChangeTopicCommand(
        { kind: 'rename', name, to: body.name },
        requestContextOf(request, extraJsonFieldsOf(request.body, TopicNameDto)),
      ),
    );
    return this.topic(body.name.trim());
  }

  @Delete(':name')
  @ApiProblems('TOPIC_NOT_FOUND', 'CONCURRENT_UPDATE')
  @ApiOperation({ summary: 'Delete a topic: it is no audience any more, and its name is free' })
  @ApiOkResponse({ type: TopicResponse })
  async delete(@Req() request: Request, @Param('name') name: string): Promise<TopicResponse> {
    const topic = await this.topic(name);
    await this.commands.execute(
      new ChangeTopicCommand({ kind: 'delete', name }, requestContextOf(request, {})),
    );
    return topic;
  }

  @Get(':name/members')
  @ApiProblems('TOPIC_NOT_FOUND', 'INVALID_REQUEST', 'INVALID_LIMIT', 'INVALID_CURSOR')
  @ApiOperation({ summary: "A topic's members by user_id, a page at a time" })
  @ApiOkResponse({ type: TopicMembersResponse })
  async members(
    @Param('name') name: string,
    @Query() query: TopicMembersPageDto,
  ): Promise<TopicMembersResponse> {
    const limit = pageLimit(query.limit, 100, 1000);
    const { page } = await this.queries.execute(
      new ListTopicMembersQuery(name, limit, query.cursor ?? null),
    );
    return { items: page.items.map(toTopicMemberResponse), next_cursor: page.next };
  }

  @Post(':name/members')
  @HttpCode(200)
  @ApiProblems(
    'TOPIC_NOT_FOUND',
    'SUBSCRIBER_NOT_FOUND',
    'USER_NOT_SUBSCRIBED',
    ...JSON_BODY_PROBLEMS,
    'CONCURRENT_UPDATE',
  )
  @UseInterceptors(RequireJsonInterceptor)
  @ApiOperation({
    summary:
      'Add a subscriber to a topic (SubscriberJoinedTopic); adding a member again changes nothing',
  })
  @ApiTolerantJsonBody(TopicMemberDto)
  @ApiOkResponse({ type: TopicMembershipResponse })
  async join(
    @Req() request: Request,
    @Param('name') name: string,
    @Body() body: TopicMemberDto,
  ): Promise<TopicMembershipResponse> {
    const { topic, changed } = await this.commands.execute(
      new ChangeTopicMembershipCommand(
        { userId: body.user_id },
        name,
        'join',
        requestContextOf(request, extraJsonFieldsOf(request.body, TopicMemberDto)),
      ),
    );
    return { topic, user_id: body.user_id, changed };
  }

  @Delete(':name/members/:userId')
  @ApiProblems(
    'TOPIC_NOT_FOUND',
    'SUBSCRIBER_NOT_FOUND',
    'TOPIC_MEMBER_NOT_FOUND',
    'CONCURRENT_UPDATE',
  )
  @ApiOperation({ summary: 'Take a subscriber off a topic (SubscriberLeftTopic)' })
  @ApiOkResponse({ type: TopicMembershipResponse })
  async leave(
    @Req() request: Request,
    @Param('name') name: string,
    @Param('userId') userId: string,
  ): Promise<TopicMembershipResponse> {
    const { topic, changed } = await this.commands.execute(
      new ChangeTopicMembershipCommand({ userId }, name, 'leave', requestContextOf(request, {})),
    );
    return { topic, user_id: userId, changed };
  }

  @Get(':name/events')
  @ApiProblems('INVALID_REQUEST', 'INVALID_LIMIT', 'TOPIC_NOT_FOUND')
  @ApiOperation({
    summary:
      "The topic's events in order: created, renamed, deleted (who joined and left is in each subscriber's events); by name, or by id (a deleted topic's too)",
  })
  @ApiOkResponse({ type: [EventResponse] })
  async events(
    @Param('name') name: string,
    @Query() query: StreamEventsPageDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<EventResponse[]> {
    // By name while the topic is active; by its id too, so that a deleted topic's history stays
    // readable.
    const topicId = isUuid(name) ? name : (await this.queries.execute(new GetTopicQuery(name))).id;
    const page = await streamEventsPage(
      this.queries,
      topicStreamId(topicId),
      query,
      request,
      response,
    );
    if (!page) {
      throw new DomainError(DomainErrorCode.TopicNotFound, `No topic with id ${topicId}`, {
        topicId,
      });
    }
    return page;
  }

  private async topic(name: string): Promise<TopicResponse> {
    return toTopicResponse(await this.queries.execute(new GetTopicQuery(name)));
  }
}
