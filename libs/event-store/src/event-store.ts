import type { DomainEvent } from '../../domain/src/events';

export interface EventMetadata {
  /** The request (or update) that started the chain of work. */
  readonly correlationId: string;
  /** The event or command that caused this one; null for a user's request. */
  readonly causationId: string | null;
  /** Who acted: an API key's name, `telegram:<chat id>`, or a system component. */
  readonly actor: string;
  /**
   * Fields the client's request carried that the route does not take, by name (a field given
   * twice: its values in order): accepted and ignored, as the seed did, and kept for the audit.
   */
  readonly extraFields?: Readonly<Record<string, unknown>>;
}

/** An event to append. A caller that may retry supplies the event id to make the retry a no-op. */
export type NewEvent = DomainEvent & { readonly eventId?: string };

export type StoredEvent<E extends DomainEvent = DomainEvent> = E & {
  readonly eventId: string;
  readonly streamId: string;
  /** 1 for the first event of a stream, contiguous after that. */
  readonly streamVersion: number;
  /** Global position: unique and increasing in the order positions were taken. */
  readonly position: number;
  /** The writing transaction's id; the log's read order is (transactionId, position). */
  readonly transactionId: string;
  /** The shape of `data`: always the current one for the type (older ones are upcast on read). */
  readonly schemaVersion: number;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
};

/**
 * A reader's place in the log. Positions are taken before commit, so a transaction can commit
 * after another that took a higher position; ordering by (transactionId, position) and reading
 * only transactions older than every one still running gives an order no later commit can
 * insert into. See the README, "The event log".
 */
export interface LogCheckpoint {
  readonly transactionId: string;
  readonly position: number;
}

export const LOG_START: LogCheckpoint = { transactionId: '0', position: 0 };

export const checkpointOf = (event: StoredEvent): LogCheckpoint => ({
  transactionId: event.transactionId,
  position: event.position,
});

export interface StreamPage {
  readonly afterVersion: number;
  readonly limit: number;
}

/** `no_stream`: the stream must not exist; a number: the stream's current last version. */
export type ExpectedVersion = number | 'no_stream' | 'any';

export interface AppendResult {
  readonly events: readonly StoredEvent[];
  /** The stream's version after the append. */
  readonly streamVersion: number;
  /** True when every event id was already stored: the append was a retry and changed nothing. */
  readonly alreadyStored: boolean;
}

export interface AppendOptions {
  readonly expectedVersion: ExpectedVersion;
  readonly metadata: EventMetadata;
}

/**
 * The event log. An abstract class rather than an interface so that it can be injected by type;
 * implemented by PostgresEventStore and, for unit tests, InMemoryEventStore.
 */
export abstract class EventStore {
  abstract append(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult>;
  /**
   * The stream's events in version order, or a page of them (versions after `afterVersion`);
   * empty for a stream that does not exist.
   */
  abstract readStream(streamId: string, page?: StreamPage): Promise<StoredEvent[]>;
  /**
   * Streams in one read, for work done on many streams at once: each stream's events in version
   * order (those after its version in `afterVersions`, where it has one: the rest of a stream
   * whose snapshot is loaded), empty for a stream that does not exist.
   */
  abstract readStreams(
    streamIds: readonly string[],
    afterVersions?: ReadonlyMap<string, number>,
  ): Promise<ReadonlyMap<string, readonly StoredEvent[]>>;
  /** Up to `limit` committed events after the checkpoint, in log order; of `types` if given. */
  abstract readAll(
    after: LogCheckpoint,
    limit: number,
    filter?: { readonly types?: readonly string[] },
  ): Promise<StoredEvent[]>;
  /** The place of the event at `position`: reading after it goes on after that event. */
  abstract checkpointAt(position: number): Promise<LogCheckpoint | null>;
  /** The place after the last event readAll can return now: where a live follower starts. */
  abstract endOfLog(): Promise<LogCheckpoint>;
  /**
   * The newest `limit` stored events of `types`, newest (highest position) first: a look at what
   * happened lately, not a place to read on from.
   */
  abstract readLatest(types: readonly string[], limit: number): Promise<StoredEvent[]>;
  /** The events of `types` in any of the streams, in the order their positions were taken. */
  abstract readStreamsOfType(
    streamIds: readonly string[],
    types: readonly string[],
  ): Promise<StoredEvent[]>;
}

export class StreamVersionConflictError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`Stream ${streamId} is at version ${actual}, expected ${String(expected)}`);
    this.name = 'StreamVersionConflictError';
  }
}

/**
 * The append would make a chat the active chat of a second subscriber (see chatHeldAfter): one
 * chat, one subscription. Both stores refuse it; nothing of the append is stored.
 */
export class ChatAlreadyHeldError extends Error {
  constructor(readonly chatId: string) {
    super(`Chat ${chatId} is already the chat of another active subscriber`);
    this.name = 'ChatAlreadyHeldError';
  }
}

/**
 * The append would give a second active topic a name one has (in any letter case): the topics read
 * model's unique index refuses it, and nothing of the append is stored.
 */
export class TopicNameTakenError extends Error {
  constructor() {
    super('An active topic has this name already');
    this.name = 'TopicNameTakenError';
  }
}

/** Some, not all, of the appended event ids are already stored: not a retry of one append. */
export class DuplicateEventIdError extends Error {
  constructor(readonly eventIds: readonly string[]) {
    super(`Events already stored under other appends: ${eventIds.join(', ')}`);
    this.name = 'DuplicateEventIdError';
  }
}

export function versionMatches(expected: ExpectedVersion, actual: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === 0;
  return expected === actual;
}
