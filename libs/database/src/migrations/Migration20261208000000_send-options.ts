import { Migration } from '@mikro-orm/migrations';

/** Send options: `messages.send_options` keeps how Telegram shows each message (null: its defaults). */
export class Migration20261208000000_SendOptions extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE messages ADD COLUMN send_options jsonb');
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE messages DROP COLUMN send_options');
  }
}
