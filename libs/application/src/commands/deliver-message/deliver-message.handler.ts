import { setTimeout as sleep } from 'node:timers/promises';
import { type BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
import { DeliveryConfig } from '../../../../config/src/config';
import { DomainError, DomainErrorCode } from '../../../../domain/src/errors';
import type { DeliveryFailureCode } from '../../../../domain/src/events';
import { messageStreamId } from '../../../../domain/src/events';
import {
  decideScheduledMessage,
  evolveScheduledMessage,
  partsToSend,
  recipientsAwaitingOutcome,
  type RecordDeliveryFailure,
  type RecordPartSent,
  type ScheduledMessageState,
} from '../../../../domain/src/scheduled-message';
import {
  type EventMetadata,
  EventStore,
  StreamVersionConflictError,
} from '../../../../event-store/src/event-store';
import { Metrics } from '../../../../observability/src/metrics';
import { SubscriberView } from '../../../../projections/src/subscriber.view';
import { ObjectStorage } from '../../../../storage/src/object-storage';
import { SendPacer } from '../../../../telegram/src/send-pacer';
import { TelegramSendError } from '../../../../telegram/src/telegram-error';
import { TelegramSender } from '../../../../telegram/src/telegram-sender';
import { loadMessage } from '../../message-stream';
import { MigrateChatCommand } from '../migrate-chat/migrate-chat.command';
import { UnsubscribeUserCommand } from '../unsubscribe-user/unsubscribe-user.command';
import { DeliverMessageCommand } from './deliver-message.command';

type Message = Exclude<ScheduledMessageState, { status: 'none' }>;

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** How long a send's record is retried while the database cannot be reached. */
const RECORD_RETRY_FOR_MS = 90_000;

/** Shutdown began: no new send starts; the MessageDue goes back to the queue, to resume elsewhere. */
export class ShuttingDownError extends Error {
  constructor() {
    super('Shutting down: the rest of this message is left to the next delivery process');
    this.name = 'ShuttingDownError';
  }
}

class PermanentFailure extends Error {
  constructor(
    readonly code: DeliveryFailureCode,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * One MessageDue's delivery: the stream as this process last appended it. Appends go one at a
 * time (recipients are served concurrently), so they never conflict with each other.
 */
class DeliveryRun {
  private appending: Promise<unknown> = Promise.resolve();
  /** Attachment part → the upload in flight whose file_id the other recipients reuse. */
  readonly uploads = new Map<number, Promise<string | undefined>>();

  constructor(
    readonly messageId: string,
    public state: Message,
    public version: number,
    readonly metadata: EventMetadata,
  ) {}

  serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.appending.then(work, work);
    this.appending = next.catch(() => undefined);
    return next;
  }
}

@CommandHandler(DeliverMessageCommand)
export class DeliverMessageHandler
  implements ICommandHandler<DeliverMessageCommand>, BeforeApplicationShutdown
{
  private readonly logger = new Logger('Delivery');
  private readonly runs = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly events: EventStore,
    private readonly orm: MikroORM,
    private readonly storage: ObjectStorage,
    private readonly telegram: TelegramSender,
    private readonly commands: CommandBus,
    private readonly config: DeliveryConfig,
    private readonly pacer: SendPacer,
    private readonly metrics: Metrics,
  ) {}

  /**
   * On SIGTERM, before the consumer waits for what it has in hand: sends in flight finish and are
   * recorded, no new one starts, and each unfinished message returns to the queue.
   */
  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  /**
   * Sends each recipient the parts (text, then each attachment) not yet recorded as sent,
   * recording each part as soon as Telegram accepted it; several recipients at once, within the
   * pacer's limits. A redelivered MessageDue, or one taken over after a crash, resumes where the
   * log says the last run stopped.
   */
  async execute(command: DeliverMessageCommand): Promise<void> {
    // The broker redelivers what was in hand when a connection dropped, while the first run may
    // still be sending: one run per message at a time, the next reading what the first recorded.
    for (
      let running = this.runs.get(command.messageId);
      running;
      running = this.runs.get(command.messageId)
    ) {
      await running.catch(() => undefined);
    }
    const run = this.deliver(command);
    this.runs.set(command.messageId, run);
    try {
      await run;
    } finally {
      this.runs.delete(command.messageId);
    }
  }

  private async deliver(command: DeliverMessageCommand): Promise<void> {
    const { state, version } = await loadMessage(this.events, command.messageId);
    if (state.status === 'none' || state.status === 'scheduled') {
      throw new Error(
        `Message ${command.messageId} is ${state.status === 'none' ? 'unknown' : 'not due'}`,
      );
    }
    if (state.status === 'sent') return;
    if (this.pacer.isCold()) await this.observeRecentSends();
    const run = new DeliveryRun(command.messageId, state, version, {
      correlationId: command.correlationId,
      causationId: command.dueEventId,
      actor: 'delivery',
    });
    const awaiting = recipientsAwaitingOutcome(state);
    const subscribers = new Map(
      (await this.orm.em.fork().find(SubscriberView, { userId: { $in: awaiting } })).map((view) => [
        view.userId,
        view,
      ]),
    );
    const queue = [...awaiting];
    const worker = async () => {
      for (let userId = queue.shift(); userId !== undefined; userId = queue.shift()) {
        if (this.stopping) throw new ShuttingDownError();
        await this.serve(run, userId, subscribers.get(userId));
      }
    };
    // Every worker finishes before a failure returns the MessageDue to the queue: a redelivery must
    // not find this run still sending.
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(this.config.recipientConcurrency, queue.length) }, worker),
    );
    const failed = results.find(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    if (failed) throw failed.reason;
    if (run.state.status === 'sent') {
      const outcomes = Object.values(run.state.outcomes);
      this.logger.log(
        `Message ${run.messageId} sent: ${outcomes.filter((o) => o === 'delivered').length} delivered, ${outcomes.filter((o) => o === 'failed').length} failed`,
      );
    }
  }

  /**
   * A process that takes over from one that died (or from the active consumer that went away)
   * first learns what was sent in the last minute, so that together they stay within the limits.
   * A send accepted by Telegram in the instant before its sender died is not in the log, and not
   * counted.
   */
  private async observeRecentSends(): Promise<void> {
    const rows = await this.orm.em.fork().execute<{ chat_id: string; recorded_at: string }[]>(
      `SELECT data->>'chatId' AS chat_id, to_json(recorded_at) #>> '{}' AS recorded_at
         FROM events WHERE type = 'RecipientPartSent' ORDER BY position DESC LIMIT 1000`,
    );
    const since = Date.now() - 61_000;
    for (const row of rows) {
      const at = new Date(row.recorded_at);
      if (at.getTime() > since) this.pacer.observe(row.chat_id, at);
    }
  }

  private async serve(
    run: DeliveryRun,
    userId: string,
    subscriber: SubscriberView | undefined,
  ): Promise<void> {
    try {
      if (!subscriber) throw new PermanentFailure('unknown_recipient', 'No such subscriber');
      if (subscriber.status !== 'active') {
        throw new PermanentFailure(
          'unsubscribed',
          'The user unsubscribed before the message was due',
        );
      }
      let chatId = subscriber.chatId;
      for (const part of partsToSend(run.state, userId)) {
        if (this.stopping) throw new ShuttingDownError();
        const sent = await this.withRetries(async () => {
          try {
            return await this.sendPart(run, part, chatId);
          } catch (error) {
            if (!(error instanceof TelegramSendError) || error.kind !== 'chat_migrated')
              throw error;
            // The group became a supergroup: record its new id and send there, unless the
            // supergroup is subscribed already (as another user), which then stands for the chat.
            chatId = error.newChatId!;
            const outcome = await this.commands.execute(
              new MigrateChatCommand(userId, chatId, this.context(run)),
            );
            if (outcome === 'ended') {
              throw new PermanentFailure(
                'unsubscribed',
                `The group became supergroup ${chatId}, which is subscribed as another user; this subscription ended`,
              );
            }
            return this.sendPart(run, part, chatId);
          }
        });
        await this.apply(run, {
          type: 'RecordPartSent',
          messageId: run.messageId,
          userId,
          chatId,
          part,
          telegramMessageId: sent.messageId,
          ...(sent.fileId !== undefined ? { telegramFileId: sent.fileId } : {}),
        });
        // The text goes first: its acceptance is the recipient's first send.
        if (part === 0) {
          this.metrics.deliveryLateness.observe(
            (Date.now() - Date.parse(run.state.scheduledAt)) / 1000,
          );
        }
      }
    } catch (error) {
      const failure = this.asPermanentFailure(error);
      if (failure.code === 'blocked') await this.unsubscribeBlocked(run, subscriber!.chatId);
      await this.apply(run, {
        type: 'RecordDeliveryFailure',
        messageId: run.messageId,
        userId,
        code: failure.code,
        reason: failure.reason,
      });
    }
  }

  private asPermanentFailure(error: unknown): PermanentFailure {
    if (error instanceof PermanentFailure) return error;
    if (!(error instanceof TelegramSendError)) throw error;
    switch (error.kind) {
      case 'blocked':
        return new PermanentFailure('blocked', error.description);
      case 'chat_not_found':
        return new PermanentFailure('chat_not_found', error.description);
      case 'rejected':
      case 'chat_migrated':
        return new PermanentFailure('rejected', error.description);
      case 'rate_limited':
      case 'transient':
        return new PermanentFailure(
          'send_failed',
          `Gave up after ${this.config.maxSendAttempts} attempts: ${error.description}`,
        );
    }
  }

  /** The user blocked the bot: a blocked user is no longer a subscriber. */
  private async unsubscribeBlocked(run: DeliveryRun, chatId: string): Promise<void> {
    try {
      await this.commands.execute(new UnsubscribeUserCommand(chatId, 'blocked', this.context(run)));
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== DomainErrorCode.UserNotSubscribed)
        throw error;
    }
  }

  private context(run: DeliveryRun) {
    return { correlationId: run.metadata.correlationId, actor: 'delivery' };
  }

  private async sendPart(
    run: DeliveryRun,
    part: number,
    chatId: string,
  ): Promise<{ messageId: number; fileId?: string | undefined }> {
    const message = run.state;
    if (part === 0) return { messageId: await this.telegram.sendText(chatId, message.text) };
    const known = message.fileIds[part] ?? (await run.uploads.get(part));
    if (known !== undefined) return this.telegram.sendDocument(chatId, { fileId: known });
    // The first recipient to get here uploads the file; the others wait and send its file_id.
    const attachment = message.attachments[part - 1]!;
    const upload = (async () => {
      if (!(await this.storage.exists(attachment.objectKey))) {
        throw new PermanentFailure(
          'attachment_missing',
          `Attachment ${attachment.objectKey} is missing from the object store`,
        );
      }
      return this.telegram.sendDocument(chatId, {
        content: () => this.storage.getStream(attachment.objectKey),
        fileName: attachment.fileName,
      });
    })();
    run.uploads.set(
      part,
      upload.then(
        (sent) => sent.fileId,
        () => undefined,
      ),
    );
    return upload;
  }

  /**
   * Retries transient failures (5xx, network errors, timeouts) with exponential backoff and full
   * jitter, up to DELIVERY_MAX_ATTEMPTS. A timeout may hide a send Telegram accepted: it is retried
   * all the same (see README, Delivery guarantees).
   */
  private async withRetries<T>(send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const transient = error instanceof TelegramSendError && error.kind === 'transient';
        if (!transient || attempt >= this.config.maxSendAttempts) throw error;
        const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
        this.logger.warn(
          `Send failed (${error.description}); attempt ${attempt + 1} in up to ${ceiling} ms`,
        );
        await sleep(Math.random() * ceiling);
      }
    }
  }

  /** Reads the message's stream again, waiting out a database that is not there for a moment. */
  private async reload(
    messageId: string,
    giveUpAt: number,
  ): Promise<{ state: Message; version: number }> {
    for (let pauseMs = 500; ; pauseMs = Math.min(pauseMs * 2, 5000)) {
      try {
        const { state, version } = await loadMessage(this.events, messageId);
        if (state.status === 'none') throw new Error(`Message ${messageId} vanished`);
        return { state, version };
      } catch (error) {
        if (Date.now() > giveUpAt) throw error;
        await sleep(pauseMs);
      }
    }
  }

  /** Appends what the command decides, one append at a time; on a conflict reads the stream again. */
  private async apply(
    run: DeliveryRun,
    command: RecordPartSent | RecordDeliveryFailure,
  ): Promise<void> {
    await run.serially(async () => {
      let conflicts = 0;
      const giveUpAt = Date.now() + RECORD_RETRY_FOR_MS;
      for (let pauseMs = 500; ; pauseMs = Math.min(pauseMs * 2, 5000)) {
        const decided = decideScheduledMessage(command, run.state);
        if (decided.length === 0) return;
        try {
          await this.events.append(messageStreamId(run.messageId), decided, {
            expectedVersion: run.version,
            metadata: run.metadata,
          });
          run.state = decided.reduce(evolveScheduledMessage, run.state) as Message;
          run.version += decided.length;
          return;
        } catch (error) {
          if (error instanceof StreamVersionConflictError) {
            if (++conflicts === 5) throw error;
          } else {
            // The send reached Telegram: losing its record would send it again. Wait out a
            // database that restarts or fails over, then read the stream (the append may have
            // committed before its answer was lost) and record what is still missing.
            if (error instanceof DomainError || Date.now() > giveUpAt) throw error;
            this.logger.warn(
              `Recording failed, retrying in ${pauseMs} ms: ${error instanceof Error ? error.message : String(error)}`,
            );
            await sleep(pauseMs);
          }
          const reloaded = await this.reload(run.messageId, giveUpAt);
          run.state = reloaded.state;
          run.version = reloaded.version;
        }
      }
    });
  }
}
