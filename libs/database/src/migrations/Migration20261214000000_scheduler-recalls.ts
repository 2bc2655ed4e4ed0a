import { Migration } from '@mikro-orm/migrations';

/** The scheduler's messages with delete_after, until recalled: when each fell due. */
export class Migration20261214000000_SchedulerRecalls extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE scheduler_recalls (
        message_id uuid PRIMARY KEY,
        delete_after integer NOT NULL,
        due_at timestamptz
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE scheduler_recalls');
  }
}
