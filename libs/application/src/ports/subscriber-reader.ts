import type { Audience, ChatType } from '../../../domain/src/events';
import type { RecipientStatus } from '../../../domain/src/scheduled-message';

/** A subscriber as the subscribers read model holds it. */
export interface SubscriberRecord {
  readonly userId: string;
  /** Unique among active subscribers: one chat, one subscription. */
  readonly chatId: string;
  readonly chatName: string;
  /** The user's names from Telegram (/start in a private chat), for templates; null: not known. */
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly username: string | null;
  /** private, group, supergroup or channel, when Telegram said it; null when not known. */
  readonly chatType: ChatType | null;
  readonly status: 'active' | 'unsubscribed';
  readonly unsubscribeReason: string | null;
  /** The subscriber's own IANA zone (`/timezone` in the bot, or the API); null: none set. */
  readonly timeZone: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * A place in the subscribers' order: a subscriber's time to the microsecond, as the read model
 * holds it (ISO 8601, UTC), and its id. Milliseconds would put a subscriber after its own place.
 */
export interface SubscriberPlace {
  readonly createdAt: string;
  readonly userId: string;
}

/** Every way the use cases look subscribers up; implemented over the read model. */
export abstract class SubscriberReader {
  /** The status of each id that is a subscriber; ids that are not are absent. */
  abstract statuses(userIds: readonly string[]): Promise<Map<string, RecipientStatus>>;
  /** The own zone of each id that has one set; the others are absent. */
  abstract timeZones(userIds: readonly string[]): Promise<Map<string, string>>;
  abstract byUserIds(userIds: readonly string[]): Promise<SubscriberRecord[]>;
  abstract byUserId(userId: string): Promise<SubscriberRecord | null>;
  /** The chat's active subscriber, if any. */
  abstract activeOfChat(chatId: string): Promise<SubscriberRecord | null>;
  /** Every subscriber the chat has had, most recently changed first. */
  abstract ofChat(chatId: string): Promise<SubscriberRecord[]>;
  /** The active subscribers, oldest first. */
  abstract active(): Promise<SubscriberRecord[]>;
  /**
   * Subscribers, active or not, oldest first, a page at a time (keyset: after the place `after`
   * names, a page's `next`): those of a status if given, and those whose chat name, names,
   * username, user id or chat id holds `text` if given (case-insensitive).
   */
  abstract search(
    filter: { readonly status?: 'active' | 'unsubscribed'; readonly text?: string },
    limit: number,
    after: SubscriberPlace | null,
  ): Promise<{ items: SubscriberRecord[]; next: SubscriberPlace | null }>;
  /**
   * The user ids of the active subscribers in an audience (members of any of the topics, or
   * everyone), each once, by user id after `after` (keyset pagination), at most `limit`.
   */
  abstract activeIn(audience: Audience, after: string | null, limit: number): Promise<string[]>;
}
