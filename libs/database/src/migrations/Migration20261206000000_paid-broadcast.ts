import { Migration } from '@mikro-orm/migrations';

/** Paid broadcasts: `messages.paid_broadcast` says which messages were sent as one. */
export class Migration20261206000000_PaidBroadcast extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE messages ADD COLUMN paid_broadcast boolean NOT NULL DEFAULT false');
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE messages DROP COLUMN paid_broadcast');
  }
}
