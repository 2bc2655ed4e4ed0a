import { Migration } from '@mikro-orm/migrations';

/** Telegram updates already handled: an update delivered twice is handled once. */
export class Migration20261129020000_Bot extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE telegram_updates (
        update_id     bigint PRIMARY KEY,
        handled_at    timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE INDEX telegram_updates_handled_at ON telegram_updates (handled_at)');
    this.addSql('CREATE INDEX subscribers_chat_id ON subscribers (chat_id)');
  }

  override async down(): Promise<void> {
    this.addSql('DROP INDEX subscribers_chat_id');
    this.addSql('DROP TABLE telegram_updates');
  }
}
