import { subscriberStreamId } from '../../domain/src/events';
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
    switch (event.type) {
      case 'UserSubscribed':
      case 'UserUnsubscribed':
      case 'UserChatMigrated':
        state = evolveSubscriber(state, event);
        break;
      case 'MessageScheduled':
      case 'MessageCancelled':
      case 'MessageRescheduled':
      case 'MessageDue':
      case 'RecipientPartSent':
      case 'RecipientDelivered':
      case 'RecipientDeliveryFailed':
      case 'MessageSent':
        throw new Error(
          `Event ${event.eventId} of type ${event.type} in subscriber stream ${event.streamId}`,
        );
    }
  }
  return { state, version: events.length };
}
