import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { Attachment } from '../../domain/src/events';
import type { MessageRecord, MessageStatus } from '../../application/src/ports/message-reader';

/** One row per scheduled message, as the events left it. Built by the message projector. */
@Entity({ tableName: 'messages' })
export class MessageView implements MessageRecord {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'jsonb' })
  targetUserIds!: string[];

  @Property({ type: 'text' })
  text!: string;

  @Property({ type: 'timestamptz' })
  scheduledAt!: Date;

  @Property({ type: 'jsonb' })
  attachments!: Attachment[];

  /** The client's sender label (`from_sender`), if it gave one. */
  @Property({ type: 'text', nullable: true })
  fromSender!: string | null;

  @Property({ type: 'text' })
  status!: MessageStatus;

  @Property({ type: 'boolean' })
  isSent!: boolean;

  @Property({ type: 'timestamptz', nullable: true })
  dueAt!: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;

  @Property({ type: 'bigint' })
  lastPosition!: string;
}
