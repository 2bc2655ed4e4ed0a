import { upcast } from '../../domain/src/event-schema';
import type { DomainEventType } from '../../domain/src/events';
import type { StoredEvent } from '../../event-store/src/event-store';

/** The body of an event as published on the broker: the stored event, with its time as text. */
export interface EventMessage {
  readonly eventId: string;
  readonly type: string;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly position: number;
  readonly transactionId: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: StoredEvent['metadata'];
  readonly recordedAt: string;
}

export function toEventMessage(event: StoredEvent): EventMessage {
  return {
    eventId: event.eventId,
    type: event.type,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    position: event.position,
    transactionId: event.transactionId,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString(),
  };
}

/** Reads a published event; one published by older code goes through the upcasters too. */
export function fromEventMessage(content: Buffer): StoredEvent {
  return readEventMessage(JSON.parse(content.toString('utf8')));
}

/** The event a parsed message body holds; throws when the body is no event message. */
export function readEventMessage(body: unknown): StoredEvent {
  const message = body as EventMessage;
  if (typeof message !== 'object' || message === null || typeof message.type !== 'string') {
    throw new Error('The message body is not an event');
  }
  const { data, schemaVersion } = upcast(
    message.type as DomainEventType,
    message.schemaVersion,
    message.data,
  );
  return {
    ...message,
    data,
    schemaVersion,
    recordedAt: new Date(message.recordedAt),
  } as StoredEvent;
}
