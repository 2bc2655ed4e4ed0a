import { Migration } from '@mikro-orm/migrations';

/**
 * What every delivery process shares so that together they keep Telegram's limits and never
 * deliver the same work at once: the bot's budget of sends (the next free slot per bucket, and a
 * pause after a 429), each chat's next moment a send may start, and a lease per unit of delivery
 * work. The budget and the chats' slots are unlogged: after a crash of Postgres they start empty,
 * and every delivery process waits out one chat interval before its first send (see SendBudget).
 */
export class Migration20261205000000_SharedBudget extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE UNLOGGED TABLE send_budget (
        bucket        text PRIMARY KEY,
        next_slot_at  timestamptz NOT NULL,
        paused_until  timestamptz NOT NULL
      )`);
    this.addSql(`CREATE UNLOGGED TABLE chat_send_slots (
        chat_id     text PRIMARY KEY,
        ready_at    timestamptz NOT NULL,
        held_until  timestamptz
      )`);
    this.addSql(`CREATE TABLE delivery_leases (
        work        text PRIMARY KEY,
        holder      text NOT NULL,
        expires_at  timestamptz NOT NULL
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE delivery_leases');
    this.addSql('DROP TABLE chat_send_slots');
    this.addSql('DROP TABLE send_budget');
  }
}
