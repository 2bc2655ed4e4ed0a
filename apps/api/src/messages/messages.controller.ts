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
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { CancelMessageCommand } from '../../../../libs/application/src/commands/cancel-message/cancel-message.command';
import { EditMessageCommand } from '../../../../libs/application/src/commands/edit-message/edit-message.command';
import { PreviewMessageCommand } from '../../../../libs/application/src/commands/preview-message/preview-message.command';
import { RecallMessageCommand } from '../../../../libs/application/src/commands/recall-message/recall-message.command';
import { RescheduleMessageCommand } from '../../../../libs/application/src/commands/reschedule-message/reschedule-message.command';
import { ScheduleMessageCommand } from '../../../../libs/application/src/commands/schedule-message/schedule-message.command';
import { ListMessagesQuery } from '../../../../libs/application/src/queries/list-messages/list-messages.query';
import { ListMessageRecipientsQuery } from '../../../../libs/application/src/queries/list-message-recipients/list-message-recipients.query';
import { GetMessageQuery } from '../../../../libs/application/src/queries/get-message/get-message.query';
import { ListPendingMessagesQuery } from '../../../../libs/application/src/queries/list-pending-messages/list-pending-messages.query';
import { DomainError, DomainErrorCode } from '../../../../libs/domain/src/errors';
import { messagePartStreamId, messageStreamId } from '../../../../libs/domain/src/events';
import { parseRecipientList } from '../../../../libs/domain/src/scheduled-message';
import { parseIsoTimestamp } from '../../../../libs/domain/src/timestamp';
import { ObjectStorage } from '../../../../libs/storage/src/object-storage';
import { ApiError } from '../http/api-error';
import { decodeCursor, encodeCursor } from '../http/keyset-cursor';
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
  type ExtraFields,
  extraJsonFieldsOf,
} from '../http/extra-fields';
import {
  APPEARANCE_FIELD_SCHEMAS,
  APPEARANCE_FIELDS,
  buttonRowsOf,
  buttonsOf,
  linkPreviewOf,
  parseModeOf,
  sendOptionsOf,
} from '../http/appearance-fields';
import { readFormFields } from '../http/form-fields';
import { audienceRequestOf, TARGET_PROBLEMS } from '../http/target-fields';
import { IDEMPOTENCY_KEY_HEADER } from '../http/idempotency.docs';
import { IdempotencyInterceptor } from '../http/idempotency.interceptor';
import { ApiProblems } from '../http/api-problems';
import { pageLimit } from '../http/page-limit';
import { requestContextOf } from '../http/request-context';
import { RequireJsonInterceptor } from '../http/require-json.interceptor';
import { RescheduleMessageDto } from './reschedule-message.dto';
import { PreviewMessageDto } from './preview-message.dto';
import { PreviewResponse } from './preview.response';
import { ListMessagesDto, PendingMessagesDto, RecipientPageDto } from './list-messages.dto';
import { MessageEventsPageDto } from '../events/audit-page.dto';
import { EventResponse } from '../events/event.response';
import { streamEventsPage } from '../events/events.controller';
import {
  MessageDetailsResponse,
  RecipientPageResponse,
  toMessageDetailsResponse,
  toRecipientOutcomeResponse,
} from './message-details.response';
import { MessageResponse, ScheduledMessageResponse, toMessageResponse } from './message.response';

/** The text fields POST /schedule-message takes; any other is kept as an extra field. */
const FORM_FIELDS = [
  'target_user_id',
  'target_topic',
  'target_all',
  'paid_broadcast',
  'message',
  'scheduled_timestamp',
  'from_sender',
  ...APPEARANCE_FIELDS,
] as const;

@ApiTags('messages')
@ApiSecurity('api-key')
@ApiSecurity('bearer')
@Controller()
export class MessagesController {
  private readonly logger = new Logger(MessagesController.name);

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly storage: ObjectStorage,
  ) {}

  @Post('schedule-message')
  @ApiProblems(
    'INVALID_TIMESTAMP',
    'MISSING_MESSAGE',
    'MESSAGE_TOO_LONG',
    ...TARGET_PROBLEMS,
    'INVALID_PAID_BROADCAST',
    'PAID_BROADCAST_DISABLED',
    'INVALID_SEND_OPTION',
    'INVALID_BUTTONS',
    'SCHEDULED_TOO_FAR',
    'FROM_SENDER_TOO_LONG',
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
  @HttpCode(200)
  @UseInterceptors(AttachmentUploadInterceptor, IdempotencyInterceptor)
  @ApiOperation({ summary: 'Schedule a message with attachments for subscribers' })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['message', 'scheduled_timestamp'],
      properties: {
        target_user_id: {
          type: 'string',
          description:
            'Comma-separated user ids. One kind of target per message: this, target_topic or target_all',
          example: 'user-id-1,user-id-2',
        },
        target_topic: {
          type: 'string',
          description:
            'Comma-separated topic names: the members subscribed when the message falls due get it (each once)',
          example: 'release-notes,beta',
        },
        target_all: {
          type: 'string',
          enum: ['true'],
          description: 'true: everyone subscribed when the message falls due gets it',
        },
        paid_broadcast: {
          type: 'string',
          enum: ['true', 'false'],
          description:
            'true: sent as a paid broadcast (allow_paid_broadcast: up to 1000 messages a second instead of 30, for a fee in Telegram Stars per message); refused unless TELEGRAM_PAID_BROADCAST=on',
        },
        message: { type: 'string', maxLength: 4096, example: 'Hello from the scheduler!' },
        scheduled_timestamp: {
          type: 'string',
          description: 'ISO 8601; UTC when no zone is given',
          example: '2030-01-31T09:30:00Z',
        },
        files: {
          type: 'array',
          items: { type: 'string', format: 'binary' },
          description: 'Attachments',
        },
        from_sender: {
          type: 'string',
          maxLength: 256,
          description:
            "The client's label for who sends the message, shown in the answers; GET /pending-messages and GET /messages filter by it",
          example: 'crm',
        },
        ...APPEARANCE_FIELD_SCHEMAS,
      },
      additionalProperties: {
        type: 'string',
        description: `${EXTRA_FIELDS_DESCRIPTION} A file under another field than files is refused (UNEXPECTED_FILE_FIELD).`,
      },
    },
  })
  @ApiOkResponse({ type: ScheduledMessageResponse })
  async schedule(@Req() request: Request): Promise<ScheduledMessageResponse> {
    const attachments = uploadedAttachments(request);
    try {
      const { fields, extraFields } = readMessageForm(request.body);
      const audience = audienceRequestOf(fields);
      const answer = await this.commands.execute(
        new ScheduleMessageCommand(
          uploadMessageId(request),
          audience ? [] : parseRecipientList(fields.target_user_id ?? ''),
          audience,
          fields.message ?? '',
          parseIsoTimestamp(fields.scheduled_timestamp ?? ''),
          attachments,
          fields.from_sender ?? null,
          requestContextOf(request, extraFields),
          paidBroadcastOf(fields),
          sendOptionsOf(fields),
          buttonsOf(fields),
        ),
      );
      return {
        ...toMessageResponse(answer.message),
        ...(answer.warnings.length > 0 ? { warnings: [...answer.warnings] } : {}),
      };
    } catch (error) {
      // A refused request leaves nothing behind.
      await discardUploads(this.storage, request, this.logger);
      throw error;
    }
  }

  @Get('pending-messages')
  @ApiProblems()
  @ApiOperation({ summary: 'Messages not yet sent, soonest first' })
  @ApiOkResponse({ type: [MessageResponse] })
  async pending(@Query() query: PendingMessagesDto): Promise<MessageResponse[]> {
    const views = await this.queries.execute(
      new ListPendingMessagesQuery(senderFilter(query.from_sender)),
    );
    return views.map(toMessageResponse);
  }

  @Get('messages')
  @ApiProblems('INVALID_REQUEST', 'INVALID_LIMIT', 'INVALID_CURSOR', 'INVALID_TIMESTAMP')
  @ApiOperation({
    summary: 'Messages by scheduled time, filtered by status and time, a page at a time',
  })
  async list(
    @Query() query: ListMessagesDto,
  ): Promise<{ items: (MessageResponse & { status: string })[]; next_cursor: string | null }> {
    const limit = pageLimit(query.limit, 50, 200);
    const fromSender = senderFilter(query.from_sender);
    const page = await this.queries.execute(
      new ListMessagesQuery(
        {
          ...(query.status ? { status: query.status } : {}),
          ...(fromSender !== null ? { fromSender } : {}),
          ...(query.from !== undefined ? { from: parseIsoTimestamp(query.from, 'from') } : {}),
          ...(query.to !== undefined ? { to: parseIsoTimestamp(query.to, 'to') } : {}),
        },
        limit,
        query.cursor === undefined ? null : cursorKey(query.cursor),
      ),
    );
    return {
      items: page.items.map((view) => ({ ...toMessageResponse(view), status: view.status })),
      next_cursor: page.next ? encodeCursor(page.next.scheduledAt, page.next.id) : null,
    };
  }

  @Get('messages/:id')
  @ApiProblems('MESSAGE_NOT_FOUND')
  @ApiOperation({ summary: "A message's status and each recipient's outcome" })
  @ApiOkResponse({ type: MessageDetailsResponse })
  async get(@Param('id') id: string): Promise<MessageDetailsResponse> {
    const found = await this.queries.execute(new GetMessageQuery(id));
    if (!found) throw messageNotFound(id);
    return toMessageDetailsResponse(found);
  }

  @Get('messages/:id/recipients')
  @ApiProblems('MESSAGE_NOT_FOUND', 'INVALID_REQUEST', 'INVALID_LIMIT', 'INVALID_CURSOR')
  @ApiOperation({
    summary:
      "A message's recipients in order with their outcomes, a page at a time (optionally only pending, delivered or failed)",
  })
  @ApiOkResponse({ type: RecipientPageResponse })
  async recipients(
    @Param('id') id: string,
    @Query() query: RecipientPageDto,
  ): Promise<RecipientPageResponse> {
    const limit = pageLimit(query.limit, 100, 1000);
    if (query.cursor !== undefined && !/^\d{1,9}$/.test(query.cursor)) {
      throw new ApiError('INVALID_CURSOR', 'cursor is not one this route gave');
    }
    const page = await this.queries.execute(
      new ListMessageRecipientsQuery(
        id,
        limit,
        query.cursor === undefined ? null : Number(query.cursor),
        query.status,
      ),
    );
    if (!page) throw messageNotFound(id);
    return {
      items: page.items.map(toRecipientOutcomeResponse),
      next_cursor: page.next === null ? null : String(page.next),
    };
  }

  @Get('messages/:id/files/:n')
  @ApiProblems('MESSAGE_NOT_FOUND', 'ATTACHMENT_NOT_FOUND')
  @ApiOperation({
    summary:
      "A message's n-th attachment (from 1), streamed with the type decided at upload and its original name",
  })
  @ApiProduces('application/octet-stream')
  async file(
    @Param('id') id: string,
    @Param('n') n: string,
    @Res() response: Response,
  ): Promise<void> {
    const found = await this.queries.execute(new GetMessageQuery(id));
    if (!found) throw messageNotFound(id);
    const index = /^[1-9]\d{0,3}$/.test(n) ? Number(n) : 0;
    const attachment = found.message.attachments[index - 1];
    const missing = () =>
      new ApiError('ATTACHMENT_NOT_FOUND', `Message ${id} has no attachment ${n}`, {
        attachments: found.message.attachments.length,
      });
    if (!attachment) throw missing();
    if (!(await this.storage.exists(attachment.objectKey))) throw missing();
    const content = await this.storage.getStream(attachment.objectKey);
    response.setHeader('Content-Type', attachment.contentType);
    response.setHeader('Content-Length', String(attachment.size));
    response.setHeader(
      'Content-Disposition',
      `attachment; filename*=UTF-8''${encodeURIComponent(attachment.fileName)}`,
    );
    response.setHeader('X-Content-Type-Options', 'nosniff');
    await pipeline(content, response);
  }

  @Delete('messages/:id')
  @ApiProblems('MESSAGE_NOT_FOUND', 'MESSAGE_NOT_PENDING', 'CONCURRENT_UPDATE')
  @ApiOperation({ summary: 'Cancel a message before it is due (409 once due or sent)' })
  @ApiOkResponse({ type: MessageDetailsResponse })
  async cancel(@Req() request: Request, @Param('id') id: string): Promise<MessageDetailsResponse> {
    await this.commands.execute(new CancelMessageCommand(id, requestContextOf(request)));
    return this.get(id);
  }

  @Patch('messages/:id')
  @ApiProblems(
    'INVALID_TIMESTAMP',
    'SCHEDULED_TOO_FAR',
    'MISSING_MESSAGE',
    'MESSAGE_TOO_LONG',
    'INVALID_FORMATTING',
    'UNKNOWN_TEMPLATE_VARIABLE',
    ...JSON_BODY_PROBLEMS,
    'MESSAGE_NOT_FOUND',
    'MESSAGE_NOT_PENDING',
    'MESSAGE_NOT_EDITABLE',
    'CONCURRENT_UPDATE',
  )
  @UseInterceptors(RequireJsonInterceptor)
  @ApiOperation({
    summary:
      'Move a message not yet due to another time (409 once due or sent), or change its text: before it is due, what goes out; once sent, every chat that got it is edited',
  })
  @ApiTolerantJsonBody(RescheduleMessageDto)
  @ApiOkResponse({ type: MessageDetailsResponse })
  async reschedule(
    @Req() request: Request,
    @Param('id') id: string,
    @Body() body: RescheduleMessageDto,
  ): Promise<MessageDetailsResponse> {
    if (body.scheduled_timestamp === undefined && body.message === undefined) {
      throw new ApiError('INVALID_REQUEST', 'Give scheduled_timestamp, message, or both', {
        field: 'scheduled_timestamp',
      });
    }
    const scheduledAt =
      body.scheduled_timestamp === undefined
        ? undefined
        : parseIsoTimestamp(body.scheduled_timestamp);
    const context = requestContextOf(
      request,
      extraJsonFieldsOf(request.body, RescheduleMessageDto),
    );
    // Both given: one append, so that neither happens without the other.
    await this.commands.execute(
      scheduledAt === undefined
        ? new EditMessageCommand(id, body.message!, context)
        : new RescheduleMessageCommand(id, scheduledAt, context, body.message),
    );
    return this.get(id);
  }

  @Post('messages/preview')
  @HttpCode(200)
  @ApiProblems(
    'INVALID_CHAT_ID',
    'MISSING_MESSAGE',
    'MESSAGE_TOO_LONG',
    'INVALID_FORMATTING',
    'UNKNOWN_TEMPLATE_VARIABLE',
    'INVALID_SEND_OPTION',
    'INVALID_BUTTONS',
    'SUBSCRIBER_NOT_FOUND',
    'PREVIEW_NOT_SENT',
    ...JSON_BODY_PROBLEMS,
  )
  @UseInterceptors(RequireJsonInterceptor)
  @ApiOperation({
    summary:
      'Send a message now to a chat of yours, as one recipient would get it (its template filled in with their values): checked as scheduling checks it, nothing scheduled, nothing recorded',
  })
  @ApiTolerantJsonBody(PreviewMessageDto)
  @ApiOkResponse({ type: PreviewResponse })
  async preview(@Body() body: PreviewMessageDto): Promise<PreviewResponse> {
    const sent = await this.commands.execute(
      new PreviewMessageCommand(
        body.chat_id,
        body.message,
        {
          disableNotification: body.disable_notification ?? false,
          protectContent: body.protect_content ?? false,
          messageThreadId: body.message_thread_id ?? null,
          linkPreview: linkPreviewOf(body.link_preview ?? ''),
          parseMode: parseModeOf(body.parse_mode ?? ''),
          deleteAfter: null,
          sendAs: 'documents',
          asAlbum: false,
        },
        body.buttons === undefined ? [] : buttonRowsOf(body.buttons),
        body.target_user_id ?? null,
      ),
    );
    return {
      chat_id: sent.chatId,
      target_user_id: sent.userId,
      text: sent.text,
      telegram_message_id: sent.telegramMessageId,
    };
  }

  @Post('messages/:id/recall')
  @HttpCode(200)
  @ApiProblems(
    'MESSAGE_NOT_FOUND',
    'MESSAGE_NOT_EDITABLE',
    'RECALL_WINDOW_PASSED',
    'CONCURRENT_UPDATE',
  )
  @ApiOperation({
    summary:
      "Take a sent message back: every copy in every chat (the text and each file) is deleted, within the 48 hours Telegram gives a bot; the answer has recalled_at, each recipient's outcome follows as it is done",
  })
  @ApiOkResponse({ type: MessageDetailsResponse })
  async recall(@Req() request: Request, @Param('id') id: string): Promise<MessageDetailsResponse> {
    await this.commands.execute(new RecallMessageCommand(id, requestContextOf(request)));
    return this.get(id);
  }

  @Get('messages/:id/events')
  @ApiProblems('INVALID_REQUEST', 'INVALID_LIMIT', 'MESSAGE_NOT_FOUND')
  @ApiOperation({
    summary:
      "The message's events, in order: its audit trail. For a message to an audience, each part of it (AudienceResolved's `part` of `parts`) has its recipients' progress and outcomes in its own stream: `?part=n`",
  })
  @ApiOkResponse({ type: [EventResponse] })
  async events(
    @Param('id') id: string,
    @Query() query: MessageEventsPageDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<EventResponse[]> {
    const part = query.part === undefined ? undefined : Number(query.part);
    const page = await streamEventsPage(
      this.queries,
      part === undefined ? messageStreamId(id) : messagePartStreamId(id, part),
      query,
      request,
      response,
    );
    if (page) return page;
    // A part with nothing recorded yet (or no such part) of a message that exists: no events.
    if (part !== undefined && (await this.queries.execute(new GetMessageQuery(id)))) return [];
    throw messageNotFound(id);
  }
}

const messageNotFound = (id: string) =>
  new DomainError(DomainErrorCode.MessageNotFound, `No message with id ${id}`, { messageId: id });

type FormFields = Partial<Record<(typeof FORM_FIELDS)[number], string>>;

/** An empty `from_sender` filter is no filter, as an empty label is no label. */
const senderFilter = (fromSender: string | undefined): string | null =>
  fromSender === undefined || fromSender === '' ? null : fromSender;

function readMessageForm(body: unknown): {
  fields: FormFields;
  extraFields: ExtraFields | undefined;
} {
  const read = readFormFields(body, FORM_FIELDS);
  if (read.fields.message === undefined) {
    throw new DomainError(DomainErrorCode.MissingMessage, 'message is required', {
      field: 'message',
    });
  }
  return read;
}

/** `paid_broadcast`: true or false (any case); absent or empty is false. */
function paidBroadcastOf(fields: FormFields): boolean {
  const value = fields.paid_broadcast?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new DomainError(
    DomainErrorCode.InvalidPaidBroadcast,
    'paid_broadcast takes true or false',
    {
      field: 'paid_broadcast',
    },
  );
}

function cursorKey(cursor: string): { scheduledAt: Date; id: string } {
  const { time, id } = decodeCursor(cursor);
  return { scheduledAt: time, id };
}
