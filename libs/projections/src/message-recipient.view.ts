import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

import type {
  MessageRecipientRecord,
  RecipientDeliveryStatus,
} from '../../application/src/ports/message-reader';

/** One row per recipient of a message: its delivery outcome. */
@Entity({ tableName: 'message_recipients' })
export class MessageRecipientView implements MessageRecipientRecord {
  @PrimaryKey({ type: 'uuid' })
  messageId!: string;

  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  /** The recipient's place in target_user_id. */
  @Property({ type: 'integer' })
  ordinal!: number;

  @Property({ type: 'text' })
  status!: RecipientDeliveryStatus;

  @Property({ type: 'text', nullable: true })
  chatId!: string | null;

  @Property({ type: 'text', nullable: true })
  failureCode!: string | null;

  @Property({ type: 'text', nullable: true })
  reason!: string | null;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}
