import type { EntityManager } from '@mikro-orm/postgresql';
import type { StoredEvent } from '../../event-store/src/event-store';
import { MessageRecipientView } from './message-recipient.view';
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
      if (event.streamVersion > 1) {
        // Back after unsubscribing: same user, subscribed since the first time.
        await em.nativeUpdate(
          SubscriberView,
          { userId: event.data.userId },
          {
            chatId: event.data.chatId,
            chatName: event.data.chatName,
            status: 'active',
            unsubscribeReason: null,
            updatedAt: event.recordedAt,
            lastPosition,
          },
        );
        return;
      }
      await em.insert(SubscriberView, {
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
    case 'UserChatMigrated':
      await em.nativeUpdate(
        SubscriberView,
        { userId: event.data.userId },
        { chatId: event.data.toChatId, updatedAt: event.recordedAt, lastPosition },
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
        dueAt: null,
        sentAt: null,
        createdAt: event.recordedAt,
        updatedAt: event.recordedAt,
        lastPosition,
      });
      await em.insertMany(
        MessageRecipientView,
        event.data.recipients.map((userId, ordinal) => ({
          messageId: event.data.messageId,
          userId,
          ordinal,
          status: 'pending' as const,
          chatId: null,
          failureCode: null,
          reason: null,
          updatedAt: event.recordedAt,
        })),
      );
      return;
    case 'MessageCancelled':
      await em.nativeUpdate(
        MessageView,
        { id: event.data.messageId },
        { status: 'cancelled', updatedAt: event.recordedAt, lastPosition },
      );
      return;
    case 'MessageRescheduled':
      await em.nativeUpdate(
        MessageView,
        { id: event.data.messageId },
        {
          scheduledAt: new Date(event.data.scheduledAt),
          updatedAt: event.recordedAt,
          lastPosition,
        },
      );
      return;
    case 'MessageDue':
      await em.nativeUpdate(
        MessageView,
        { id: event.data.messageId },
        { status: 'due', dueAt: event.recordedAt, updatedAt: event.recordedAt, lastPosition },
      );
      return;
    case 'RecipientPartSent':
      // Progress within a recipient's delivery: the read models show outcomes only.
      return;
    case 'RecipientDelivered':
      await em.nativeUpdate(
        MessageRecipientView,
        { messageId: event.data.messageId, userId: event.data.userId },
        { status: 'delivered', chatId: event.data.chatId, updatedAt: event.recordedAt },
      );
      return;
    case 'RecipientDeliveryFailed':
      await em.nativeUpdate(
        MessageRecipientView,
        { messageId: event.data.messageId, userId: event.data.userId },
        {
          status: 'failed',
          failureCode: event.data.code,
          reason: event.data.reason,
          updatedAt: event.recordedAt,
        },
      );
      return;
    case 'MessageSent':
      await em.nativeUpdate(
        MessageView,
        { id: event.data.messageId },
        {
          status: 'sent',
          isSent: true,
          sentAt: event.recordedAt,
          updatedAt: event.recordedAt,
          lastPosition,
        },
      );
      return;
  }
}
