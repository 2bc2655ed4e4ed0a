import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import busboy from 'busboy';
import {
  PARSE_MODES,
  parseFormattedText,
  type ParseMode,
  type TextEntity,
} from '../../libs/domain/src/formatting';

/** A call the double received, as tests and people want to see it. */
/** Sends a second Telegram allows a bot with paid broadcasts (`allow_paid_broadcast`). */
export const PAID_PER_SECOND = 1000;

/** A send asking for a paid broadcast (a form's or JSON's true). */
const isPaid = (fields: Readonly<Record<string, string | undefined>>): boolean =>
  fields.allow_paid_broadcast === 'true' || fields.allow_paid_broadcast === '1';

export interface RecordedCall {
  readonly method: string;
  readonly token: string;
  readonly chatId?: string;
  readonly text?: string;
  readonly fileName?: string;
  readonly fileSize?: number;
  readonly sha256?: string;
  /** A file (document, photo, video, audio) sent by the file_id of an earlier upload: that file_id. */
  readonly fileId?: string;
  /** An album's item (sendMediaGroup, recorded once per item): its album, place and size. */
  readonly album?: { readonly id: string; readonly index: number; readonly size: number };
  /** A file's caption, as sent (markup and all). */
  readonly caption?: string;
  /** The status the double answered with. */
  readonly status: number;
  /** For an accepted send: the message_id answered; for an edit, the message edited. */
  readonly messageId?: number;
  /** deleteMessages: the messages it named. */
  readonly messageIds?: readonly number[];
  /** The reply_markup sent (parsed), e.g. an inline keyboard. */
  readonly replyMarkup?: unknown;
  /** answerCallbackQuery: the query answered. */
  readonly callbackQueryId?: string;
  /** A send with `allow_paid_broadcast`: counted against the paid limit, not the free one. */
  readonly paidBroadcast?: boolean;
  /**
   * A text sent with a parse_mode: the mode, and what the chat shows (the text without markup,
   * and its entities), as Telegram parsed it.
   */
  readonly parseMode?: string;
  readonly shown?: { readonly text: string; readonly entities: readonly TextEntity[] };
  /** How the send asked Telegram to show it, where it asked for other than the defaults. */
  readonly display?: {
    readonly disableNotification?: boolean;
    readonly protectContent?: boolean;
    readonly messageThreadId?: number;
    readonly linkPreviewOptions?: unknown;
  };
  readonly receivedAt: number;
  /** When the answer was given (after any latency). */
  readonly answeredAt: number;
}

export interface InjectedFailure {
  readonly status: number;
  readonly description: string;
  readonly retryAfter?: number;
  /** With a 400: the supergroup the group became. */
  readonly migrateToChatId?: string;
  /** Only for this method; every send method when absent. */
  readonly method?: string;
  /** Only for this chat; every chat when absent. */
  readonly chatId?: string;
}

type Fields = Record<string, string>;
interface ParsedFile {
  /** The form field it came in (an album's item names it: `attach://<field>`). */
  field: string;
  name: string;
  size: number;
  sha256: string;
}

const SEND_METHODS = new Set([
  'sendMessage',
  'sendMediaGroup',
  'sendDocument',
  'sendPhoto',
  'sendVideo',
  'sendAudio',
]);

/**
 * An HTTP server that answers `/bot<token>/<method>` as the Telegram Bot API does, recording
 * every call (with the sha256 of every file received). Switches: latency, failures injected for
 * the next calls (429 with retry_after, 5xx, anything), chats that blocked the bot (403) or do not
 * exist (400 chat not found), and updates handed out by getUpdates.
 */
export class BotApiDouble {
  readonly calls: RecordedCall[] = [];
  latencyMs = 0;
  readonly blockedChats = new Set<string>();
  readonly unknownChats = new Set<string>();
  private readonly failures: InjectedFailure[] = [];
  private readonly updates: unknown[] = [];
  private updateId = 0;
  private readonly uploadedFileIds = new Set<string>();
  private messageId = 0;
  private server: Server | undefined;
  private holdThreshold: number | undefined;
  private gate: { promise: Promise<void>; open: () => void } | undefined;
  /** Send requests waiting behind the hold. */
  held = 0;
  /** When set, any other token is refused with 401, as Telegram refuses a wrong token. */
  acceptedToken: string | undefined;
  /** What the last setWebhook asked for. */
  webhook: { url: string; secretToken: string | undefined } | undefined;
  private readonly updateArrived = new EventEmitter();
  /** TCP connections accepted so far. */
  connections = 0;
  /** Called after each answer. */
  onCall: ((call: RecordedCall) => void) | undefined;
  /**
   * When set, a send beyond these limits is refused with 429 and retry_after, as Telegram's flood
   * control does: more than `perSecond` sends without `allow_paid_broadcast` in any second, more
   * than `paidPerSecond` (1000 unless given) sends of any kind in any second, or a second send to
   * one private chat sooner than `chatIntervalMs` after the last one.
   */
  enforcedLimits:
    | {
        readonly perSecond: number;
        readonly chatIntervalMs: number;
        readonly paidPerSecond?: number;
      }
    | undefined;
  private readonly acceptedSendTimes: number[] = [];
  private readonly acceptedFreeSendTimes: number[] = [];
  /** The bot's messages as their chats show them now (after edits), by `chat:message_id`. */
  /** Documents the bot sent, by chat and message id, while not deleted. */
  private readonly documents = new Set<string>();
  /** Captions of the bot's files, by `chat:message_id`, as their chats show them (after edits). */
  private readonly captions = new Map<string, { text: string; entities: readonly TextEntity[] }>();
  private mediaGroupId = 0;
  private readonly messages = new Map<
    string,
    { text: string; entities: readonly TextEntity[]; replyMarkup: string }
  >();
  /** Callback queries handed out by getUpdates and not answered yet. */
  private readonly openCallbackQueries = new Set<string>();
  private callbackQueryId = 0;
  /** The kinds of update the bot's getUpdates asked for (all when it did not say). */
  private allowedUpdates: string[] | undefined;
  private readonly lastSendToChat = new Map<string, number>();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 5 });

  /**
   * After `sends` successful sends, holds every further send unanswered (and unrecorded) until
   * `release()`. A request whose client went away meanwhile is then dropped, as one that never
   * reached Telegram: this is how a test kills a sender between two sends.
   */
  holdAfter(sends: number): void {
    this.holdThreshold = sends;
    let open = () => undefined as void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
  }

  /** Answers the held requests, after a moment that lets the close of a dead client's socket arrive. */
  release(): void {
    const gate = this.gate;
    this.holdThreshold = undefined;
    this.gate = undefined;
    setTimeout(() => gate?.open(), 200);
  }

  /** The next `count` matching calls fail as described. */
  failNext(count: number, failure: InjectedFailure): void {
    for (let index = 0; index < count; index++) this.failures.push(failure);
  }

  /** Queues an update (its update_id is assigned) for getUpdates. */
  pushUpdate(update: Record<string, unknown>): number {
    const id = ++this.updateId;
    this.updates.push({ update_id: id, ...update });
    this.updateArrived.emit('update');
    return id;
  }

  /**
   * A user's press on an inline keyboard button of the bot's message: a callback_query update
   * carrying the button's callback_data. Answers the query's id.
   */
  pushCallbackQuery(chatId: string, messageId: number, data: string): string {
    const id = String(++this.callbackQueryId);
    const user = { id: Number(chatId), is_bot: false, first_name: 'Ann' };
    const shown = this.messages.get(`${chatId}:${messageId}`);
    this.openCallbackQueries.add(id);
    this.pushUpdate({
      callback_query: {
        id,
        from: user,
        chat_instance: `instance-${chatId}`,
        data,
        message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(chatId), type: 'private', first_name: 'Ann' },
          from: { id: 1, is_bot: true, first_name: 'Test Bot', username: 'test_bot' },
          text: shown?.text ?? '',
          ...(shown?.replyMarkup ? { reply_markup: JSON.parse(shown.replyMarkup) as unknown } : {}),
        },
      },
    });
    return id;
  }

  /** A message of the bot as its chat shows it now: its text and inline keyboard, after edits. */
  messageIn(
    chatId: string,
    messageId: number,
  ): { text: string; entities: readonly TextEntity[]; replyMarkup: unknown } | undefined {
    const shown = this.messages.get(`${chatId}:${messageId}`);
    return shown
      ? {
          text: shown.text,
          entities: shown.entities,
          replyMarkup: shown.replyMarkup ? JSON.parse(shown.replyMarkup) : undefined,
        }
      : undefined;
  }

  /** The caption of a file the bot sent, as its chat shows it now (after edits); none if deleted. */
  captionIn(
    chatId: string,
    messageId: number,
  ): { text: string; entities: readonly TextEntity[] } | undefined {
    return this.captions.get(`${chatId}:${messageId}`);
  }

  /**
   * Breaches of Telegram's limits among the send requests received and not refused with 429 (see
   * `limitViolationsIn`).
   */
  limitViolations(
    perSecond = 30,
    groupPerMinute = 20,
    paidPerSecond = PAID_PER_SECOND,
  ): { bot: number; chat: number; group: number } {
    return limitViolationsIn(this.calls, perSecond, groupPerMinute, paidPerSecond);
  }

  /** Each window over the bot's per-second limit (see `botViolationWindowsIn`). */
  botViolationWindows(perSecond = 30): string[] {
    return botViolationWindowsIn(this.calls, perSecond, this.loopDelay.max / 1e6);
  }

  /** Texts sent to a chat, in order: what its user read. */
  textsTo(chatId: string): string[] {
    return this.delivered(chatId)
      .filter((call) => call.method === 'sendMessage')
      .map((call) => call.text ?? '');
  }

  /** Successful sends, optionally to one chat. */
  delivered(chatId?: string): RecordedCall[] {
    return deliveredIn(this.calls, chatId);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent)
          this.reply(response, 500, { ok: false, error_code: 500, description: String(error) });
      });
    });
    this.server.on('connection', () => this.connections++);
    this.loopDelay.enable();
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, resolve);
    });
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('The Bot API double is not running');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.loopDelay.disable();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const url = new URL(request.url ?? '/', 'http://double');
    if (url.pathname === '/_calls') {
      request.resume();
      return this.reply(response, 200, this.calls);
    }
    if (url.pathname === '/_loop') {
      // The longest stall of this process's event loop since the last ask: arrivals are stamped
      // when the loop gets to them.
      request.resume();
      const maxMs = this.loopDelay.max / 1e6;
      if (url.searchParams.get('keep') !== 'true') this.loopDelay.reset();
      return this.reply(response, 200, { maxMs });
    }
    if (url.pathname === '/_fail' && request.method === 'POST') {
      // {"count": 2, "failure": {"status": 502, "description": "Bad Gateway"}}: as failNext.
      const { count, failure } = (await readJson(request)) as {
        count: number;
        failure: InjectedFailure;
      };
      this.failNext(count, failure);
      return this.reply(response, 200, { ok: true });
    }
    if (url.pathname === '/_blocked' && request.method === 'POST') {
      // {"chat_id": "42"}: the chat blocked the bot; its sends are refused with 403 from now on.
      const { chat_id: chatId } = (await readJson(request)) as { chat_id: string };
      this.blockedChats.add(String(chatId));
      return this.reply(response, 200, { ok: true });
    }
    if (url.pathname === '/_violations') {
      // ?perSecond=30&groupPerMinute=20&paidPerSecond=1000, as limitViolations takes them.
      request.resume();
      const limit = (name: string) =>
        url.searchParams.has(name) ? Number(url.searchParams.get(name)) : undefined;
      return this.reply(
        response,
        200,
        this.limitViolations(limit('perSecond'), limit('groupPerMinute'), limit('paidPerSecond')),
      );
    }
    if (url.pathname === '/_updates' && request.method === 'POST') {
      // For people trying the bot: {"chat_id": 42, "text": "/start", "username": "ann"}, or a whole update.
      // A press on a button of the bot's message: {"chat_id": 42, "message_id": 7, "callback_data": "…"}.
      const { fields } = await parse(request, url);
      if (fields.callback_data !== undefined && fields.chat_id !== undefined) {
        const id = this.pushCallbackQuery(
          fields.chat_id,
          Number(fields.message_id),
          fields.callback_data,
        );
        return this.reply(response, 200, { ok: true, callback_query_id: id });
      }
      const update =
        fields.text !== undefined && fields.chat_id !== undefined
          ? messageUpdate(fields)
          : parseUpdate(fields);
      return this.reply(response, 200, { ok: true, update_id: this.pushUpdate(update) });
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!match) {
      request.resume();
      return this.reply(response, 404, { ok: false, error_code: 404, description: 'Not Found' });
    }
    const [, token = '', method = ''] = match;
    let clientGone = false;
    const onClose = () => (clientGone = true);
    // Keep-alive sockets carry many requests: the listener goes when this one is answered.
    request.socket.once('close', onClose);
    response.once('finish', () => request.socket.off('close', onClose));
    const { fields, files } = await parse(request, url);
    if (
      this.gate &&
      SEND_METHODS.has(method) &&
      this.delivered().length >= (this.holdThreshold ?? 0)
    ) {
      this.held++;
      await this.gate.promise;
      this.held--;
      if (clientGone || request.socket.destroyed) return;
    }
    if (method === 'getUpdates') await this.longPoll(fields, () => clientGone);
    if (clientGone) return;
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const chatId = fields.chat_id;
    if (method === 'sendMediaGroup') {
      return this.sendMediaGroup(response, token, fields, files, receivedAt);
    }
    const file = files[0];
    const [status, body] =
      this.floodControl(method, chatId, receivedAt, isPaid(fields)) ??
      this.answer(token, method, fields, file);
    const call: RecordedCall = {
      method,
      token,
      ...(chatId !== undefined ? { chatId } : {}),
      ...(fields.text !== undefined ? { text: fields.text } : {}),
      ...shownOf(fields),
      ...(file ? { fileName: file.name, fileSize: file.size, sha256: file.sha256 } : {}),
      ...(!file && FILE_FIELDS[method] && fields[FILE_FIELDS[method]]
        ? { fileId: fields[FILE_FIELDS[method]] }
        : {}),
      ...(fields.reply_markup !== undefined ? { replyMarkup: parseJson(fields.reply_markup) } : {}),
      ...(isPaid(fields) ? { paidBroadcast: true } : {}),
      ...displayOf(fields),
      ...(fields.callback_query_id !== undefined
        ? { callbackQueryId: fields.callback_query_id }
        : {}),
      status,
      ...(status === 200 && SEND_METHODS.has(method)
        ? { messageId: (body as { result: { message_id: number } }).result.message_id }
        : {}),
      ...(EDIT_METHODS.has(method) && fields.message_id !== undefined
        ? { messageId: Number(fields.message_id) }
        : {}),
      ...(method === 'deleteMessages' ? { messageIds: messageIdsIn(fields.message_ids) } : {}),
      receivedAt,
      answeredAt: Date.now(),
    };
    this.calls.push(call);
    this.reply(response, status, body);
    this.onCall?.(call);
  }

  /** With enforced limits: the 429 a send beyond them gets; records the sends let through. */
  private floodControl(
    method: string,
    chatId: string | undefined,
    receivedAt: number,
    paid: boolean,
    /** The sends the request counts as: an album's items, all at its arrival. */
    sends = 1,
  ): [number, unknown] | undefined {
    const limits = this.enforcedLimits;
    if (!limits || !SEND_METHODS.has(method)) return undefined;
    const times = this.acceptedSendTimes;
    const freeTimes = this.acceptedFreeSendTimes;
    for (const window of [times, freeTimes])
      while (window.length > 0 && window[0]! <= receivedAt - 1000) window.shift();
    const lastToChat = chatId === undefined ? undefined : this.lastSendToChat.get(chatId);
    const chatTooSoon =
      chatId !== undefined &&
      !isGroup(chatId) &&
      lastToChat !== undefined &&
      receivedAt - lastToChat < limits.chatIntervalMs;
    const overLimit =
      times.length + sends > (limits.paidPerSecond ?? PAID_PER_SECOND) ||
      (!paid && freeTimes.length + sends > limits.perSecond);
    if (overLimit || chatTooSoon) {
      return [
        429,
        {
          ok: false,
          error_code: 429,
          description: 'Too Many Requests: retry after 1',
          parameters: { retry_after: 1 },
        },
      ];
    }
    for (let send = 0; send < sends; send++) {
      times.push(receivedAt);
      if (!paid) freeTimes.push(receivedAt);
    }
    if (chatId !== undefined) this.lastSendToChat.set(chatId, receivedAt);
    return undefined;
  }

  /**
   * sendMediaGroup: two to ten photos and videos, or audio, or documents (`media`, JSON), each by
   * file_id or uploaded (`attach://<field>`), the caption on any item (the first, as ours sends
   * it) read in its parse mode. Counted as one send per item against the bot's limits, as one
   * against the chat's. Recorded once per item; answered with a message per item.
   */
  private sendMediaGroup(
    response: ServerResponse,
    token: string,
    fields: Fields,
    files: readonly ParsedFile[],
    receivedAt: number,
  ): void {
    const chatId = fields.chat_id ?? '';
    const paid = isPaid(fields);
    const parsed = parseJson(fields.media ?? '');
    const items = Array.isArray(parsed) ? (parsed as MediaItem[]) : [];
    const common = {
      method: 'sendMediaGroup',
      token,
      chatId,
      ...(paid ? { paidBroadcast: true } : {}),
      ...displayOf(fields),
      receivedAt,
    };
    const refuse = ([status, body]: [number, unknown]) => {
      const call: RecordedCall = { ...common, status, answeredAt: Date.now() };
      this.calls.push(call);
      this.reply(response, status, body);
      this.onCall?.(call);
    };
    const refused =
      this.floodControl('sendMediaGroup', chatId, receivedAt, paid, Math.max(items.length, 1)) ??
      this.refusal(token, 'sendMediaGroup', fields);
    if (refused) return refuse(refused);
    const problem = mediaGroupProblem(items, files, (id) => this.uploadedFileIds.has(id));
    if (problem) return refuse(badRequest(problem));
    const albumId = String(++this.mediaGroupId);
    const date = Math.floor(Date.now() / 1000);
    const chat = { id: Number(chatId) || 0, type: 'private' };
    const results: unknown[] = [];
    const calls: RecordedCall[] = [];
    items.forEach((item, index) => {
      const upload = files.find((file) => `attach://${file.field}` === item.media);
      const fileId = upload ? fileIdOf(item.type, upload.sha256) : item.media;
      if (upload) this.uploadedFileIds.add(fileId);
      const messageId = ++this.messageId;
      this.documents.add(`${chatId}:${messageId}`);
      const caption = item.caption === undefined ? undefined : readCaption(item);
      if (caption && !('problem' in caption)) this.captions.set(`${chatId}:${messageId}`, caption);
      const described = {
        file_id: fileId,
        file_unique_id: fileId.slice(-16),
        ...(upload ? { file_size: upload.size } : {}),
      };
      results.push({
        message_id: messageId,
        date,
        chat,
        media_group_id: albumId,
        ...(item.type === 'photo'
          ? { photo: [{ ...described, width: 1280, height: 960 }] }
          : { [item.type]: { ...described, ...(upload ? { file_name: upload.name } : {}) } }),
        ...(caption && !('problem' in caption) ? captionOf(caption) : {}),
      });
      calls.push({
        ...common,
        ...(upload
          ? { fileName: upload.name, fileSize: upload.size, sha256: upload.sha256 }
          : { fileId }),
        ...(item.caption !== undefined ? { caption: item.caption } : {}),
        ...(item.parse_mode !== undefined && caption && !('problem' in caption)
          ? { parseMode: item.parse_mode, shown: caption }
          : {}),
        album: { id: albumId, index, size: items.length },
        status: 200,
        messageId,
        answeredAt: Date.now(),
      });
    });
    this.calls.push(...calls);
    this.reply(response, 200, { ok: true, result: results });
    for (const call of calls) this.onCall?.(call);
  }

  /** Like Telegram, getUpdates waits up to `timeout` seconds for an update before answering. */
  private async longPoll(fields: Fields, clientGone: () => boolean): Promise<void> {
    const offset = Number(fields.offset ?? 0);
    const deadline = Date.now() + Math.min(Number(fields.timeout ?? 0), 50) * 1000;
    const ready = () =>
      this.updates.some((update) => (update as { update_id: number }).update_id >= offset);
    while (!ready() && !clientGone() && Date.now() < deadline && this.server) {
      await new Promise<void>((resolve) => {
        const onUpdate = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(
          () => {
            this.updateArrived.off('update', onUpdate);
            resolve();
          },
          Math.min(250, Math.max(0, deadline - Date.now())),
        );
        this.updateArrived.once('update', onUpdate);
      });
    }
  }

  /**
   * What any call is refused with before its method is read: a wrong token, an injected failure,
   * a chat that blocked the bot or does not exist, a reply markup or display options Telegram
   * cannot take. Nothing for a call that gets past them.
   */
  private refusal(token: string, method: string, fields: Fields): [number, unknown] | undefined {
    if (this.acceptedToken !== undefined && token !== this.acceptedToken) {
      return [401, { ok: false, error_code: 401, description: 'Unauthorized' }];
    }
    const chatId = fields.chat_id;
    const failureIndex = this.failures.findIndex(
      (failure) =>
        (failure.method === undefined ? SEND_METHODS.has(method) : failure.method === method) &&
        (failure.chatId === undefined || failure.chatId === chatId),
    );
    if (failureIndex >= 0) {
      const [failure] = this.failures.splice(failureIndex, 1);
      return [
        failure!.status,
        {
          ok: false,
          error_code: failure!.status,
          description: failure!.description,
          ...(failure!.retryAfter !== undefined
            ? { parameters: { retry_after: failure!.retryAfter } }
            : {}),
          ...(failure!.migrateToChatId !== undefined
            ? { parameters: { migrate_to_chat_id: Number(failure!.migrateToChatId) } }
            : {}),
        },
      ];
    }
    if (SEND_METHODS.has(method) && chatId !== undefined) {
      if (this.blockedChats.has(chatId)) {
        return [
          403,
          { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
        ];
      }
      if (this.unknownChats.has(chatId)) {
        return [400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' }];
      }
    }
    const markupProblem =
      fields.reply_markup === undefined ? undefined : replyMarkupProblem(fields.reply_markup);
    if (markupProblem) return badRequest(markupProblem);
    const displayProblem = displayProblemOf(fields);
    if (displayProblem) return badRequest(displayProblem);
    return undefined;
  }

  private answer(
    token: string,
    method: string,
    fields: Fields,
    file: ParsedFile | undefined,
  ): [number, unknown] {
    const refused = this.refusal(token, method, fields);
    if (refused) return refused;
    const chatId = fields.chat_id;
    const chat = { id: Number(chatId) || 0, type: 'private' };
    const date = Math.floor(Date.now() / 1000);
    switch (method) {
      case 'getMe':
        return [
          200,
          {
            ok: true,
            result: { id: 1, is_bot: true, first_name: 'Test Bot', username: 'test_bot' },
          },
        ];
      case 'sendMessage': {
        const shown = readText(fields);
        if ('problem' in shown) return badRequest(shown.problem);
        const messageId = ++this.messageId;
        this.messages.set(`${chatId}:${messageId}`, {
          ...shown,
          replyMarkup: normalisedMarkup(fields.reply_markup),
        });
        return [
          200,
          {
            ok: true,
            result: { message_id: messageId, date, chat, ...botApiText(shown) },
          },
        ];
      }
      case 'editMessageText':
      case 'editMessageReplyMarkup': {
        const key = `${chatId}:${fields.message_id}`;
        const shown = this.messages.get(key);
        if (!shown) return badRequest('message to edit not found');
        const edited = method === 'editMessageText' ? readText(fields) : shown;
        if ('problem' in edited) return badRequest(edited.problem);
        // Without reply_markup, an edit of the text takes the keyboard away, as Telegram's does.
        const replyMarkup = normalisedMarkup(fields.reply_markup);
        if (
          edited.text === shown.text &&
          JSON.stringify(edited.entities) === JSON.stringify(shown.entities) &&
          replyMarkup === shown.replyMarkup
        ) {
          return badRequest(
            'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
          );
        }
        this.messages.set(key, { text: edited.text, entities: edited.entities, replyMarkup });
        return [
          200,
          {
            ok: true,
            result: { message_id: Number(fields.message_id), date, chat, ...botApiText(edited) },
          },
        ];
      }
      case 'editMessageCaption': {
        const key = `${chatId}:${fields.message_id}`;
        if (!this.documents.has(key)) return badRequest('message to edit not found');
        const edited = readCaption(fields);
        if ('problem' in edited) return badRequest(edited.problem.replace('text', 'caption'));
        const shown = this.captions.get(key);
        if (
          shown &&
          edited.text === shown.text &&
          JSON.stringify(edited.entities) === JSON.stringify(shown.entities)
        ) {
          return badRequest(
            'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
          );
        }
        this.captions.set(key, edited);
        return [
          200,
          {
            ok: true,
            result: { message_id: Number(fields.message_id), date, chat, ...captionOf(edited) },
          },
        ];
      }
      case 'deleteMessage': {
        // A text or a document the bot sent, still in its chat.
        const key = `${chatId}:${fields.message_id}`;
        this.captions.delete(key);
        if (!this.messages.delete(key) && !this.documents.delete(key)) {
          return badRequest('message to delete not found');
        }
        return [200, { ok: true, result: true }];
      }
      case 'deleteMessages': {
        // 1 to 100 messages of one chat; those not found are skipped, none found is an error.
        const ids = messageIdsIn(fields.message_ids);
        if (ids.length === 0) return badRequest('message identifiers are not specified');
        if (ids.length > 100) return badRequest('too many message identifiers specified');
        let deleted = 0;
        for (const id of new Set(ids)) {
          const key = `${chatId}:${id}`;
          this.captions.delete(key);
          if (this.messages.delete(key) || this.documents.delete(key)) deleted++;
        }
        if (deleted === 0) return badRequest('message to delete not found');
        return [200, { ok: true, result: true }];
      }
      case 'answerCallbackQuery': {
        const id = fields.callback_query_id ?? '';
        if (!this.openCallbackQueries.delete(id)) {
          return badRequest('query is too old and response timeout expired or query ID is invalid');
        }
        if ((fields.text ?? '').length > 200) return badRequest('MESSAGE_TOO_LONG');
        return [200, { ok: true, result: true }];
      }
      case 'sendDocument':
      case 'sendPhoto':
      case 'sendVideo':
      case 'sendAudio': {
        // A file_id is of one kind: a photo's cannot be sent as a document, nor the other way.
        const kind = FILE_FIELDS[method]!;
        const fileId = file ? fileIdOf(kind, file.sha256) : fields[kind];
        if (file) this.uploadedFileIds.add(fileId!);
        else if (
          fileId &&
          (!this.uploadedFileIds.has(fileId) || !fileId.startsWith(fileIdOf(kind, '')))
        ) {
          return badRequest('wrong file identifier/HTTP URL specified');
        }
        if (!fileId) return badRequest(`there is no ${kind} in the request`);
        this.documents.add(`${chatId}:${this.messageId + 1}`);
        const described = {
          file_id: fileId,
          file_unique_id: fileId.slice(-16),
          ...(file ? { file_size: file.size } : {}),
        };
        return [
          200,
          {
            ok: true,
            result: {
              message_id: ++this.messageId,
              date,
              chat,
              ...(kind === 'photo'
                ? // Telegram keeps a photo in several sizes; the largest is last.
                  {
                    photo: [
                      { ...described, file_id: `${fileId}-thumb`, width: 90, height: 90 },
                      { ...described, width: 1280, height: 960 },
                    ],
                  }
                : {
                    [kind]: {
                      ...described,
                      ...(file && kind !== 'video' ? { file_name: file.name } : {}),
                    },
                  }),
            },
          },
        ];
      }
      case 'getUpdates': {
        const offset = Number(fields.offset ?? 0);
        // Telegram leaves out the kinds of update the bot did not ask for (allowed_updates).
        if (fields.allowed_updates !== undefined) {
          const allowed = parseJson(fields.allowed_updates);
          this.allowedUpdates =
            Array.isArray(allowed) && allowed.length > 0 ? (allowed as string[]) : undefined;
        }
        const pending = this.updates.filter(
          (update) =>
            (update as { update_id: number }).update_id >= offset &&
            (this.allowedUpdates === undefined ||
              Object.keys(update as object).some((kind) => this.allowedUpdates!.includes(kind))),
        );
        this.updates.splice(0, this.updates.length, ...pending);
        return [200, { ok: true, result: pending }];
      }
      case 'setWebhook':
        this.webhook = { url: fields.url ?? '', secretToken: fields.secret_token };
        return [200, { ok: true, result: true }];
      case 'deleteWebhook':
        this.webhook = undefined;
        return [200, { ok: true, result: true }];
      case 'setMyCommands':
      case 'sendChatAction':
        return [200, { ok: true, result: true }];
      case 'getWebhookInfo':
        return [
          200,
          { ok: true, result: { url: '', has_custom_certificate: false, pending_update_count: 0 } },
        ];
      default:
        return [404, { ok: false, error_code: 404, description: 'Not Found: method not found' }];
    }
  }

  private reply(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(body));
  }
}

/** A private-chat message update, as a user's client would produce it. */
function messageUpdate(fields: Fields): Record<string, unknown> {
  const chatId = Number(fields.chat_id);
  const text = fields.text ?? '';
  const user = {
    id: chatId,
    is_bot: false,
    first_name: fields.first_name ?? 'Telegram user',
    ...(fields.username ? { username: fields.username } : {}),
  };
  const command = /^\/\w+/.exec(text)?.[0];
  return {
    message: {
      message_id: Math.floor(Math.random() * 1e9),
      date: Math.floor(Date.now() / 1000),
      chat: { ...user, type: 'private' },
      from: user,
      text,
      ...(command
        ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] }
        : {}),
    },
  };
}

function parseUpdate(fields: Fields): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, value]) => {
      try {
        return [name, JSON.parse(value) as unknown];
      } catch {
        return [name, value];
      }
    }),
  );
}

/** Reads a Bot API request's parameters: query string, JSON, form or multipart (files hashed). */
async function parse(
  request: IncomingMessage,
  url: URL,
): Promise<{ fields: Fields; files: ParsedFile[] }> {
  const fields: Fields = Object.fromEntries(url.searchParams);
  const files: ParsedFile[] = [];
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    await new Promise<void>((resolve, reject) => {
      const parser = busboy({ headers: request.headers, defParamCharset: 'utf8' });
      const pending: Promise<void>[] = [];
      parser.on('field', (name, value) => {
        fields[name] = value;
      });
      parser.on('file', (field, stream, info) => {
        const hash = createHash('sha256');
        let size = 0;
        pending.push(
          new Promise<void>((done, fail) => {
            stream.on('data', (chunk: Buffer) => {
              hash.update(chunk);
              size += chunk.length;
            });
            stream.on('end', () => {
              files.push({ field, name: info.filename ?? '', size, sha256: hash.digest('hex') });
              done();
            });
            stream.on('error', fail);
          }),
        );
      });
      parser.on('close', () => {
        Promise.all(pending).then(() => resolve(), reject);
      });
      parser.on('error', reject);
      request.pipe(parser);
    });
    return { fields, files };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.length === 0) return { fields, files };
  if (type.startsWith('application/json')) {
    for (const [name, value] of Object.entries(JSON.parse(text) as Record<string, unknown>)) {
      fields[name] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  } else {
    for (const [name, value] of new URLSearchParams(text)) fields[name] = value;
  }
  return { fields, files };
}

/** Methods that change a message the bot sent. */
/** The methods that send a file, and the field each takes it in. */
const FILE_FIELDS: Readonly<Record<string, 'document' | 'photo' | 'video' | 'audio' | undefined>> =
  {
    sendDocument: 'document',
    sendPhoto: 'photo',
    sendVideo: 'video',
    sendAudio: 'audio',
  };

/** The file_id of an upload, per kind (documents keep the prefix they always had). */
const fileIdOf = (kind: string, sha256: string): string =>
  `${kind === 'document' ? 'file' : kind}-${sha256}`;

const EDIT_METHODS = new Set([
  'editMessageText',
  'editMessageCaption',
  'editMessageReplyMarkup',
  'deleteMessage',
  'deleteMessages',
]);

/** deleteMessages' message_ids (a JSON array of integers); anything else is none. */
function messageIdsIn(field: string | undefined): number[] {
  const parsed = parseJson(field ?? '[]');
  return Array.isArray(parsed) ? parsed.filter((id): id is number => Number.isInteger(id)) : [];
}

function badRequest(description: string): [number, unknown] {
  return [400, { ok: false, error_code: 400, description: `Bad Request: ${description}` }];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Telegram's longest text, counted once its markup is read. */
const MAX_TEXT_LENGTH = 4096;
const MAX_CAPTION_LENGTH = 1024;

/** A caption as its chat shows it, read in its parse mode, within Telegram's 1024 characters. */
function readCaption(fields: {
  readonly caption?: string | undefined;
  readonly parse_mode?: string | undefined;
}): ReturnType<typeof readText> {
  return readText(
    { text: fields.caption ?? '', parse_mode: fields.parse_mode },
    MAX_CAPTION_LENGTH,
  );
}

/** A request's parse_mode as Telegram takes it (in any case); undefined for one it does not know. */
function parseModeOf(fields: Readonly<Record<string, string | undefined>>): ParseMode | undefined {
  const mode = (fields.parse_mode ?? '').toLowerCase();
  if (mode === '') return 'plain';
  return PARSE_MODES.find((known) => known !== 'plain' && known.toLowerCase() === mode);
}

/**
 * The text of a send or an edit as its chat shows it, read in its parse_mode as Telegram reads
 * it, or what Telegram answers instead (after "Bad Request: "). Its problems name byte offsets
 * into the UTF-8 text, as Telegram's do.
 */
function readText(
  fields: Readonly<Record<string, string | undefined>>,
  maxLength = MAX_TEXT_LENGTH,
): { text: string; entities: readonly TextEntity[] } | { problem: string } {
  const source = fields.text ?? '';
  const mode = parseModeOf(fields);
  if (mode === undefined) return { problem: `unsupported parse_mode` };
  const parsed = parseFormattedText(source, mode);
  if (!parsed.ok) {
    const byteOffset = Buffer.byteLength(source.slice(0, parsed.error.offset));
    return {
      problem: `can't parse entities: ${parsed.error.problem} at byte offset ${byteOffset}`,
    };
  }
  if (parsed.formatted.text.trim() === '') return { problem: 'message text is empty' };
  if (parsed.formatted.text.length > maxLength)
    return {
      problem:
        maxLength === MAX_TEXT_LENGTH ? 'message is too long' : 'message caption is too long',
    };
  return parsed.formatted;
}

/** What a request with a parse_mode showed its chat, as recorded (nothing without one). */
function shownOf(fields: Fields): Pick<RecordedCall, 'parseMode' | 'shown'> {
  if (fields.parse_mode === undefined) return {};
  const shown = readText(fields);
  return 'problem' in shown
    ? { parseMode: fields.parse_mode }
    : { parseMode: fields.parse_mode, shown };
}

/** A text and its entities as the Bot API answers them (snake case; no entities when none). */
function botApiText(shown: { text: string; entities: readonly TextEntity[] }): {
  text: string;
  entities?: unknown[];
} {
  if (shown.entities.length === 0) return { text: shown.text };
  return {
    text: shown.text,
    entities: shown.entities.map((entity) => ({
      type: entity.type,
      offset: entity.offset,
      length: entity.length,
      ...(entity.url !== undefined ? { url: entity.url } : {}),
      ...(entity.language !== undefined ? { language: entity.language } : {}),
      ...(entity.userId !== undefined
        ? { user: { id: entity.userId, is_bot: false, first_name: '' } }
        : {}),
      ...(entity.customEmojiId !== undefined ? { custom_emoji_id: entity.customEmojiId } : {}),
    })),
  };
}

/** The send options a request set, as recorded (nothing when it set none). */
function displayOf(fields: Fields): Pick<RecordedCall, 'display'> {
  const display = {
    ...(isTrue(fields.disable_notification) ? { disableNotification: true } : {}),
    ...(isTrue(fields.protect_content) ? { protectContent: true } : {}),
    ...(fields.message_thread_id !== undefined
      ? { messageThreadId: Number(fields.message_thread_id) }
      : {}),
    ...(fields.link_preview_options !== undefined
      ? { linkPreviewOptions: parseJson(fields.link_preview_options) }
      : {}),
  };
  return Object.keys(display).length > 0 ? { display } : {};
}

const isTrue = (value: string | undefined): boolean => value === 'true' || value === '1';

/**
 * Telegram's checks of the send options: an integer thread id, a JSON object of link preview
 * options whose url (if any) is a string. What it answers (after "Bad Request: ").
 */
function displayProblemOf(fields: Fields): string | undefined {
  const thread = fields.message_thread_id;
  if (thread !== undefined && !/^-?\d+$/.test(thread)) return 'message thread not found';
  const raw = fields.link_preview_options;
  if (raw === undefined) return undefined;
  let options: unknown;
  try {
    options = JSON.parse(raw);
  } catch {
    return "can't parse link preview options JSON object";
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return "can't parse link preview options JSON object";
  }
  const url = (options as { url?: unknown }).url;
  if (url !== undefined && typeof url !== 'string') {
    return 'field "url" of the LinkPreviewOptions must be of type String';
  }
  return undefined;
}

/** A markup as a canonical string, so that an edit to the same keyboard is seen as no change. */
function normalisedMarkup(raw: string | undefined): string {
  if (raw === undefined) return '';
  const markup = parseJson(raw) as { inline_keyboard?: unknown[] };
  return Array.isArray(markup.inline_keyboard) && markup.inline_keyboard.length > 0
    ? JSON.stringify(markup)
    : '';
}

/** Telegram's checks of an inline keyboard: what it answers a bad one with (after "Bad Request: "). */
function replyMarkupProblem(raw: string): string | undefined {
  let markup: unknown;
  try {
    markup = JSON.parse(raw);
  } catch {
    return "can't parse reply keyboard markup JSON object";
  }
  const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (rows === undefined) return undefined;
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
    return 'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays';
  }
  const buttons = (rows as unknown[][]).flat() as Record<string, unknown>[];
  if (buttons.length > 100) return 'REPLY_MARKUP_TOO_LONG';
  for (const button of buttons) {
    if (typeof button.text !== 'string' || button.text.length === 0) {
      return 'can\'t find field "text"';
    }
    const data = button.callback_data;
    const url = button.url;
    if (data === undefined && url === undefined) {
      return 'text buttons are unallowed in the inline keyboard';
    }
    if (data !== undefined) {
      const bytes = typeof data === 'string' ? Buffer.byteLength(data) : 0;
      if (bytes < 1 || bytes > 64) return 'BUTTON_DATA_INVALID';
    }
    if (url !== undefined && (typeof url !== 'string' || !/^(https?|tg):\/\/\S+$/i.test(url))) {
      return 'BUTTON_URL_INVALID';
    }
  }
  return undefined;
}

/** Successful sends among the calls, optionally to one chat. */
export function deliveredIn(calls: readonly RecordedCall[], chatId?: string): RecordedCall[] {
  return calls.filter(
    (call) =>
      SEND_METHODS.has(call.method) &&
      call.status === 200 &&
      (chatId === undefined || call.chatId === chatId),
  );
}

/**
 * Breaches of Telegram's limits among the send requests received and not refused with 429: more
 * than `perSecond` sends without `allow_paid_broadcast` in any second for the bot, more than
 * `paidPerSecond` of any kind, two to one private chat less than a second apart, more than
 * `groupPerMinute` to one group in any minute.
 */
export function limitViolationsIn(
  calls: readonly RecordedCall[],
  perSecond = 30,
  groupPerMinute = 20,
  paidPerSecond = PAID_PER_SECOND,
): { bot: number; chat: number; group: number } {
  // A request refused with 429 is Telegram's flood control at work, not a breach.
  const sends = calls
    .filter((call) => SEND_METHODS.has(call.method) && call.status !== 429)
    .sort((a, b) => a.receivedAt - b.receivedAt);
  const overWindow = (times: number[], windowMs: number, limit: number) =>
    times.filter((time, index) => index >= limit && time - times[index - limit]! < windowMs).length;
  const byChat = new Map<string, number[]>();
  // An album is one send for a private chat (its items arrive together), one per item for a
  // group's 20 a minute and for the bot.
  for (const call of sends.filter(
    (call) => (call.album?.index ?? 0) === 0 || isGroup(call.chatId ?? ''),
  ))
    byChat.set(call.chatId ?? '', [...(byChat.get(call.chatId ?? '') ?? []), call.receivedAt]);
  let chat = 0;
  let group = 0;
  for (const [chatId, times] of byChat) {
    if (isGroup(chatId)) group += overWindow(times, 60_000, groupPerMinute);
    else chat += overWindow(times, 1000, 1);
  }
  return {
    bot:
      overWindow(
        sends.filter((call) => !call.paidBroadcast).map((call) => call.receivedAt),
        1000,
        perSecond,
      ) +
      overWindow(
        sends.map((call) => call.receivedAt),
        1000,
        paidPerSecond,
      ),
    chat,
    group,
  };
}

/**
 * For a breach of the bot's per-second limit, what to look at: each window of `perSecond + 1`
 * free sends within a second, its span, and how its sends were spread (the gaps between their
 * arrival stamps, the methods), with the longest stall of the double's event loop so far (a
 * stalled loop stamps requests late, together).
 */
export function botViolationWindowsIn(
  calls: readonly RecordedCall[],
  perSecond: number,
  loopStallMs: number,
): string[] {
  const sends = calls
    .filter((call) => SEND_METHODS.has(call.method) && call.status !== 429 && !call.paidBroadcast)
    .sort((a, b) => a.receivedAt - b.receivedAt);
  const windows: string[] = [];
  for (let index = perSecond; index < sends.length; index++) {
    const first = sends[index - perSecond]!;
    const last = sends[index]!;
    if (last.receivedAt - first.receivedAt >= 1000) continue;
    const window = sends.slice(index - perSecond, index + 1);
    const gaps = window.slice(1).map((call, at) => call.receivedAt - window[at]!.receivedAt);
    const methods = new Map<string, number>();
    for (const call of window) methods.set(call.method, (methods.get(call.method) ?? 0) + 1);
    windows.push(
      `${perSecond + 1} sends in ${last.receivedAt - first.receivedAt} ms from ${new Date(first.receivedAt).toISOString()}; ` +
        `gaps ${gaps.join(',')} ms; ${[...methods].map(([method, count]) => `${method}×${count}`).join(' ')}; ` +
        `longest stall of the double's loop so far ${Math.round(loopStallMs)} ms`,
    );
  }
  return windows;
}

/** An item of sendMediaGroup's `media`. */
interface MediaItem {
  readonly type: 'photo' | 'video' | 'audio' | 'document';
  /** A file_id, or `attach://<field>` for a file uploaded in the request. */
  readonly media: string;
  readonly caption?: string;
  readonly parse_mode?: string;
}

/** Why Telegram would refuse the album, if it would. */
function mediaGroupProblem(
  items: readonly MediaItem[],
  files: readonly ParsedFile[],
  uploaded: (fileId: string) => boolean,
): string | undefined {
  if (items.length < 2 || items.length > 10) return 'wrong number of media in the album: 2 to 10';
  const classes = new Set(
    items.map((item) => (item.type === 'photo' || item.type === 'video' ? 'visual' : item.type)),
  );
  if (classes.size > 1 || !['photo', 'video', 'audio', 'document'].includes(items[0]!.type)) {
    return "audio and documents can't be mixed with other media types in an album";
  }
  for (const item of items) {
    if (item.media.startsWith('attach://')) {
      if (!files.some((file) => `attach://${file.field}` === item.media))
        return `there is no file ${item.media} in the request`;
    } else if (!uploaded(item.media) || !item.media.startsWith(fileIdOf(item.type, ''))) {
      return 'wrong file identifier/HTTP URL specified';
    }
    if (item.caption !== undefined) {
      const caption = readCaption(item);
      if ('problem' in caption && caption.problem !== 'message text is empty') {
        return caption.problem;
      }
    }
  }
  return undefined;
}

/** A caption and its entities as the Bot API answers them. */
function captionOf(shown: { text: string; entities: readonly TextEntity[] }): {
  caption: string;
  caption_entities?: unknown[];
} {
  const { text, entities } = botApiText(shown);
  return { caption: text, ...(entities ? { caption_entities: entities } : {}) };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

const isGroup = (chatId: string): boolean => chatId.startsWith('-') || chatId.startsWith('@');
