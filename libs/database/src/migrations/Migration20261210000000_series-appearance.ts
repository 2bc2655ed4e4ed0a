import { Migration } from '@mikro-orm/migrations';

/** Series' send options and buttons, as their occurrences carry them (null: Telegram's defaults). */
export class Migration20261210000000_SeriesAppearance extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE series ADD COLUMN send_options jsonb');
    this.addSql(`ALTER TABLE series ADD COLUMN buttons jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE series DROP COLUMN send_options, DROP COLUMN buttons');
  }
}
