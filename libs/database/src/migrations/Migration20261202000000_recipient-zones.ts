import { Migration } from '@mikro-orm/migrations';

/**
 * Series at each recipient's local time: a subscriber's own zone (`subscribers.time_zone`; none
 * for existing rows, as no event set one), the series' setting (false for existing series, as
 * their events say), and the message of each zone an occurrence was planned in
 * (`series_occurrence_zones`).
 */
export class Migration20261202000000_RecipientZones extends Migration {
  override async up(): Promise<void> {
    this.addSql('ALTER TABLE subscribers ADD COLUMN time_zone text');
    this.addSql(
      'ALTER TABLE series ADD COLUMN at_recipient_local_time boolean NOT NULL DEFAULT false',
    );
    this.addSql(`
      CREATE TABLE series_occurrence_zones (
        series_id      uuid NOT NULL,
        occurrence_at  timestamptz NOT NULL,
        zone           text NOT NULL,
        scheduled_at   timestamptz NOT NULL,
        message_id     uuid NOT NULL,
        recipients     text[] NOT NULL,
        updated_at     timestamptz NOT NULL,
        PRIMARY KEY (series_id, occurrence_at, zone)
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE series_occurrence_zones');
    this.addSql('ALTER TABLE series DROP COLUMN at_recipient_local_time');
    this.addSql('ALTER TABLE subscribers DROP COLUMN time_zone');
  }
}
