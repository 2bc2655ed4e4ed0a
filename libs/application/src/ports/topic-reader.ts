/** A topic as its read model holds it, with how many active subscribers belong to it. */
export interface TopicRecord {
  readonly id: string;
  readonly name: string;
  readonly memberCount: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A member of a topic, with its subscription. */
export interface TopicMemberRecord {
  readonly userId: string;
  readonly chatId: string;
  readonly chatName: string;
  readonly status: 'active' | 'unsubscribed';
  readonly joinedAt: Date;
}

export interface TopicMembersPage {
  readonly items: readonly TopicMemberRecord[];
  /** The last member's user id when there may be more (keyset pagination). */
  readonly next: string | null;
}

/** Every way the use cases look topics up; implemented over the read model. */
export abstract class TopicReader {
  /** The active topic with this name, in any letter case. */
  abstract byName(name: string): Promise<TopicRecord | null>;
  /** The active topics, by name. */
  abstract active(): Promise<TopicRecord[]>;
  /** The ids of the topics the subscriber belongs to. */
  abstract memberOf(userId: string): Promise<Set<string>>;
  /** A topic's members by user id, after `after` (keyset pagination). */
  abstract members(topicId: string, limit: number, after: string | null): Promise<TopicMembersPage>;
}
