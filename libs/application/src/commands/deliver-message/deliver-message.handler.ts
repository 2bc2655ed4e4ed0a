import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MikroORM } from '@mikro-orm/postgresql';
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
import { SubscriberView } from '../../../../projections/src/subscriber.view';
import { ObjectStorage } from '../../../../storage/src/object-storage';
import { TelegramSender, TelegramSendError } from '../../../../telegram/src/telegram-sender';
import { loadMessage } from '../../message-stream';
import { DeliverMessageCommand } from './deliver-message.command';

type Message = Exclude<ScheduledMessageState, { status: 'none' }>;

/** Transient failures of one send retried in place before the MessageDue goes back to the queue. */
const TRANSIENT_ATTEMPTS = 4;
const MAX_RATE_LIMIT_WAITS = 20;

class PermanentFailure extends Error {
  constructor(
    readonly code: DeliveryFailureCode,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** One MessageDue's delivery: the stream's state as this process last appended it. */
class DeliveryRun {
  constructor(
    readonly messageId: string,
    public state: ScheduledMessageState,
    public version: number,
    readonly metadata: EventMetadata,
  ) {}
}

@CommandHandler(DeliverMessageCommand)
export class DeliverMessageHandler implements ICommandHandler<DeliverMessageCommand> {
  private readonly logger = new Logger('Delivery');

  constructor(
    private readonly events: EventStore,
    private readonly orm: MikroORM,
    private readonly storage: ObjectStorage,
    private readonly telegram: TelegramSender,
  ) {}

  /**
   * Sends each recipient the parts (text, then each attachment) not yet recorded as sent,
   * recording each part as soon as Telegram accepted it. A redelivered MessageDue, or one taken
   * over after a crash, resumes where the log says the last run stopped. Throws (so the
   * MessageDue goes back to the queue) only when a send keeps failing transiently.
   */
  async execute(command: DeliverMessageCommand): Promise<void> {
    const { state, version } = await loadMessage(this.events, command.messageId);
    if (state.status === 'none' || state.status === 'scheduled') {
      throw new Error(
        `Message ${command.messageId} is ${state.status === 'none' ? 'unknown' : 'not due'}`,
      );
    }
    if (state.status === 'sent') return;
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
    for (const userId of awaiting) {
      try {
        await this.deliverTo(run, state, userId, subscribers.get(userId));
      } catch (error) {
        if (!(error instanceof PermanentFailure)) throw error;
        await this.apply(run, {
          type: 'RecordDeliveryFailure',
          messageId: run.messageId,
          userId,
          code: error.code,
          reason: error.reason,
        });
      }
    }
  }

  private async deliverTo(
    run: DeliveryRun,
    message: Message,
    userId: string,
    subscriber: SubscriberView | undefined,
  ): Promise<void> {
    if (!subscriber) throw new PermanentFailure('unknown_recipient', 'No such subscriber');
    if (subscriber.status !== 'active') {
      throw new PermanentFailure(
        'unsubscribed',
        'The user unsubscribed before the message was due',
      );
    }
    const chatId = subscriber.chatId;
    for (const part of partsToSend(run.state, userId)) {
      const sent = await this.sendPart(message, part, chatId);
      await this.apply(run, {
        type: 'RecordPartSent',
        messageId: run.messageId,
        userId,
        chatId,
        part,
        telegramMessageId: sent.messageId,
        ...(sent.fileId !== undefined ? { telegramFileId: sent.fileId } : {}),
      });
    }
  }

  private async sendPart(
    message: Message,
    part: number,
    chatId: string,
  ): Promise<{ messageId: number; fileId?: string | undefined }> {
    try {
      if (part === 0)
        return {
          messageId: await this.withRetries(() => this.telegram.sendText(chatId, message.text)),
        };
      const attachment = message.attachments[part - 1]!;
      if (!(await this.storage.exists(attachment.objectKey))) {
        throw new PermanentFailure(
          'attachment_missing',
          `Attachment ${attachment.objectKey} is missing from the object store`,
        );
      }
      return await this.withRetries(async () =>
        this.telegram.sendDocument(
          chatId,
          await this.storage.getStream(attachment.objectKey),
          attachment.fileName,
        ),
      );
    } catch (error) {
      if (!(error instanceof TelegramSendError)) throw error;
      switch (error.kind) {
        case 'blocked':
          throw new PermanentFailure('blocked', error.description);
        case 'chat_not_found':
          throw new PermanentFailure('chat_not_found', error.description);
        case 'rejected':
          throw new PermanentFailure('rejected', error.description);
        case 'rate_limited':
        case 'transient':
          throw error;
      }
    }
  }

  /** Waits out 429s for as long as Telegram says; retries transient failures a few times. */
  private async withRetries<T>(send: () => Promise<T>): Promise<T> {
    let transientFailures = 0;
    let rateLimitWaits = 0;
    for (;;) {
      try {
        return await send();
      } catch (error) {
        if (!(error instanceof TelegramSendError)) throw error;
        if (error.kind === 'rate_limited' && rateLimitWaits++ < MAX_RATE_LIMIT_WAITS) {
          this.logger.warn(`Telegram asked to wait ${error.retryAfterSeconds ?? 1} s`);
          await sleep((error.retryAfterSeconds ?? 1) * 1000);
          continue;
        }
        if (error.kind === 'transient' && ++transientFailures < TRANSIENT_ATTEMPTS) {
          await sleep(250 * 2 ** transientFailures * (0.5 + Math.random()));
          continue;
        }
        throw error;
      }
    }
  }

  /** Appends what the command decides, at the version known; on a conflict reads the stream again. */
  private async apply(
    run: DeliveryRun,
    command: RecordPartSent | RecordDeliveryFailure,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const decided = decideScheduledMessage(command, run.state);
      if (decided.length === 0) return;
      try {
        await this.events.append(messageStreamId(run.messageId), decided, {
          expectedVersion: run.version,
          metadata: run.metadata,
        });
        run.state = decided.reduce(evolveScheduledMessage, run.state);
        run.version += decided.length;
        return;
      } catch (error) {
        if (!(error instanceof StreamVersionConflictError) || attempt === 5) throw error;
        ({ state: run.state, version: run.version } = await loadMessage(
          this.events,
          run.messageId,
        ));
      }
    }
  }
}
