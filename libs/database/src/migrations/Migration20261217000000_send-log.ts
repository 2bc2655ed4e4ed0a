import { Migration } from '@mikro-orm/migrations';

/**
 * The bot's budget keeps the requests placed within the last window (`send_log`, runs of
 * requests, see send-log.ts) beside its next free slot, so that an album is counted as its items
 * at the instant it leaves rather than as a block of slots. Instants are whole microseconds of the
 * database's clock; `version` lets every process place an album without a lock (a write that lost
 * a race reads again). Both tables are unlogged state of the moment: the budget is recreated
 * empty.
 */
export class Migration20261217000000_SendLog extends Migration {
  override async up(): Promise<void> {
    this.addSql('DROP TABLE send_budget');
    this.addSql(`CREATE UNLOGGED TABLE send_budget (
        bucket           text PRIMARY KEY,
        next_slot_us     bigint NOT NULL,
        paused_until_us  bigint NOT NULL,
        version          bigint NOT NULL
      )`);
    this.addSql(`CREATE UNLOGGED TABLE send_log (
        bucket   text NOT NULL,
        at_us    bigint NOT NULL,
        count    integer NOT NULL,
        weight   integer NOT NULL,
        step_us  bigint NOT NULL,
        PRIMARY KEY (bucket, at_us)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE send_log');
    this.addSql('DROP TABLE send_budget');
    this.addSql(`CREATE UNLOGGED TABLE send_budget (
        bucket        text PRIMARY KEY,
        next_slot_at  timestamptz NOT NULL,
        paused_until  timestamptz NOT NULL
      )`);
  }
}
