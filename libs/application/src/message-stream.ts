import { isMessageEvent, messageStreamId } from '../../domain/src/events';
import {
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
  let state = initialScheduledMessageState;
  for (const event of events) {
    if (!isMessageEvent(event)) {
      throw new Error(
        `Event ${event.eventId} of type ${event.type} in message stream ${event.streamId}`,
      );
    }
    state = evolveScheduledMessage(state, event);
  }
  return { state, version: events.length, events };
}
