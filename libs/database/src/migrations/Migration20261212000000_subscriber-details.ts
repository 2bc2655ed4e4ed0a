import { Migration } from '@mikro-orm/migrations';

/**
 * Subscribers' names from Telegram (/start in a private chat), for message templates, and the
 * kind of chat (a group or channel the bot was added to).
 */
export class Migration20261212000000_SubscriberDetails extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'ALTER TABLE subscribers ADD COLUMN first_name text, ADD COLUMN last_name text, ADD COLUMN username text, ADD COLUMN chat_type text',
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      'ALTER TABLE subscribers DROP COLUMN first_name, DROP COLUMN last_name, DROP COLUMN username, DROP COLUMN chat_type',
    );
  }
}
