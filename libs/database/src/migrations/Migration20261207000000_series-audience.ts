import { Migration } from '@mikro-orm/migrations';

/** Series to an audience: `series.audience` keeps the topics (or everyone) each occurrence is for. */
export class Migration20261207000000_SeriesAudience extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE series ADD COLUMN audience jsonb');
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE series DROP COLUMN audience');
  }
}
