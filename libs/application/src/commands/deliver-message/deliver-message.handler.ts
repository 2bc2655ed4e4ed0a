import { type BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DeliveryConfig } from '../../../../config/src/config';
import { type Audience, messageStreamId } from '../../../../domain/src/events';
import {
  decideScheduledMessage,
  evolveScheduledMessage,
  recipientsAwaitingOutcome,
  type ScheduledMessageState,
} from '../../../../domain/src/scheduled-message';
import { EventStore, StreamVersionConflictError } from '../../../../event-store/src/event-store';
import { Metrics } from '../../../../observability/src/metrics';
import { Clock } from '../../../../runtime/src/clock';
import { loadMessage } from '../../message-stream';
import { AttachmentStore } from '../../ports/attachment-store';
import { SubscriberReader } from '../../ports/subscriber-reader';
import { TelegramSender } from '../../ports/telegram-sender';
import { DeliverMessageCommand } from './deliver-message.command';
import { planDelivery } from './delivery-plan';
import { DeliveryRun, OutcomeRecorder } from './outcome-recorder';
import { PartSender } from './part-sender';
import { RecipientDelivery, ShuttingDownError } from './recipient-delivery';
import { RetryPolicy } from './retry-policy';

/** Audience members read per query while resolving. */
const AUDIENCE_PAGE = 5000;

/** How far back a process that takes over counts the sends in the log against the limits. */
const RECENT_SENDS_MS = 61_000;

/**
 * Sends each recipient the parts (text, then each attachment) not yet recorded as sent, recording
 * each part as soon as Telegram accepted it; several recipients at once, within Telegram's limits.
 * A redelivered MessageDue, or one taken over after a crash, resumes where the log says the last
 * run stopped.
 */
@CommandHandler(DeliverMessageCommand)
export class DeliverMessageHandler
  implements ICommandHandler<DeliverMessageCommand>, BeforeApplicationShutdown
{
  private readonly logger = new Logger('Delivery');
  private readonly runs = new Map<string, Promise<void>>();
  private stopping = false;
  private readonly recipients: RecipientDelivery;

  constructor(
    private readonly events: EventStore,
    private readonly subscribers: SubscriberReader,
    private readonly telegram: TelegramSender,
    attachments: AttachmentStore,
    commands: CommandBus,
    private readonly config: DeliveryConfig,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    const retry = new RetryPolicy(clock);
    this.recipients = new RecipientDelivery(
      new PartSender(telegram, attachments),
      new OutcomeRecorder(events, clock, retry),
      retry,
      commands,
      config,
      clock,
      metrics,
      () => this.stopping,
    );
  }

  /** On SIGTERM: sends in flight finish and are recorded, no new one starts. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  async execute(command: DeliverMessageCommand): Promise<void> {
    // The broker redelivers what was in hand when a connection dropped, while the first run may
    // still be sending: one run per message at a time, the next reading what the first recorded.
    for (let running = this.runs.get(command.messageId); running;) {
      await running.catch(() => undefined);
      running = this.runs.get(command.messageId);
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
    let { state, version } = await loadMessage(this.events, command.messageId);
    if (state.status === 'none' || state.status === 'scheduled') {
      throw new Error(
        `Message ${command.messageId} is ${state.status === 'none' ? 'unknown' : 'not due'}`,
      );
    }
    if (state.status === 'due' && state.audience !== null && !state.audienceResolved) {
      ({ state, version } = await this.resolveAudience(command, state, state.audience, version));
      if (state.status === 'none' || state.status === 'scheduled') {
        throw new Error(`Message ${command.messageId} changed under its delivery`);
      }
    }
    if (state.status === 'sent') return;
    if (this.telegram.needsRecentSends()) await this.countRecentSends();
    const run = new DeliveryRun(command.messageId, state, version, {
      correlationId: command.correlationId,
      causationId: command.dueEventId,
      actor: 'delivery',
    });
    const queue = planDelivery(
      state,
      await this.subscribers.byUserIds(recipientsAwaitingOutcome(state)),
    );
    const worker = async () => {
      for (let plan = queue.shift(); plan !== undefined; plan = queue.shift()) {
        if (this.stopping) throw new ShuttingDownError();
        await this.recipients.serve(run, plan);
      }
    };
    // Every worker finishes before a failure returns the MessageDue to the queue: a redelivery
    // must not find this run still sending.
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(this.config.recipientConcurrency, queue.length) }, worker),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    if (run.state.status === 'sent') {
      const outcomes = Object.values(run.state.outcomes);
      const delivered = outcomes.filter((outcome) => outcome === 'delivered').length;
      this.logger.log(
        `Message ${run.messageId} sent: ${delivered} delivered, ${outcomes.length - delivered} failed`,
      );
    }
  }

  /**
   * Records who the audience is now that the message is due (the subscribers in it now, each
   * once); another run that resolved it first wins, and its answer is read back.
   */
  private async resolveAudience(
    command: DeliverMessageCommand,
    state: ScheduledMessageState,
    audience: Audience,
    version: number,
  ): Promise<{ state: ScheduledMessageState; version: number }> {
    const recipients: string[] = [];
    for (let after: string | null = null; ;) {
      const page = await this.subscribers.activeIn(audience, after, AUDIENCE_PAGE);
      recipients.push(...page);
      if (page.length < AUDIENCE_PAGE) break;
      after = page.at(-1)!;
    }
    const events = decideScheduledMessage(
      { type: 'ResolveAudience', messageId: command.messageId, recipients },
      state,
    );
    try {
      await this.events.append(messageStreamId(command.messageId), events, {
        expectedVersion: version,
        metadata: {
          correlationId: command.correlationId,
          causationId: command.dueEventId,
          actor: 'delivery',
        },
      });
    } catch (error) {
      if (!(error instanceof StreamVersionConflictError)) throw error;
      return loadMessage(this.events, command.messageId);
    }
    this.logger.log(`Message ${command.messageId}: audience of ${recipients.length} resolved`);
    return {
      state: events.reduce(evolveScheduledMessage, state),
      version: version + events.length,
    };
  }

  /**
   * A process that takes over from one that died first counts the sends of the last minute, so
   * that together they stay within the limits. A send Telegram accepted in the instant before its
   * sender died is not in the log, and not counted.
   */
  private async countRecentSends(): Promise<void> {
    const since = this.clock.now().getTime() - RECENT_SENDS_MS;
    for (const event of await this.events.readLatest(['RecipientPartSent'], 1000)) {
      if (event.type === 'RecipientPartSent' && event.recordedAt.getTime() > since)
        this.telegram.countSent(event.data.chatId, event.recordedAt);
    }
  }
}
