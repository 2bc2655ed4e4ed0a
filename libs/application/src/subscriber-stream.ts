import { DomainError, DomainErrorCode } from '../../domain/src/errors';
import { isSubscriberEvent, subscriberStreamId } from '../../domain/src/events';
import {
  evolveSubscriber,
  initialSubscriberState,
  type SubscriberState,
} from '../../domain/src/subscriber';
import type { EventStore } from '../../event-store/src/event-store';
import type { SubscriberReader, SubscriberRecord } from './ports/subscriber-reader';

/** A subscriber named by user id (the API) or by its chat (the bot, which knows only the chat). */
export type SubscriberNamed = { readonly userId: string } | { readonly chatId: string };

/**
 * The subscriber so named: by user id, whatever its status; by chat, the one subscribed with it
 * now. Neither found is a 404 (SUBSCRIBER_NOT_FOUND) or, for a chat, USER_NOT_SUBSCRIBED.
 */
export async function requireSubscriber(
  reader: SubscriberReader,
  named: SubscriberNamed,
): Promise<SubscriberRecord> {
  if ('userId' in named) {
    const subscriber = await reader.byUserId(named.userId);
    if (subscriber) return subscriber;
    throw new DomainError(
      DomainErrorCode.SubscriberNotFound,
      `No subscriber with user_id ${named.userId}`,
      { userId: named.userId },
    );
  }
  const subscriber = await reader.activeOfChat(named.chatId);
  if (subscriber) return subscriber;
  throw new DomainError(
    DomainErrorCode.UserNotSubscribed,
    `Chat ${named.chatId} is not subscribed`,
    {
      chatId: named.chatId,
    },
  );
}

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
