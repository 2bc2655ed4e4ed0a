import { isCaptioned } from '../../../../domain/src/media';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DeliveryConfig } from '../../../../config/src/config';
import { messagePartStreamId, messageStreamId } from '../../../../domain/src/events';
import {
  chatsToEdit,
  chatsToRecall,
  decideScheduledMessage,
  evolveScheduledMessage,
  type RecordRevision,
  type ScheduledMessageState,
} from '../../../../domain/src/scheduled-message';
import { hasTemplateVariables, textFor } from '../../../../domain/src/template';
import { EventStore, StreamVersionConflictError } from '../../../../event-store/src/event-store';
import { Clock } from '../../../../runtime/src/clock';
import {
  loadAudienceMessage,
  loadMessage,
  loadMessagePart,
  MessageStreamCache,
} from '../../message-stream';
import { SubscriberReader } from '../../ports/subscriber-reader';
import { TelegramSender } from '../../ports/telegram-sender';
import { WorkLeases } from '../../ports/work-leases';
import { permanentFailureOf } from '../deliver-message/delivery-plan';
import { RetryPolicy, SEND_BACKOFF, transientUpTo } from '../deliver-message/retry-policy';
import { ReviseMessageCommand } from './revise-message.command';

/** Appends of one outcome that lost the race to another process's, in a row, before giving up. */
const MAX_CONFLICTS = 10;
/** How long the lease on a message's revisions lasts unless extended (every third of it). */
const LEASE_MS = 10_000;
/** How often a process asks again for revisions another process is carrying out. */
const LEASE_POLL_MS = 500;

/** One chat's work: an edit to the latest text, or the deletion of every copy. */
type ChatRevision =
  | { kind: 'edit'; userId: string; chatId: string; telegramMessageId: number; edit: number }
  | { kind: 'recall'; userId: string; chatId: string; telegramMessageIds: number[] };

/**
 * Edits or recalls a sent message in every chat that got it (a broadcast's: one part of its
 * audience per unit of work, as its delivery), several chats at once, each within
 * Telegram's limits (the same budget as sends) and recorded as soon as it is done: a chat that
 * refuses (or keeps failing past the attempts a send gets) is recorded as failed, not tried
 * again. Telegram's answers to a repeat ("not modified", "not found") count as done, so a run
 * that crashed before recording is safely done again.
 */
@CommandHandler(ReviseMessageCommand)
export class ReviseMessageHandler implements ICommandHandler<ReviseMessageCommand> {
  private readonly logger = new Logger('Delivery');
  private readonly retry: RetryPolicy;
  /** This process's runs, per message: the last queued, which the next waits for. */
  private readonly runs = new Map<string, Promise<void>>();
  /** A broadcast's own stream, read once for all its parts. */
  private readonly messages: MessageStreamCache;

  constructor(
    private readonly events: EventStore,
    private readonly subscribers: SubscriberReader,
    private readonly telegram: TelegramSender,
    private readonly leases: WorkLeases,
    private readonly config: DeliveryConfig,
    private readonly clock: Clock,
  ) {
    this.retry = new RetryPolicy(clock);
    this.messages = new MessageStreamCache(events);
  }

  /**
   * One process at a time carries out a message's revisions: two edits in quick succession, taken
   * by two processes, would otherwise race, and a chat could keep the older text. The second waits
   * and then brings every chat to the latest.
   */
  async execute(command: ReviseMessageCommand): Promise<void> {
    // The lease is per process (a process that holds it takes it again): runs of this process
    // for one message (or one part of its audience) go one after the other here.
    const work =
      command.part === undefined
        ? `message-${command.messageId}-revisions`
        : `message-${command.messageId}-part-${command.part}-revisions`;
    const before = this.runs.get(work) ?? Promise.resolve();
    const run = before.then(() => this.underLease(work, command));
    const settled = run.catch(() => undefined);
    this.runs.set(work, settled);
    try {
      await run;
    } finally {
      if (this.runs.get(work) === settled) this.runs.delete(work);
    }
  }

  private async underLease(work: string, command: ReviseMessageCommand): Promise<void> {
    while (!(await this.leases.take(work, LEASE_MS))) await this.clock.sleep(LEASE_POLL_MS);
    const extending = setInterval(() => {
      this.leases
        .take(work, LEASE_MS)
        .catch((error: unknown) =>
          this.logger.warn(`Could not extend the lease on ${work}: ${String(error)}`),
        );
    }, LEASE_MS / 3);
    try {
      await this.revise(command);
    } finally {
      clearInterval(extending);
      await this.leases
        .release(work)
        .catch((error: unknown) =>
          this.logger.warn(
            `Could not give up the lease on ${work} (it runs out): ${String(error)}`,
          ),
        );
    }
  }

  /**
   * Brings every chat that got the message to its latest revision. A message to user ids keeps
   * its chats in its own stream; a message to topics or everyone in its parts' streams, where
   * their sends were recorded: the revision is handed to each part (AudienceRevisionDue), and
   * each part is revised on its own, by whichever process takes it, its outcomes recorded there.
   */
  private async revise(command: ReviseMessageCommand): Promise<void> {
    const { messageId, part } = command;
    if (part !== undefined) {
      const load = () => loadMessagePart(this.messages, this.events, messageId, part);
      await this.reviseStream(command, messagePartStreamId(messageId, part), await load(), load);
      return;
    }
    // Folded without an audience's recipients (a broadcast's are in its parts' streams); a
    // message to user ids keeps its own, and its chats are in this stream.
    const message = await loadAudienceMessage(this.messages, messageId);
    if (message.state.status === 'none') return;
    if (message.state.audience === null) {
      await this.reviseStream(command, messageStreamId(messageId), message, () =>
        loadMessage(this.events, messageId),
      );
      return;
    }
    await this.handToParts(command, message);
  }

  /**
   * Hands a broadcast's latest revision to its parts, once: a run that lost the race to another
   * (a redelivery) reads again and finds it done.
   */
  private async handToParts(
    command: ReviseMessageCommand,
    loaded: { state: ScheduledMessageState; version: number },
  ): Promise<void> {
    let { state, version } = loaded;
    for (let conflicts = 0; ; conflicts++) {
      const events = decideScheduledMessage(
        { type: 'PlanAudienceRevision', messageId: command.messageId },
        state,
      );
      if (events.length === 0) return;
      try {
        await this.events.append(messageStreamId(command.messageId), events, {
          expectedVersion: version,
          metadata: {
            correlationId: command.correlationId,
            causationId: command.causeEventId,
            actor: 'delivery',
          },
        });
        this.logger.log(
          `Message ${command.messageId}: revision handed to its ${events.length} part(s)`,
        );
        return;
      } catch (error) {
        if (!(error instanceof StreamVersionConflictError) || conflicts >= MAX_CONFLICTS)
          throw error;
        ({ state, version } = await loadAudienceMessage(this.messages, command.messageId));
      }
    }
  }

  /** Revises the chats whose sends a stream recorded, and records each outcome there. */
  private async reviseStream(
    command: ReviseMessageCommand,
    streamId: string,
    loaded: { state: ScheduledMessageState; version: number },
    reload: () => Promise<{ state: ScheduledMessageState; version: number }>,
  ): Promise<void> {
    let { state, version } = loaded;
    const work: ChatRevision[] = [
      ...chatsToRecall(state).map((chat) => ({ kind: 'recall' as const, ...chat })),
      ...chatsToEdit(state).map((chat) => ({
        kind: 'edit' as const,
        ...chat,
        edit: state.status === 'none' ? 0 : state.chatEdit,
      })),
    ];
    if (work.length === 0 || state.status === 'none') return;
    const texts = await this.textsFor(state, work);
    const metadata = {
      correlationId: command.correlationId,
      causationId: command.causeEventId,
      actor: 'delivery',
    };
    let appending: Promise<unknown> = Promise.resolve();
    const record = (revision: RecordRevision): Promise<void> => {
      // One append at a time, each at the version the one before left.
      const next = appending.then(async () => {
        for (let conflicts = 0; ; conflicts++) {
          const events = decideScheduledMessage(revision, state);
          if (events.length === 0) return;
          try {
            await this.events.append(streamId, events, { expectedVersion: version, metadata });
            version += events.length;
            state = events.reduce(evolveScheduledMessage, state);
            return;
          } catch (error) {
            if (!(error instanceof StreamVersionConflictError) || conflicts >= MAX_CONFLICTS)
              throw error;
            ({ state, version } = await reload());
          }
        }
      });
      appending = next.catch(() => undefined);
      return next;
    };
    const queue = [...work];
    const worker = async () => {
      for (let chat = queue.shift(); chat !== undefined; chat = queue.shift()) {
        await record(await this.reviseChat(command.messageId, chat, state, texts.get(chat.userId)));
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.config.recipientConcurrency, work.length) }, worker),
    );
    this.logger.log(
      `Message ${command.messageId} (${streamId}): ${work.filter((chat) => chat.kind === 'edit').length} chat(s) edited, ${work.filter((chat) => chat.kind === 'recall').length} recalled`,
    );
  }

  /** Carries out one chat's revision; what became of it, to record. */
  private async reviseChat(
    messageId: string,
    chat: ChatRevision,
    state: ScheduledMessageState,
    text: string | undefined,
  ): Promise<RecordRevision> {
    const revision =
      chat.kind === 'edit'
        ? { kind: 'edit' as const, edit: chat.edit }
        : { kind: 'recall' as const };
    const base = { type: 'RecordRevision' as const, messageId, userId: chat.userId, revision };
    try {
      if (chat.kind === 'edit') {
        const options =
          state.status === 'none' ? {} : { display: state.sendOptions, buttons: state.buttons };
        // The text went as an album's caption (as_album): the caption is what changes.
        const captioned =
          state.status !== 'none' &&
          isCaptioned(state.attachments, state.sendOptions, state.buttons.length > 0);
        await this.attempt(() =>
          captioned
            ? this.telegram.editCaption(chat.chatId, chat.telegramMessageId, text ?? '', options)
            : this.telegram.editText(chat.chatId, chat.telegramMessageId, text ?? '', options),
        );
      } else {
        // The text and every file in one call (one send of the chat's one a second, not n).
        await this.attempt(() =>
          this.telegram.deleteMessages(chat.chatId, chat.telegramMessageIds),
        );
      }
      return { ...base, outcome: { ok: true, chatId: chat.chatId } };
    } catch (error) {
      const failure = permanentFailureOf(error, this.config.maxSendAttempts);
      return { ...base, outcome: { ok: false, code: failure.code, reason: failure.reason } };
    }
  }

  /** A call, again after a transient failure, up to the attempts a send gets. */
  private attempt(call: () => Promise<void>): Promise<void> {
    return this.retry.run(
      call,
      SEND_BACKOFF,
      transientUpTo(this.config.maxSendAttempts),
      (error, attempt, waitMs) =>
        this.logger.warn(
          `Edit or recall failed (${String(error)}); attempt ${attempt + 1} in ${Math.round(waitMs)} ms`,
        ),
    );
  }

  /** Each recipient's text for an edit: the template filled in with their values. */
  private async textsFor(
    state: ScheduledMessageState,
    work: readonly ChatRevision[],
  ): Promise<Map<string, string>> {
    const edits = work.filter((chat) => chat.kind === 'edit');
    if (state.status === 'none' || edits.length === 0) return new Map();
    const { text } = state;
    if (!hasTemplateVariables(text))
      return new Map(edits.map((chat) => [chat.userId, text] as const));
    const records = await this.subscribers.byUserIds(edits.map((chat) => chat.userId));
    return new Map(
      records.map((subscriber) => [
        subscriber.userId,
        textFor(text, state.sendOptions.parseMode, subscriber),
      ]),
    );
  }
}
