import { Migration } from '@mikro-orm/migrations';

/** Delivery outcomes per recipient, and the scheduler's queue of pending deadlines. */
export class Migration20261129010000_Delivery extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'ALTER TABLE messages ADD COLUMN due_at timestamptz, ADD COLUMN sent_at timestamptz',
    );
    this.addSql(`
      CREATE TABLE message_recipients (
        message_id     uuid NOT NULL REFERENCES messages (id),
        user_id        uuid NOT NULL,
        ordinal        integer NOT NULL,
        status         text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        chat_id        text,
        failure_code   text,
        reason         text,
        updated_at     timestamptz NOT NULL,
        PRIMARY KEY (message_id, user_id)
      )`);
    // The scheduler's own projection: what is scheduled and not yet due, by deadline. Finding
    // what is due is an index range scan over what is due, whatever else is pending.
    this.addSql(`
      CREATE TABLE scheduler_pending (
        message_id    uuid PRIMARY KEY,
        scheduled_at  timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX scheduler_pending_deadline ON scheduler_pending (scheduled_at)');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE scheduler_pending');
    this.addSql('DROP TABLE message_recipients');
    this.addSql('ALTER TABLE messages DROP COLUMN due_at, DROP COLUMN sent_at');
  }
}
