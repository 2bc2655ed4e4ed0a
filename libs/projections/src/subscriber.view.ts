import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { SubscriberRecord } from '../../application/src/ports/subscriber-reader';

/** One row per subscriber, as the events left it. Built by the subscriber projector. */
@Entity({ tableName: 'subscribers' })
export class SubscriberView implements SubscriberRecord {
  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  /** Unique among active subscribers (a partial unique index, see the migration). */
  @Property({ type: 'text' })
  chatId!: string;

  @Property({ type: 'text' })
  chatName!: string;

  @Property({ type: 'text' })
  status!: 'active' | 'unsubscribed';

  @Property({ type: 'text', nullable: true })
  unsubscribeReason!: string | null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;

  /** Global position of the last event applied; makes replays and audits easy to compare. */
  @Property({ type: 'bigint' })
  lastPosition!: string;
}
