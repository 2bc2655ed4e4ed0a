import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Logger,
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
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ChangeOccurrenceCommand } from '../../../../libs/application/src/commands/change-occurrence/change-occurrence.command';
import { ChangeSeriesCommand } from '../../../../libs/application/src/commands/change-series/change-series.command';
import { CreateSeriesCommand } from '../../../../libs/application/src/commands/create-series/create-series.command';
import { EndSeriesCommand } from '../../../../libs/application/src/commands/end-series/end-series.command';
import { PauseSeriesCommand } from '../../../../libs/application/src/commands/pause-series/pause-series.command';
import { ResumeSeriesCommand } from '../../../../libs/application/src/commands/resume-series/resume-series.command';
import { GetSeriesQuery } from '../../../../libs/application/src/queries/get-series/get-series.query';
import { ListOccurrencesQuery } from '../../../../libs/application/src/queries/list-occurrences/list-occurrences.query';
import { ListSeriesQuery } from '../../../../libs/application/src/queries/list-series/list-series.query';
import { DomainError, DomainErrorCode } from '../../../../libs/domain/src/errors';
import { type MessageSendOptions, seriesStreamId } from '../../../../libs/domain/src/events';
import {
  APPEARANCE_FIELD_SCHEMAS,
  APPEARANCE_FIELDS,
  buttonRowsOf,
  buttonsOf,
  linkPreviewOf,
  parseModeOf,
  sendAsOf,
  sendOptionsOf,
} from '../http/appearance-fields';
import { parseRecipientList } from '../../../../libs/domain/src/scheduled-message';
import { parseIsoTimestamp } from '../../../../libs/domain/src/timestamp';
import { ObjectStorage } from '../../../../libs/storage/src/object-storage';
import { ApiError } from '../http/api-error';
import { decodeCursor, encodeCursor } from '../http/keyset-cursor';
import { ApiProblems } from '../http/api-problems';
import { pageLimit } from '../http/page-limit';
import {
  AttachmentUploadInterceptor,
  discardUploads,
  uploadedAttachments,
  uploadMessageId,
} from '../http/attachment-upload.interceptor';
import {
  ApiTolerantJsonBody,
  EXTRA_FIELD_PROBLEMS,
  JSON_BODY_PROBLEMS,
  EXTRA_FIELDS_DESCRIPTION,
  extraJsonFieldsOf,
} from '../http/extra-fields';
import { readFormFields } from '../http/form-fields';
import { audienceRequestOf, TARGET_PROBLEMS } from '../http/target-fields';
import { IDEMPOTENCY_KEY_HEADER } from '../http/idempotency.docs';
import { IdempotencyInterceptor } from '../http/idempotency.interceptor';
import { requestContextOf } from '../http/request-context';
import { RequireJsonInterceptor } from '../http/require-json.interceptor';
import { StreamEventsPageDto } from '../events/audit-page.dto';
import { EventResponse } from '../events/event.response';
import { streamEventsPage } from '../events/events.controller';
import {
  ChangeOccurrenceDto,
  ChangeSeriesDto,
  ListOccurrencesDto,
  ListSeriesDto,
} from './series.dto';
import {
  OccurrenceResponse,
  SeriesResponse,
  seriesFields,
  toOccurrenceResponse,
  toSeriesResponse,
} from './series.response';

/** The text fields POST /series takes; any other is kept as an extra field. */
const FORM_FIELDS = [
  'target_user_id',
  'target_topic',
  'target_all',
  'message',
  'rrule',
  'dtstart',
  'time_zone',
  'at_recipient_local_time',
  'from_sender',
  ...APPEARANCE_FIELDS,
] as const;

const RULE_PROBLEMS = [
  'INVALID_RRULE',
  'UNSUPPORTED_RRULE',
  'RRULE_TOO_FREQUENT',
  'UNKNOWN_TIME_ZONE',
  'INVALID_DTSTART',
  'COUNT_AND_UNTIL',
  'UNTIL_BEFORE_START',
  'RULE_NEVER_FIRES',
  'LOCAL_TIME_NEEDS_DAILY_RULE',
] as const;

/** Who a series is for, as a message's, and an audience's zones unknown when it is planned. */
const SERIES_TARGET_PROBLEMS = [...TARGET_PROBLEMS, 'LOCAL_TIME_NEEDS_USER_IDS'] as const;

@ApiTags('series')
@ApiSecurity('api-key')
@ApiSecurity('bearer')
@Controller('series')
export class SeriesController {
  private readonly logger = new Logger(SeriesController.name);

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly storage: ObjectStorage,
  ) {}

  @Post()
  @ApiProblems(
    ...RULE_PROBLEMS,
    'MISSING_MESSAGE',
    'MESSAGE_TOO_LONG',
    ...SERIES_TARGET_PROBLEMS,
    'FROM_SENDER_TOO_LONG',
    'INVALID_SEND_OPTION',
    'INVALID_BUTTONS',
    'TOO_MANY_SERIES',
    'TOO_MANY_ATTACHMENTS',
    'ATTACHMENT_TOO_LARGE',
    'EMPTY_FILE',
    'INVALID_FILE_NAME',
    'ATTACHMENT_TYPE_MISMATCH',
    'UNEXPECTED_FILE_FIELD',
    'DUPLICATE_FIELD',
    'INVALID_FIELD',
    'FIELD_TOO_LONG',
    'TOO_MANY_PARTS',
    ...EXTRA_FIELD_PROBLEMS,
    'MALFORMED_MULTIPART',
    'UNSUPPORTED_MEDIA_TYPE',
    'INVALID_IDEMPOTENCY_KEY',
    'IDEMPOTENCY_KEY_IN_FLIGHT',
    'IDEMPOTENCY_KEY_REUSED',
  )
  @HttpCode(201)
  @UseInterceptors(AttachmentUploadInterceptor, IdempotencyInterceptor)
  @ApiOperation({
    summary: 'Create a recurring series: a message sent at every occurrence of an RFC 5545 rule',
    description:
      'The rule is evaluated on local times in time_zone (09:00 stays 09:00 through daylight saving changes; a time in the spring-forward gap is read with the offset before it, an ambiguous one as the first). Each occurrence becomes an ordinary message, planned when the one before it goes out. The files are stored once and sent with every occurrence.',
  })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['message', 'rrule', 'dtstart', 'time_zone'],
      properties: {
        target_user_id: {
          type: 'string',
          description:
            'Comma-separated user ids. One kind of target per series: this, target_topic or target_all',
          example: 'user-id-1,user-id-2',
        },
        target_topic: {
          type: 'string',
          description:
            "Comma-separated topic names: each occurrence goes to the topics' members subscribed when it falls due",
          example: 'news',
        },
        target_all: {
          type: 'string',
          enum: ['true'],
          description: 'true: each occurrence goes to everyone subscribed when it falls due',
        },
        message: { type: 'string', maxLength: 4096, example: 'Weekly report is due today' },
        rrule: {
          type: 'string',
          description:
            'RFC 5545 RRULE (FREQ MINUTELY to YEARLY, INTERVAL, BYDAY incl. 1MO / -1FR, BYMONTHDAY incl. -1, BYMONTH, BYHOUR, BYMINUTE, BYSETPOS, COUNT or UNTIL, WKST); it may fire at most every SERIES_MIN_INTERVAL_MINUTES',
          example: 'FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=10;BYMINUTE=0',
        },
        dtstart: {
          type: 'string',
          description: 'The first local date-time, without an offset',
          example: '2027-01-04T10:00',
        },
        time_zone: { type: 'string', description: 'An IANA time zone', example: 'Europe/Berlin' },
        at_recipient_local_time: {
          type: 'string',
          enum: ['true', 'false'],
          description:
            "true: each recipient gets each occurrence at the rule's local time in their own zone (set with /timezone in the bot or PATCH /subscribers/:id); those without one, at time_zone's. Needs a rule with a time of day (DAILY or coarser). false by default",
        },
        files: {
          type: 'array',
          items: { type: 'string', format: 'binary' },
          description: 'Attachments, sent with every occurrence',
        },
        from_sender: { type: 'string', maxLength: 256, example: 'crm' },
        ...APPEARANCE_FIELD_SCHEMAS,
      },
      additionalProperties: { type: 'string', description: EXTRA_FIELDS_DESCRIPTION },
    },
  })
  @ApiCreatedResponse({ type: SeriesResponse })
  async create(@Req() request: Request): Promise<SeriesResponse> {
    const attachments = uploadedAttachments(request);
    const seriesId = uploadMessageId(request);
    try {
      const { fields, extraFields } = readFormFields(request.body, FORM_FIELDS);
      if (fields.message === undefined) {
        throw new DomainError(DomainErrorCode.MissingMessage, 'message is required', {
          field: 'message',
        });
      }
      const audience = audienceRequestOf(fields);
      await this.commands.execute(
        new CreateSeriesCommand(
          seriesId,
          audience ? [] : parseRecipientList(fields.target_user_id ?? ''),
          fields.message,
          attachments,
          fields.from_sender ?? null,
          {
            rrule: required(fields.rrule, 'rrule', 'INVALID_RRULE'),
            dtstart: required(fields.dtstart, 'dtstart', 'INVALID_DTSTART'),
            timeZone: required(fields.time_zone, 'time_zone', 'UNKNOWN_TIME_ZONE'),
          },
          requestContextOf(request, extraFields),
          booleanField(fields.at_recipient_local_time, 'at_recipient_local_time'),
          audience,
          sendOptionsOf(fields),
          buttonsOf(fields),
        ),
      );
    } catch (error) {
      // A refused request leaves nothing behind.
      await discardUploads(this.storage, request, this.logger);
      throw error;
    }
    return this.get(seriesId);
  }

  @Get()
  @ApiProblems('INVALID_REQUEST', 'INVALID_LIMIT', 'INVALID_CURSOR')
  @ApiOperation({ summary: 'Series by creation, oldest first, a page at a time' })
  async list(@Query() query: ListSeriesDto): Promise<{
    items: Omit<SeriesResponse, 'description' | 'next_occurrences'>[];
    next_cursor: string | null;
  }> {
    const limit = pageLimit(query.limit, 50, 200);
    const page = await this.queries.execute(
      new ListSeriesQuery(
        query.status ?? null,
        limit,
        query.cursor === undefined ? null : cursorKey(query.cursor),
      ),
    );
    return {
      items: page.items.map(seriesFields),
      next_cursor: page.next ? encodeCursor(page.next.createdAt, page.next.id) : null,
    };
  }

  @Get(':id')
  @ApiProblems('SERIES_NOT_FOUND')
  @ApiOperation({ summary: 'A series: its rule in words and its next occurrences' })
  @ApiOkResponse({ type: SeriesResponse })
  async get(@Param('id') id: string): Promise<SeriesResponse> {
    const found = await this.queries.execute(new GetSeriesQuery(id));
    if (!found) throw seriesNotFound(id);
    return toSeriesResponse(found);
  }

  @Patch(':id')
  @ApiProblems(
    ...RULE_PROBLEMS,
    'MISSING_MESSAGE',
    'MESSAGE_TOO_LONG',
    ...SERIES_TARGET_PROBLEMS,
    'INVALID_SEND_OPTION',
    'INVALID_BUTTONS',
    ...JSON_BODY_PROBLEMS,
    'SERIES_NOT_FOUND',
    'SERIES_ENDED',
    'CONCURRENT_UPDATE',
  )
  @UseInterceptors(RequireJsonInterceptor)
  @ApiOperation({
    summary: 'Change the text, recipients (user ids, topics or everyone) or rule from now on',
    description:
      'An occurrence already planned and not yet due is planned again as the series is now (its old message is cancelled); with a new rule, planning starts over from now.',
  })
  @ApiTolerantJsonBody(ChangeSeriesDto)
  @ApiOkResponse({ type: SeriesResponse })
  async change(
    @Req() request: Request,
    @Param('id') id: string,
    @Body() body: ChangeSeriesDto,
  ): Promise<SeriesResponse> {
    const audience = audienceRequestOf({
      ...body,
      target_all: body.target_all === undefined ? undefined : String(body.target_all),
    });
    await this.commands.execute(
      new ChangeSeriesCommand(
        id,
        {
          ...(body.message !== undefined ? { text: body.message } : {}),
          ...(body.target_user_id !== undefined
            ? { recipients: parseRecipientList(body.target_user_id) }
            : {}),
          ...(audience ? { audience } : {}),
          ...(body.rrule !== undefined ? { rrule: body.rrule } : {}),
          ...(body.dtstart !== undefined ? { dtstart: body.dtstart } : {}),
          ...(body.time_zone !== undefined ? { timeZone: body.time_zone } : {}),
          ...(body.at_recipient_local_time !== undefined
            ? { atRecipientLocalTime: body.at_recipient_local_time }
            : {}),
          ...sendOptionChangesOf(body),
          ...(body.buttons !== undefined ? { buttons: buttonRowsOf(body.buttons) } : {}),
        },
        requestContextOf(request, extraJsonFieldsOf(request.body, ChangeSeriesDto)),
      ),
    );
    return this.get(id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiProblems('SERIES_NOT_FOUND', 'SERIES_ENDED', 'CONCURRENT_UPDATE')
  @ApiOperation({
    summary: 'Pause: what is planned is cancelled and nothing goes out until resumed',
  })
  @ApiOkResponse({ type: SeriesResponse })
  async pause(@Req() request: Request, @Param('id') id: string): Promise<SeriesResponse> {
    await this.commands.execute(new PauseSeriesCommand(id, requestContextOf(request)));
    return this.get(id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiProblems('SERIES_NOT_FOUND', 'SERIES_ENDED', 'CONCURRENT_UPDATE')
  @ApiOperation({
    summary: 'Resume from now on: occurrences that fell while paused are not sent',
  })
  @ApiOkResponse({ type: SeriesResponse })
  async resume(@Req() request: Request, @Param('id') id: string): Promise<SeriesResponse> {
    await this.commands.execute(new ResumeSeriesCommand(id, requestContextOf(request)));
    return this.get(id);
  }

  @Delete(':id')
  @ApiProblems('SERIES_NOT_FOUND', 'CONCURRENT_UPDATE')
  @ApiOperation({
    summary: 'End the series: what is planned is cancelled, nothing further is sent',
  })
  @ApiOkResponse({ type: SeriesResponse })
  async end(@Req() request: Request, @Param('id') id: string): Promise<SeriesResponse> {
    await this.commands.execute(new EndSeriesCommand(id, requestContextOf(request)));
    return this.get(id);
  }

  @Get(':id/occurrences')
  @ApiProblems('INVALID_REQUEST', 'INVALID_LIMIT', 'SERIES_NOT_FOUND')
  @ApiOperation({
    summary:
      'Occurrences, oldest first: up to limit of the latest past ones and up to limit still to come',
  })
  @ApiOkResponse({ type: [OccurrenceResponse] })
  async occurrences(
    @Param('id') id: string,
    @Query() query: ListOccurrencesDto,
  ): Promise<OccurrenceResponse[]> {
    const limit = pageLimit(query.limit, 10, 200);
    const found = await this.queries.execute(new ListOccurrencesQuery(id, limit));
    if (!found) throw seriesNotFound(id);
    return found.map(toOccurrenceResponse);
  }

  @Post(':id/occurrences/:at/skip')
  @HttpCode(200)
  @ApiProblems(
    'INVALID_TIMESTAMP',
    'SERIES_NOT_FOUND',
    'SERIES_ENDED',
    'OCCURRENCE_NOT_FOUND',
    'OCCURRENCE_PASSED',
    'CONCURRENT_UPDATE',
  )
  @ApiOperation({
    summary:
      'Skip one future occurrence, named by its occurrence_timestamp (its message is cancelled if planned)',
  })
  @ApiOkResponse({ type: SeriesResponse })
  async skip(
    @Req() request: Request,
    @Param('id') id: string,
    @Param('at') at: string,
  ): Promise<SeriesResponse> {
    await this.commands.execute(
      new ChangeOccurrenceCommand(
        id,
        parseIsoTimestamp(at, 'occurrence_timestamp'),
        { kind: 'skip' },
        requestContextOf(request),
      ),
    );
    return this.get(id);
  }

  @Patch(':id/occurrences/:at')
  @ApiProblems(
    'INVALID_TIMESTAMP',
    'MISSING_MESSAGE',
    'MESSAGE_TOO_LONG',
    ...JSON_BODY_PROBLEMS,
    'SERIES_NOT_FOUND',
    'SERIES_ENDED',
    'OCCURRENCE_NOT_FOUND',
    'OCCURRENCE_PASSED',
    'CONCURRENT_UPDATE',
  )
  @UseInterceptors(RequireJsonInterceptor)
  @ApiOperation({
    summary:
      'Move one future occurrence (scheduled_timestamp) or give it its own text (message), named by its occurrence_timestamp',
  })
  @ApiTolerantJsonBody(ChangeOccurrenceDto)
  @ApiOkResponse({ type: SeriesResponse })
  async changeOccurrence(
    @Req() request: Request,
    @Param('id') id: string,
    @Param('at') at: string,
    @Body() body: ChangeOccurrenceDto,
  ): Promise<SeriesResponse> {
    const occurrenceAt = parseIsoTimestamp(at, 'occurrence_timestamp');
    if (body.scheduled_timestamp === undefined && body.message === undefined) {
      throw new ApiError('INVALID_REQUEST', 'Give scheduled_timestamp, message, or both');
    }
    const context = requestContextOf(request, extraJsonFieldsOf(request.body, ChangeOccurrenceDto));
    if (body.message !== undefined) {
      await this.commands.execute(
        new ChangeOccurrenceCommand(
          id,
          occurrenceAt,
          { kind: 'edit', text: body.message },
          context,
        ),
      );
    }
    if (body.scheduled_timestamp !== undefined) {
      await this.commands.execute(
        new ChangeOccurrenceCommand(
          id,
          occurrenceAt,
          { kind: 'move', scheduledAt: parseIsoTimestamp(body.scheduled_timestamp) },
          context,
        ),
      );
    }
    return this.get(id);
  }

  @Get(':id/events')
  @ApiProblems('INVALID_REQUEST', 'INVALID_LIMIT', 'SERIES_NOT_FOUND')
  @ApiOperation({ summary: "The series' events, in order: its audit trail" })
  @ApiOkResponse({ type: [EventResponse] })
  async events(
    @Param('id') id: string,
    @Query() query: StreamEventsPageDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<EventResponse[]> {
    const page = await streamEventsPage(this.queries, seriesStreamId(id), query, request, response);
    if (!page) throw seriesNotFound(id);
    return page;
  }
}

const seriesNotFound = (id: string) =>
  new DomainError(DomainErrorCode.SeriesNotFound, `No series with id ${id}`, { seriesId: id });

function required(
  value: string | undefined,
  field: string,
  code: 'INVALID_RRULE' | 'INVALID_DTSTART' | 'UNKNOWN_TIME_ZONE',
): string {
  if (value === undefined || value.trim() === '') {
    throw new ApiError(code, `${field} is required`, { field });
  }
  return value.trim();
}

function cursorKey(cursor: string): { createdAt: Date; id: string } {
  const { time, id } = decodeCursor(cursor);
  return { createdAt: time, id };
}

/** A form field that is `true` or `false` (false when left out). */
function booleanField(value: string | undefined, field: string): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ApiError('INVALID_FIELD', `${field} must be true or false`, { field });
}

/** The send options a PATCH gives (the others stay as they are); none when it gives none. */
function sendOptionChangesOf(body: ChangeSeriesDto): { sendOptions?: Partial<MessageSendOptions> } {
  const changes: Partial<MessageSendOptions> = {
    ...(body.disable_notification !== undefined
      ? { disableNotification: body.disable_notification }
      : {}),
    ...(body.protect_content !== undefined ? { protectContent: body.protect_content } : {}),
    ...(body.message_thread_id !== undefined ? { messageThreadId: body.message_thread_id } : {}),
    ...(body.link_preview !== undefined ? { linkPreview: linkPreviewOf(body.link_preview) } : {}),
    ...(body.parse_mode !== undefined ? { parseMode: parseModeOf(body.parse_mode) } : {}),
    ...(body.delete_after !== undefined ? { deleteAfter: body.delete_after } : {}),
    ...(body.send_as !== undefined ? { sendAs: sendAsOf(body.send_as) } : {}),
    ...(body.as_album !== undefined ? { asAlbum: body.as_album } : {}),
  };
  return Object.keys(changes).length > 0 ? { sendOptions: changes } : {};
}
