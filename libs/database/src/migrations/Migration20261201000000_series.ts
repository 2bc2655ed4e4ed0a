import { Migration } from '@mikro-orm/migrations';

/**
 * Recurring series: their read model (`series`, `series_occurrences`), the series occurrence a
 * message is (`messages.series_id`, `occurrence_at`; none for older rows, as their events say),
 * the scheduler's table of series waiting to plan (`scheduler_series`), and snapshots of streams
 * that grow as long as they live (`stream_snapshots`: a series adds an event per occurrence).
 */
export class Migration20261201000000_Series extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'ALTER TABLE messages ADD COLUMN series_id uuid, ADD COLUMN occurrence_at timestamptz',
    );
    this.addSql(
      'CREATE INDEX messages_series ON messages (series_id, occurrence_at) WHERE series_id IS NOT NULL',
    );
    this.addSql(`
      CREATE TABLE series (
        id               uuid PRIMARY KEY,
        owner            text NOT NULL,
        status           text NOT NULL,
        end_reason       text,
        target_user_ids  jsonb NOT NULL,
        text             text NOT NULL,
        attachments      jsonb NOT NULL,
        from_sender      text,
        rrule            text NOT NULL,
        dtstart          text NOT NULL,
        time_zone        text NOT NULL,
        cursor           jsonb,
        not_before       timestamptz NOT NULL,
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL,
        last_position    bigint NOT NULL
      )`);
    this.addSql("CREATE INDEX series_owner_open ON series (owner) WHERE status <> 'ended'");
    this.addSql('CREATE INDEX series_created ON series (created_at, id)');
    this.addSql(`
      CREATE TABLE series_occurrences (
        series_id      uuid NOT NULL,
        occurrence_at  timestamptz NOT NULL,
        local_time     text,
        status         text NOT NULL,
        scheduled_at   timestamptz,
        message_id     uuid,
        text           text,
        missed_count   integer,
        missed_until   timestamptz,
        updated_at     timestamptz NOT NULL,
        PRIMARY KEY (series_id, occurrence_at)
      )`);
    this.addSql(`
      CREATE TABLE scheduler_series (
        series_id  uuid PRIMARY KEY,
        plan_at    timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX scheduler_series_plan_at ON scheduler_series (plan_at)');
    this.addSql(`
      CREATE TABLE stream_snapshots (
        stream_id  text PRIMARY KEY,
        shape      text NOT NULL,
        version    integer NOT NULL,
        state      jsonb NOT NULL,
        saved_at   timestamptz NOT NULL
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE stream_snapshots');
    this.addSql('DROP TABLE scheduler_series');
    this.addSql('DROP TABLE series_occurrences');
    this.addSql('DROP TABLE series');
    this.addSql('DROP INDEX messages_series');
    this.addSql('ALTER TABLE messages DROP COLUMN series_id, DROP COLUMN occurrence_at');
  }
}
