import { randomUUID } from 'node:crypto';
import { schemaVersionOf } from '../../domain/src/event-schema';
import { isSubscriberEvent } from '../../domain/src/events';
import {
  evolveSubscriber,
  initialSubscriberState,
  type SubscriberState,
} from '../../domain/src/subscriber';
import {
  type AppendOptions,
  type AppendResult,
  ChatAlreadyHeldError,
  DuplicateEventIdError,
  type EventStore,
  type LogCheckpoint,
  LOG_START,
  type NewEvent,
  type StoredEvent,
  type StreamPage,
  StreamVersionConflictError,
  versionMatches,
} from './event-store';

/** The event store in memory, for unit tests of code that appends and reads events. */
export class InMemoryEventStore implements EventStore {
  private readonly log: StoredEvent[] = [];
  private transactionCounter = 0;
  /** Each subscriber as its events left it, and the active subscriber of each chat. */
  private readonly subscribers = new Map<string, SubscriberState>();
  private readonly activeSubscriberOfChat = new Map<string, string>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async append(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    // Yield once so that concurrent callers interleave as they would against a database.
    await Promise.resolve();
    const ids = events.map((event) => event.eventId).filter((id): id is string => id !== undefined);
    const known = this.log.filter((stored) => ids.includes(stored.eventId));
    const current = this.log.filter((stored) => stored.streamId === streamId).length;
    if (known.length > 0 && known.length === events.length) {
      return { events: known, streamVersion: current, alreadyStored: true };
    }
    if (known.length > 0) throw new DuplicateEventIdError(known.map((event) => event.eventId));
    if (!versionMatches(options.expectedVersion, current)) {
      throw new StreamVersionConflictError(streamId, options.expectedVersion, current);
    }
    this.holdChats(events);
    const transactionId = String(++this.transactionCounter);
    const recordedAt = this.now();
    const stored = events.map((event, index): StoredEvent => ({
      ...event,
      eventId: event.eventId ?? randomUUID(),
      streamId,
      streamVersion: current + index + 1,
      position: this.log.length + index + 1,
      transactionId,
      schemaVersion: schemaVersionOf(event.type),
      metadata: options.metadata,
      recordedAt,
    }));
    this.log.push(...stored);
    return { events: stored, streamVersion: current + events.length, alreadyStored: false };
  }

  /**
   * One chat, one active subscription, as the Postgres store's read model enforces with a unique
   * index: the events' subscriptions are applied, or none of them when a chat would end up the
   * active chat of two subscribers.
   */
  private holdChats(events: readonly NewEvent[]): void {
    const changed = new Map<string, SubscriberState>();
    for (const event of events) {
      if (!isSubscriberEvent(event)) continue;
      const { userId } = event.data;
      const before = changed.get(userId) ?? this.subscribers.get(userId) ?? initialSubscriberState;
      changed.set(userId, evolveSubscriber(before, event));
    }
    const released = new Set<string>();
    for (const userId of changed.keys()) {
      const before = this.subscribers.get(userId);
      if (before?.status === 'active') released.add(before.chatId);
    }
    const claimed = new Map<string, string>();
    for (const [userId, state] of changed) {
      if (state.status !== 'active') continue;
      const holder =
        claimed.get(state.chatId) ??
        (released.has(state.chatId) ? undefined : this.activeSubscriberOfChat.get(state.chatId));
      if (holder !== undefined && holder !== userId) throw new ChatAlreadyHeldError(state.chatId);
      claimed.set(state.chatId, userId);
    }
    for (const chatId of released) this.activeSubscriberOfChat.delete(chatId);
    for (const [chatId, userId] of claimed) this.activeSubscriberOfChat.set(chatId, userId);
    for (const [userId, state] of changed) this.subscribers.set(userId, state);
  }

  async readStream(streamId: string, page?: StreamPage): Promise<StoredEvent[]> {
    const events = this.log.filter(
      (event) => event.streamId === streamId && event.streamVersion > (page?.afterVersion ?? 0),
    );
    return page ? events.slice(0, page.limit) : events;
  }

  async readStreams(
    streamIds: readonly string[],
    afterVersions?: ReadonlyMap<string, number>,
  ): Promise<ReadonlyMap<string, readonly StoredEvent[]>> {
    return new Map(
      streamIds.map((streamId) => [
        streamId,
        this.log.filter(
          (event) =>
            event.streamId === streamId &&
            event.streamVersion > (afterVersions?.get(streamId) ?? 0),
        ),
      ]),
    );
  }

  async readAll(
    after: LogCheckpoint,
    limit: number,
    filter: { readonly types?: readonly string[] } = {},
  ): Promise<StoredEvent[]> {
    return this.log
      .filter(
        (event) =>
          (BigInt(event.transactionId) > BigInt(after.transactionId) ||
            (event.transactionId === after.transactionId && event.position > after.position)) &&
          (filter.types === undefined || filter.types.includes(event.type)),
      )
      .slice(0, limit);
  }

  async endOfLog(): Promise<LogCheckpoint> {
    const last = this.log.at(-1);
    return last ? { transactionId: last.transactionId, position: last.position } : LOG_START;
  }

  async readLatest(types: readonly string[], limit: number): Promise<StoredEvent[]> {
    return this.log
      .filter((event) => types.includes(event.type))
      .reverse()
      .slice(0, limit);
  }

  async readStreamsOfType(
    streamIds: readonly string[],
    types: readonly string[],
  ): Promise<StoredEvent[]> {
    return this.log.filter(
      (event) => streamIds.includes(event.streamId) && types.includes(event.type),
    );
  }

  async checkpointAt(position: number): Promise<LogCheckpoint | null> {
    const event = this.log.find((stored) => stored.position === position);
    return event ? { transactionId: event.transactionId, position } : null;
  }
}
