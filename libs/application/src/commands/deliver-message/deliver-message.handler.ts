import { type BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DeliveryConfig } from '../../../../config/src/config';
import { type Audience, messagePartStreamId, messageStreamId } from '../../../../domain/src/events';
import {
  type AudiencePartResult,
  decideScheduledMessage,
  recipientsAwaitingOutcome,
} from '../../../../domain/src/scheduled-message';
import { EventStore, StreamVersionConflictError } from '../../../../event-store/src/event-store';
import { Metrics } from '../../../../observability/src/metrics';
import { Clock } from '../../../../runtime/src/clock';
import {
  loadAudienceMessage,
  loadMessage,
  loadMessagePart,
  MessageStreamCache,
} from '../../message-stream';
import { AttachmentStore } from '../../ports/attachment-store';
import { SubscriberReader } from '../../ports/subscriber-reader';
import { TelegramSender } from '../../ports/telegram-sender';
import { WorkLeases } from '../../ports/work-leases';
import { DeliverMessageCommand } from './deliver-message.command';
import { type KnownMessage, planDelivery } from './delivery-plan';
import { DeliveryRun, OutcomeRecorder } from './outcome-recorder';
import { PartSender } from './part-sender';
import { RecipientDelivery, ShuttingDownError } from './recipient-delivery';
import { RetryPolicy } from './retry-policy';

/** Audience members read per query while resolving. */
const AUDIENCE_PAGE = 5000;

/**
 * How long a lease on a unit of work lasts unless extended (every third of it): how long the work
 * of a process that died waits before another takes it up.
 */
const LEASE_MS = 10_000;
/** How often a process asks again for work another process holds. */
const LEASE_POLL_MS = 500;

/** Appends of MessageSent that lost the race to another part's, in a row, before giving up. */
const MAX_COMPLETION_CONFLICTS = 5;

/**
 * Sends each recipient the parts (text, then each attachment) not yet recorded as sent, recording
 * each part as soon as Telegram accepted it; several recipients at once, within Telegram's limits.
 * A redelivered MessageDue, or one taken over after a crash, resumes where the log says the last
 * run stopped.
 *
 * A message to an audience is resolved on its MessageDue, in parts (AudienceResolved); each part
 * reaches delivery as its own broker message and is delivered on its own, its outcomes in its own
 * stream, by whichever delivery process takes it. The process that finds every part sent after
 * its own part's last outcome appends MessageSent.
 */
@CommandHandler(DeliverMessageCommand)
export class DeliverMessageHandler
  implements ICommandHandler<DeliverMessageCommand>, BeforeApplicationShutdown
{
  private readonly logger = new Logger('Delivery');
  private readonly runs = new Map<string, Promise<void>>();
  /** Work whose lease this process could not extend: its sends stop, and it goes back to the queue. */
  private readonly lostLeases = new Set<string>();
  private stopping = false;
  private readonly recipients: RecipientDelivery;
  private readonly messages: MessageStreamCache;

  constructor(
    private readonly events: EventStore,
    private readonly subscribers: SubscriberReader,
    telegram: TelegramSender,
    private readonly leases: WorkLeases,
    attachments: AttachmentStore,
    commands: CommandBus,
    private readonly config: DeliveryConfig,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    const retry = new RetryPolicy(clock);
    this.messages = new MessageStreamCache(events);
    this.recipients = new RecipientDelivery(
      new PartSender(telegram, attachments),
      new OutcomeRecorder(events, clock, retry, this.messages),
      retry,
      commands,
      config,
      clock,
      metrics,
      (run) => this.stopping || this.lostLeases.has(run.streamId),
    );
  }

  /** Wakes each message held until its time: on SIGTERM it goes back to the queue at once. */
  private readonly held = new Set<() => void>();

  /** On SIGTERM: sends in flight finish and are recorded, no new one starts. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
    for (const wake of this.held) wake();
  }

  async execute(command: DeliverMessageCommand): Promise<void> {
    // The broker redelivers what was in hand when a connection dropped, while the first run may
    // still be sending: one run per message at a time, the next reading what the first recorded.
    const key =
      command.part === undefined
        ? messageStreamId(command.messageId)
        : messagePartStreamId(command.messageId, command.part);
    for (let running = this.runs.get(key); running;) {
      await running.catch(() => undefined);
      running = this.runs.get(key);
    }
    const run = this.underLease(key, () =>
      command.part === undefined ? this.deliver(command) : this.deliverPart(command, command.part),
    );
    this.runs.set(key, run);
    try {
      await run;
    } finally {
      this.runs.delete(key);
    }
  }

  /**
   * Works under the lease on `work` (its stream's id), extended while the work lasts. Another
   * process holding it (a broker message redelivered while the first still sends) is waited for:
   * it finishes, or dies and its lease runs out. A lease this process could not extend stops its
   * sends, and the work goes back to the queue.
   */
  private async underLease(work: string, deliver: () => Promise<void>): Promise<void> {
    while (!(await this.leases.take(work, LEASE_MS))) {
      if (this.stopping) throw new ShuttingDownError();
      await this.clock.sleep(LEASE_POLL_MS);
    }
    const extending = setInterval(() => {
      this.leases.take(work, LEASE_MS).then(
        (held) => {
          if (!held) this.lostLeases.add(work);
        },
        (error: unknown) => {
          this.logger.warn(`Could not extend the lease on ${work}: ${String(error)}`);
          this.lostLeases.add(work);
        },
      );
    }, LEASE_MS / 3);
    try {
      await deliver();
    } finally {
      clearInterval(extending);
      this.lostLeases.delete(work);
      await this.leases
        .release(work)
        .catch((error: unknown) =>
          this.logger.warn(
            `Could not give up the lease on ${work} (it runs out): ${String(error)}`,
          ),
        );
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
    if (state.audience !== null) {
      // Its parts reach delivery as AudienceResolved, each on its own.
      if (state.status === 'due' && !state.audienceResolved)
        await this.resolveAudience(command, state, state.audience, version);
      return;
    }
    await this.serveRecipients(
      new DeliveryRun(command.messageId, messageStreamId(command.messageId), null, state, version, {
        correlationId: command.correlationId,
        causationId: command.causeEventId,
        actor: 'delivery',
      }),
    );
  }

  /** Delivers one part of a message's audience; the last part to be sent sends the message. */
  private async deliverPart(command: DeliverMessageCommand, part: number): Promise<void> {
    const { state, version } = await loadMessagePart(
      this.messages,
      this.events,
      command.messageId,
      part,
    );
    if (state.status === 'sent') return;
    if (state.status !== 'due' || state.part !== part || part > state.audienceParts) {
      throw new Error(`Message ${command.messageId} has no part ${part} to deliver`);
    }
    const run = new DeliveryRun(
      command.messageId,
      messagePartStreamId(command.messageId, part),
      part,
      state,
      version,
      {
        correlationId: command.correlationId,
        causationId: command.causeEventId,
        actor: 'delivery',
      },
    );
    await this.serveRecipients(run);
    if (recipientsAwaitingOutcome(run.state).length === 0) await this.completeAudience(run);
  }

  /**
   * Appends MessageSent when every part of the audience is sent. Each part checks after its own
   * last outcome is committed, so the last of them to commit sees every part; two parts finishing
   * at once may both see it, and the stream's version lets only one of them append.
   */
  private async completeAudience(run: DeliveryRun): Promise<void> {
    for (let conflicts = 0; ; conflicts++) {
      const { state, version } = await loadAudienceMessage(this.messages, run.messageId);
      if (state.status === 'none') throw new Error(`Message ${run.messageId} vanished`);
      const partStreams = Array.from({ length: state.audienceParts }, (_, index) =>
        messagePartStreamId(run.messageId, index + 1),
      );
      const partsSent = (
        await this.events.readStreamsOfType(partStreams, ['AudiencePartSent'])
      ).flatMap((event): AudiencePartResult[] =>
        event.type === 'AudiencePartSent'
          ? [{ part: event.data.part, delivered: event.data.delivered, failed: event.data.failed }]
          : [],
      );
      const decided = decideScheduledMessage(
        { type: 'CompleteAudienceDelivery', messageId: run.messageId, partsSent },
        state,
      );
      const [sent] = decided;
      if (sent?.type !== 'MessageSent') return;
      try {
        await this.events.append(messageStreamId(run.messageId), decided, {
          expectedVersion: version,
          metadata: run.metadata,
        });
      } catch (error) {
        if (!(error instanceof StreamVersionConflictError) || conflicts >= MAX_COMPLETION_CONFLICTS)
          throw error;
        continue;
      }
      this.logger.log(
        `Message ${run.messageId} sent: ${sent.data.delivered} delivered, ${sent.data.failed} failed, in ${state.audienceParts} parts`,
      );
      return;
    }
  }

  /** Serves every recipient of the run without an outcome, several at once. */
  private async serveRecipients(run: DeliveryRun): Promise<void> {
    const queue = planDelivery(
      run.state,
      await this.subscribers.byUserIds(recipientsAwaitingOutcome(run.state)),
    );
    await this.untilItsTime(run.state.scheduledAt, run.streamId);
    const worker = async () => {
      for (let plan = queue.shift(); plan !== undefined; plan = queue.shift()) {
        if (this.stopping || this.lostLeases.has(run.streamId)) throw new ShuttingDownError();
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
      const { delivered, outcomes } = run.state;
      this.logger.log(
        `Message ${run.messageId} sent: ${delivered} delivered, ${outcomes.size - delivered} failed`,
      );
    }
  }

  /**
   * The scheduler hands a message over SCHEDULER_LEAD_MS before its time, so that what comes
   * before its first send (the broker, the lease, the reads above) is done by then: it is held
   * here, ready, until its time. Never sent early, by this process's clock. On shutdown it goes
   * back to the queue at once, for another process to send at its time.
   */
  private async untilItsTime(scheduledAt: string, work: string): Promise<void> {
    const at = Date.parse(scheduledAt);
    for (let waitMs = at - this.clock.now().getTime(); waitMs > 0;) {
      if (this.stopping || this.lostLeases.has(work)) throw new ShuttingDownError();
      // A promise of its own per hold: reactions on one long-lived promise would pile up.
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      this.held.add(wake);
      try {
        await Promise.race([this.clock.sleep(waitMs), woken]);
      } finally {
        this.held.delete(wake);
      }
      waitMs = at - this.clock.now().getTime();
    }
    if (this.stopping) throw new ShuttingDownError();
  }

  /**
   * Records who the audience is now that the message is due (the subscribers in it now, each
   * once); another run that resolved it first wins, and its answer is read back.
   */
  private async resolveAudience(
    command: DeliverMessageCommand,
    state: KnownMessage,
    audience: Audience,
    version: number,
  ): Promise<void> {
    const recipients: string[] = [];
    for (let after: string | null = null; ;) {
      const page = await this.subscribers.activeIn(audience, after, AUDIENCE_PAGE);
      recipients.push(...page);
      if (page.length < AUDIENCE_PAGE) break;
      after = page.at(-1)!;
    }
    // An empty audience makes the message sent at once: not before its time.
    if (recipients.length === 0)
      await this.untilItsTime(state.scheduledAt, messageStreamId(command.messageId));
    const events = decideScheduledMessage(
      {
        type: 'ResolveAudience',
        messageId: command.messageId,
        recipients,
        partSize: this.config.audiencePartSize,
      },
      state,
    );
    try {
      await this.events.append(messageStreamId(command.messageId), events, {
        expectedVersion: version,
        metadata: {
          correlationId: command.correlationId,
          causationId: command.causeEventId,
          actor: 'delivery',
        },
      });
    } catch (error) {
      // Another run resolved it first: its parts are on their way.
      if (!(error instanceof StreamVersionConflictError)) throw error;
      return;
    }
    const parts = events.filter((event) => event.type === 'AudienceResolved').length;
    this.logger.log(
      `Message ${command.messageId}: audience of ${recipients.length} resolved, in ${parts} part(s)`,
    );
  }
}
