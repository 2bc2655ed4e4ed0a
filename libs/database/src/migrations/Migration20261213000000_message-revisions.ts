import { Migration } from '@mikro-orm/migrations';

/** Edits and recalls of sent messages: when, and what became of each recipient's copy. */
export class Migration20261213000000_MessageRevisions extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'ALTER TABLE messages ADD COLUMN edited_at timestamptz, ADD COLUMN recalled_at timestamptz',
    );
    this.addSql(
      'ALTER TABLE message_recipients ADD COLUMN revision text, ADD COLUMN revision_reason text',
    );
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE messages DROP COLUMN edited_at, DROP COLUMN recalled_at');
    this.addSql('ALTER TABLE message_recipients DROP COLUMN revision, DROP COLUMN revision_reason');
  }
}
