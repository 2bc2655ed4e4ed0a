import { Migration } from '@mikro-orm/migrations';

/** Buttons: `messages.buttons` keeps the rows of URL buttons under each message's text. */
export class Migration20261209000000_Buttons extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE messages ADD COLUMN buttons jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE messages DROP COLUMN buttons');
  }
}
