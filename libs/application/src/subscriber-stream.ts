import { isSubscriberEvent, subscriberStreamId } from '../../domain/src/events';
import {
  evolveSubscriber,
  initialSubscriberState,
  type SubscriberState,
} from '../../domain/src/subscriber';
import type { EventStore } from '../../event-store/src/event-store';

/** Folds a subscriber's stream into its state, with the version to append at. */
export async function loadSubscriber(
  store: EventStore,
  userId: string,
): Promise<{ state: SubscriberState; version: number }> {
  const events = await store.readStream(subscriberStreamId(userId));
  let state = initialSubscriberState;
  for (const event of events) {
    if (!isSubscriberEvent(event)) {
      throw new Error(
        `Event ${event.eventId} of type ${event.type} in subscriber stream ${event.streamId}`,
      );
    }
    state = evolveSubscriber(state, event);
  }
  return { state, version: events.length };
}
