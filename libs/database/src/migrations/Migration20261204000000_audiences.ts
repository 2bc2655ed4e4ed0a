import { Migration } from '@mikro-orm/migrations';

/**
 * Messages to an audience: `messages.audience` keeps the topics (or everyone) a message was
 * scheduled for; its recipients join `message_recipients` when it falls due, and are read a
 * page at a time.
 */
export class Migration20261204000000_Audiences extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE messages ADD COLUMN audience jsonb');
    // A message's recipients a page at a time, in order: an index range scan however many.
    this.addSql(
      'CREATE INDEX message_recipients_order ON message_recipients (message_id, ordinal)',
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX message_recipients_order');
    this.addSql('ALTER TABLE messages DROP COLUMN audience');
  }
}
