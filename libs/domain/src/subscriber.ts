import { DomainError, DomainErrorCode } from './errors';
import { sameValue } from './same-value';
import type {
  ChatType,
  SubscriberEvent,
  SubscriberJoinedTopic,
  SubscriberLeftTopic,
  SubscriberProfile,
  SubscriberProfileChanged,
  SubscriberTimeZoneSet,
  UnsubscribeReason,
  UserChatMigrated,
  UserSubscribed,
  UserUnsubscribed,
} from './events';

export type SubscriberState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'unsubscribed';
      readonly userId: string;
      readonly chatId: string;
      readonly chatName: string;
      /** The user's names from Telegram, for message templates; null when not known. */
      readonly profile: SubscriberProfile | null;
      /** The kind of chat, when Telegram said it; null when not known. */
      readonly chatType: ChatType | null;
      /** The subscriber's own IANA zone, for series at each recipient's local time. */
      readonly timeZone: string | null;
      /** The topics (by id) the subscriber belongs to. */
      readonly topics: readonly string[];
    };

export const initialSubscriberState: SubscriberState = { status: 'none' };

export interface SubscribeUser {
  readonly type: 'SubscribeUser';
  readonly userId: string;
  readonly chatId: string;
  readonly chatName: string;
  /** The user's names, when Telegram gave them (/start in a private chat). */
  readonly profile?: SubscriberProfile | null;
  /** The kind of chat, when Telegram said it (the bot's updates). */
  readonly chatType?: ChatType | null;
  /** The user currently subscribed with this chat, if any (read from the subscribers view). */
  readonly currentUserOfChat: string | null;
}

export interface UnsubscribeUser {
  readonly type: 'UnsubscribeUser';
  readonly userId: string;
  readonly reason: UnsubscribeReason;
}

/** Telegram moved the subscriber's chat (a group became a supergroup). */
export interface MigrateChat {
  readonly type: 'MigrateChat';
  readonly userId: string;
  readonly toChatId: string;
  /** The user currently subscribed with the new chat, if any (read from the subscribers view). */
  readonly currentUserOfChat: string | null;
}

/**
 * Sets (or clears, with null) the subscriber's own time zone. The zone is checked against the zone
 * database by the application before it gets here (the domain has no zone data): this is its
 * name as the database spells it.
 */
export interface SetSubscriberTimeZone {
  readonly type: 'SetSubscriberTimeZone';
  readonly userId: string;
  readonly timeZone: string | null;
}

/** The user's names as Telegram gives them now (a later /start in their private chat). */
export interface UpdateProfile {
  readonly type: 'UpdateProfile';
  readonly userId: string;
  readonly profile: SubscriberProfile;
}

/** Joins a topic the application found active (the domain holds no topic list). */
export interface JoinTopic {
  readonly type: 'JoinTopic';
  readonly userId: string;
  readonly topicId: string;
}

export interface LeaveTopic {
  readonly type: 'LeaveTopic';
  readonly userId: string;
  readonly topicId: string;
}

export type SubscriberCommand =
  | SubscribeUser
  | UnsubscribeUser
  | MigrateChat
  | SetSubscriberTimeZone
  | UpdateProfile
  | JoinTopic
  | LeaveTopic;

export const MAX_CHAT_NAME_LENGTH = 256;
// A Telegram chat id is an integer (negative for groups); a public channel may be named @username.
const CHAT_ID = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/;

export function normaliseChatId(raw: unknown): string {
  const text = typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : raw;
  if (typeof text !== 'string' || !CHAT_ID.test(text.trim())) {
    throw new DomainError(
      DomainErrorCode.InvalidChatId,
      'chat_id must be a Telegram chat id (an integer such as 123456789) or a channel username (@name)',
      { field: 'chat_id' },
    );
  }
  return text.trim();
}

export function normaliseChatName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (name.length === 0 || name.length > MAX_CHAT_NAME_LENGTH) {
    throw new DomainError(
      DomainErrorCode.InvalidChatName,
      `chat_name must be a non-empty string of at most ${MAX_CHAT_NAME_LENGTH} characters`,
      { field: 'chat_name' },
    );
  }
  return name;
}

export function decideSubscriber(
  command: SubscriberCommand,
  state: SubscriberState,
): SubscriberEvent[] {
  switch (command.type) {
    case 'SubscribeUser':
      return [subscribe(command, state)];
    case 'UnsubscribeUser':
      return [unsubscribe(command, state)];
    case 'MigrateChat':
      return migrate(command, state);
    case 'SetSubscriberTimeZone':
      return setTimeZone(command, state);
    case 'UpdateProfile':
      return updateProfile(command, state);
    case 'JoinTopic':
      return joinTopic(command, state);
    case 'LeaveTopic':
      return leaveTopic(command, state);
  }
}

/** Names as they were record nothing; a subscriber who left keeps the names they had. */
function updateProfile(
  command: UpdateProfile,
  state: SubscriberState,
): [SubscriberProfileChanged] | [] {
  if (state.status !== 'active') return [];
  const profile = normaliseProfile(command.profile);
  if (profile === null || sameValue(profile, state.profile)) return [];
  return [{ type: 'SubscriberProfileChanged', data: { userId: command.userId, profile } }];
}

/** Joining a topic one belongs to already records nothing. */
function joinTopic(command: JoinTopic, state: SubscriberState): [SubscriberJoinedTopic] | [] {
  if (state.status !== 'active') {
    throw new DomainError(
      DomainErrorCode.UserNotSubscribed,
      `User ${command.userId} is not subscribed`,
      { userId: command.userId },
    );
  }
  if (state.topics.includes(command.topicId)) return [];
  return [
    { type: 'SubscriberJoinedTopic', data: { userId: state.userId, topicId: command.topicId } },
  ];
}

/** Leaving is allowed after unsubscribing too: one may still want off a list. */
function leaveTopic(command: LeaveTopic, state: SubscriberState): [SubscriberLeftTopic] {
  if (state.status === 'none' || !state.topics.includes(command.topicId)) {
    throw new DomainError(
      DomainErrorCode.TopicMemberNotFound,
      `User ${command.userId} is not a member of the topic`,
      { userId: command.userId, topicId: command.topicId },
    );
  }
  return [
    { type: 'SubscriberLeftTopic', data: { userId: state.userId, topicId: command.topicId } },
  ];
}

function setTimeZone(
  command: SetSubscriberTimeZone,
  state: SubscriberState,
): [SubscriberTimeZoneSet] | [] {
  if (state.status !== 'active') {
    throw new DomainError(
      DomainErrorCode.UserNotSubscribed,
      `User ${command.userId} is not subscribed`,
      { userId: command.userId },
    );
  }
  if (state.timeZone === command.timeZone) return [];
  return [
    { type: 'SubscriberTimeZoneSet', data: { userId: state.userId, timeZone: command.timeZone } },
  ];
}

function migrate(
  command: MigrateChat,
  state: SubscriberState,
): [UserChatMigrated] | [UserUnsubscribed] | [] {
  if (state.status === 'none') {
    throw new DomainError(
      DomainErrorCode.UserNotSubscribed,
      `User ${command.userId} is not subscribed`,
      {
        userId: command.userId,
      },
    );
  }
  const toChatId = normaliseChatId(command.toChatId);
  if (toChatId === state.chatId) return [];
  if (command.currentUserOfChat !== null && command.currentUserOfChat !== command.userId) {
    // Someone subscribed the supergroup before we learned of the move: one chat, one
    // subscription. The other one stands for the chat; this one ends.
    if (state.status !== 'active') return [];
    return [
      {
        type: 'UserUnsubscribed',
        data: { userId: state.userId, chatId: state.chatId, reason: 'chat_merged' },
      },
    ];
  }
  return [
    {
      type: 'UserChatMigrated',
      data: { userId: state.userId, fromChatId: state.chatId, toChatId },
    },
  ];
}

function subscribe(command: SubscribeUser, state: SubscriberState): UserSubscribed {
  const chatId = normaliseChatId(command.chatId);
  const chatName = normaliseChatName(command.chatName);
  if (state.status === 'active') {
    throw new DomainError(
      DomainErrorCode.UserAlreadySubscribed,
      `User ${command.userId} is already subscribed`,
      { userId: command.userId },
    );
  }
  if (command.currentUserOfChat !== null && command.currentUserOfChat !== command.userId) {
    throw new DomainError(
      DomainErrorCode.ChatAlreadySubscribed,
      `User with this chat_id already exists (chat_id ${chatId})`,
      { chatId },
    );
  }
  return {
    type: 'UserSubscribed',
    data: {
      userId: command.userId,
      chatId,
      chatName,
      profile: command.profile ? normaliseProfile(command.profile) : null,
      chatType: command.chatType ?? null,
    },
  };
}

/** Telegram's limits of a user's names (64, 64 and 32 characters), trimmed; empty ones absent. */
function normaliseProfile(profile: SubscriberProfile): SubscriberProfile | null {
  const name = (value: string | null, max: number): string | null => {
    const trimmed = value?.trim().slice(0, max) ?? '';
    return trimmed === '' ? null : trimmed;
  };
  const firstName = name(profile.firstName, 64);
  if (firstName === null) return null;
  return {
    firstName,
    lastName: name(profile.lastName, 64),
    username: name(profile.username, 32),
  };
}

function unsubscribe(command: UnsubscribeUser, state: SubscriberState): UserUnsubscribed {
  if (state.status !== 'active') {
    throw new DomainError(
      DomainErrorCode.UserNotSubscribed,
      `User ${command.userId} is not subscribed`,
      { userId: command.userId },
    );
  }
  return {
    type: 'UserUnsubscribed',
    data: { userId: state.userId, chatId: state.chatId, reason: command.reason },
  };
}

export function evolveSubscriber(state: SubscriberState, event: SubscriberEvent): SubscriberState {
  switch (event.type) {
    case 'UserSubscribed':
      // A subscriber who comes back keeps the zone they set before.
      return {
        status: 'active',
        ...event.data,
        timeZone: state.status === 'none' ? null : state.timeZone,
        topics: state.status === 'none' ? [] : state.topics,
      };
    case 'UserUnsubscribed':
      return state.status === 'none' ? state : { ...state, status: 'unsubscribed' };
    case 'UserChatMigrated':
      return state.status === 'none' ? state : { ...state, chatId: event.data.toChatId };
    case 'SubscriberTimeZoneSet':
      return state.status === 'none' ? state : { ...state, timeZone: event.data.timeZone };
    case 'SubscriberProfileChanged':
      return state.status === 'none' ? state : { ...state, profile: event.data.profile };
    case 'SubscriberJoinedTopic':
      return state.status === 'none'
        ? state
        : { ...state, topics: [...state.topics, event.data.topicId] };
    case 'SubscriberLeftTopic':
      return state.status === 'none'
        ? state
        : { ...state, topics: state.topics.filter((topicId) => topicId !== event.data.topicId) };
  }
}
