import { Migration } from '@mikro-orm/migrations';

/**
 * A message's sender label (`from_sender`), for listing one sender's messages. Existing rows have
 * none, as their events do (MessageScheduled before schema version 3).
 */
export class Migration20261130000000_FromSender extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE messages ADD COLUMN from_sender text');
    this.addSql(
      'CREATE INDEX messages_from_sender ON messages (from_sender, scheduled_at, id) WHERE from_sender IS NOT NULL',
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX messages_from_sender');
    this.addSql('ALTER TABLE messages DROP COLUMN from_sender');
  }
}
