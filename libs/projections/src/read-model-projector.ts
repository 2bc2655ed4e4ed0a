import type { EntityManager } from '@mikro-orm/postgresql';
import type { StoredEvent } from '../../event-store/src/event-store';
import { MessageView } from './message.view';
import { SubscriberView } from './subscriber.view';

/**
 * Folds events into the read models. Runs inside the append's transaction (an inline
 * projection), so a request that wrote can read its own write; replaying the log through the same
 * function rebuilds the tables. Every write depends on the event alone (times are the event's
 * recorded time), so a replay yields the same rows.
 */
export async function projectToReadModels(
  em: EntityManager,
  events: readonly StoredEvent[],
): Promise<void> {
  for (const event of events) await apply(em, event);
}

async function apply(em: EntityManager, event: StoredEvent): Promise<void> {
  const lastPosition = String(event.position);
  switch (event.type) {
    case 'UserSubscribed':
      await em.upsert(SubscriberView, {
        userId: event.data.userId,
        chatId: event.data.chatId,
        chatName: event.data.chatName,
        status: 'active',
        unsubscribeReason: null,
        createdAt: event.recordedAt,
        updatedAt: event.recordedAt,
        lastPosition,
      });
      return;
    case 'UserUnsubscribed':
      await em.nativeUpdate(
        SubscriberView,
        { userId: event.data.userId },
        {
          status: 'unsubscribed',
          unsubscribeReason: event.data.reason,
          updatedAt: event.recordedAt,
          lastPosition,
        },
      );
      return;
    case 'MessageScheduled':
      await em.insert(MessageView, {
        id: event.data.messageId,
        targetUserIds: [...event.data.recipients],
        text: event.data.text,
        scheduledAt: new Date(event.data.scheduledAt),
        attachments: [...event.data.attachments],
        status: 'scheduled',
        isSent: false,
        createdAt: event.recordedAt,
        updatedAt: event.recordedAt,
        lastPosition,
      });
      return;
  }
}
