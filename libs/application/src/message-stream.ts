import {
  isMessageEvent,
  messagePartStreamId,
  messageStreamId,
  type ScheduledMessageEvent,
} from '../../domain/src/events';
import {
  audiencePartEvolver,
  evolveScheduledMessage,
  evolveWithoutAudienceRecipients,
  initialScheduledMessageState,
  type ScheduledMessageState,
} from '../../domain/src/scheduled-message';
import type { EventStore, StoredEvent } from '../../event-store/src/event-store';

export interface LoadedMessage {
  readonly state: ScheduledMessageState;
  readonly version: number;
  readonly events: readonly StoredEvent[];
}

/** A message's stream folded into its state, with the version to append at. */
const loaded = (events: readonly StoredEvent[]): LoadedMessage => ({
  state: fold(events, evolveScheduledMessage),
  version: events.length,
  events,
});

/** Reads and folds a message's stream. */
export async function loadMessage(store: EventStore, messageId: string): Promise<LoadedMessage> {
  return loaded(await store.readStream(messageStreamId(messageId)));
}

/** Several messages' streams in one read, folded: a message that does not exist is `none`. */
export async function loadMessages(
  store: EventStore,
  messageIds: readonly string[],
): Promise<ReadonlyMap<string, LoadedMessage>> {
  const streams = await store.readStreams(messageIds.map(messageStreamId));
  return new Map(
    messageIds.map((messageId) => [
      messageId,
      loaded(streams.get(messageStreamId(messageId)) ?? []),
    ]),
  );
}

/**
 * Messages' own streams as this process last read them, read on from there. A broadcast's parts
 * each need their message's events, whose AudienceResolved hold every recipient (100,000 ids for
 * 100,000 recipients): read once per process, not once per part. Streams only grow, so what was
 * read stays true; the few most recently used are kept.
 */
export class MessageStreamCache {
  private readonly streams = new Map<string, readonly StoredEvent[]>();

  constructor(
    private readonly store: EventStore,
    private readonly capacity = 8,
  ) {}

  async read(messageId: string): Promise<readonly StoredEvent[]> {
    const known = this.streams.get(messageId) ?? [];
    const newer = await this.store.readStream(messageStreamId(messageId), {
      afterVersion: known.length,
      limit: Number.MAX_SAFE_INTEGER,
    });
    const events = newer.length === 0 ? known : [...known, ...newer];
    this.streams.delete(messageId);
    this.streams.set(messageId, events);
    for (const oldest of this.streams.keys()) {
      if (this.streams.size <= this.capacity) break;
      this.streams.delete(oldest);
    }
    return events;
  }
}

/**
 * Folds one part of a message's audience: the message's own events (with that part's recipients
 * only), then the part's stream. The version is the part stream's: outcomes are appended there.
 */
export async function loadMessagePart(
  messages: MessageStreamCache,
  store: EventStore,
  messageId: string,
  part: number,
): Promise<LoadedMessage> {
  const [own, ofPart] = await Promise.all([
    messages.read(messageId),
    store.readStream(messagePartStreamId(messageId, part)),
  ]);
  const events = [...own, ...ofPart];
  return { state: fold(events, audiencePartEvolver(part)), version: ofPart.length, events };
}

/**
 * Folds a message to an audience as a whole, without the recipients it resolved to: what deciding
 * that it is sent needs. The version is its own stream's.
 */
export async function loadAudienceMessage(
  messages: MessageStreamCache,
  messageId: string,
): Promise<LoadedMessage> {
  const events = await messages.read(messageId);
  return { state: fold(events, evolveWithoutAudienceRecipients), version: events.length, events };
}

function fold(
  events: readonly StoredEvent[],
  evolve: (state: ScheduledMessageState, event: ScheduledMessageEvent) => ScheduledMessageState,
): ScheduledMessageState {
  let state = initialScheduledMessageState;
  for (const event of events) {
    if (!isMessageEvent(event)) {
      throw new Error(
        `Event ${event.eventId} of type ${event.type} in message stream ${event.streamId}`,
      );
    }
    state = evolve(state, event);
  }
  return state;
}
