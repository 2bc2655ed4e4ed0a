import {
  isMessageEvent,
  messagePartStreamId,
  messageStreamId,
  type ScheduledMessageEvent,
} from '../../domain/src/events';
import {
  audiencePartEvolver,
  evolveScheduledMessage,
  initialScheduledMessageState,
  type ScheduledMessageState,
} from '../../domain/src/scheduled-message';
import type { EventStore, StoredEvent } from '../../event-store/src/event-store';

export interface LoadedMessage {
  readonly state: ScheduledMessageState;
  readonly version: number;
  readonly events: readonly StoredEvent[];
}

/** Folds a message's stream into its state, with the version to append at. */
export async function loadMessage(store: EventStore, messageId: string): Promise<LoadedMessage> {
  const events = await store.readStream(messageStreamId(messageId));
  return { state: fold(events, evolveScheduledMessage), version: events.length, events };
}

/**
 * Folds one part of a message's audience: the message's own events (with that part's recipients
 * only), then the part's stream. The version is the part stream's: outcomes are appended there.
 */
export async function loadMessagePart(
  store: EventStore,
  messageId: string,
  part: number,
): Promise<LoadedMessage> {
  const [own, ofPart] = await Promise.all([
    store.readStream(messageStreamId(messageId)),
    store.readStream(messagePartStreamId(messageId, part)),
  ]);
  const events = [...own, ...ofPart];
  return { state: fold(events, audiencePartEvolver(part)), version: ofPart.length, events };
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
