import { randomUUID } from 'node:crypto';
import { schemaVersionOf } from '../../domain/src/event-schema';
import {
  type AppendOptions,
  type AppendResult,
  DuplicateEventIdError,
  type EventStore,
  type LogCheckpoint,
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

  async readStream(streamId: string, page?: StreamPage): Promise<StoredEvent[]> {
    const events = this.log.filter(
      (event) => event.streamId === streamId && event.streamVersion > (page?.afterVersion ?? 0),
    );
    return page ? events.slice(0, page.limit) : events;
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

  async checkpointAt(position: number): Promise<LogCheckpoint | null> {
    const event = this.log.find((stored) => stored.position === position);
    return event ? { transactionId: event.transactionId, position } : null;
  }
}
