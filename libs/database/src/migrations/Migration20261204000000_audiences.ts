import { Migration } from '@mikro-orm/migrations';

/**
 * Messages to an audience: `messages.audience` keeps the topics (or everyone) a message was
 * scheduled for; its recipients join `message_recipients` when it falls due.
 */
export class Migration20261204000000_Audiences extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE messages ADD COLUMN audience jsonb');
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE messages DROP COLUMN audience');
  }
}
