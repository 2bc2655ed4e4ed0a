import { Migration } from '@mikro-orm/migrations';

/** The event log, reader checkpoints and the first read models. */
export class Migration20261129000000_EventStore extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE events (
        position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id        uuid NOT NULL,
        stream_id       text NOT NULL,
        stream_version  integer NOT NULL CHECK (stream_version > 0),
        type            text NOT NULL,
        schema_version  smallint NOT NULL DEFAULT 1,
        data            jsonb NOT NULL,
        metadata        jsonb NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_event_id_unique UNIQUE (event_id),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      )`);
    this.addSql('CREATE INDEX events_log_order ON events (transaction_id, position)');
    this.addSql('CREATE INDEX events_type ON events (type, position)');
    // The log is the audit trail: no row of it is ever changed or removed.
    this.addSql(`
      CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the event log is append-only: % refused', TG_OP;
      END $$`);
    this.addSql(`CREATE TRIGGER events_append_only_rows BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_append_only()`);
    this.addSql(`CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()`);

    this.addSql(`
      CREATE TABLE checkpoints (
        name            text PRIMARY KEY,
        transaction_id  xid8 NOT NULL,
        position        bigint NOT NULL,
        owner           text,
        lease_until     timestamptz,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);

    this.addSql(`
      CREATE TABLE subscribers (
        user_id             uuid PRIMARY KEY,
        chat_id             text NOT NULL,
        chat_name           text NOT NULL,
        status              text NOT NULL CHECK (status IN ('active', 'unsubscribed')),
        unsubscribe_reason  text,
        created_at          timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL,
        last_position       bigint NOT NULL
      )`);
    // One active subscriber per chat: the guard against two concurrent subscriptions of a chat.
    this.addSql(
      `CREATE UNIQUE INDEX subscribers_active_chat_id ON subscribers (chat_id) WHERE status = 'active'`,
    );
    this.addSql('CREATE INDEX subscribers_created_at ON subscribers (created_at)');

    this.addSql(`
      CREATE TABLE messages (
        id               uuid PRIMARY KEY,
        target_user_ids  jsonb NOT NULL,
        text             text NOT NULL,
        scheduled_at     timestamptz NOT NULL,
        attachments      jsonb NOT NULL,
        status           text NOT NULL,
        is_sent          boolean NOT NULL,
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL,
        last_position    bigint NOT NULL
      )`);
    this.addSql('CREATE INDEX messages_pending ON messages (scheduled_at) WHERE NOT is_sent');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE messages');
    this.addSql('DROP TABLE subscribers');
    this.addSql('DROP TABLE checkpoints');
    this.addSql('DROP TABLE events');
    this.addSql('DROP FUNCTION events_append_only');
  }
}
