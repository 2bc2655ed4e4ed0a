import { Migration } from '@mikro-orm/migrations';

/**
 * Topics, named audiences: the topics (`topics`; an active topic's name is unique, in any letter
 * case) and who belongs to which (`topic_members`).
 */
export class Migration20261203000000_Topics extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE topics (
        id             uuid PRIMARY KEY,
        name           text NOT NULL,
        status         text NOT NULL,
        created_at     timestamptz NOT NULL,
        updated_at     timestamptz NOT NULL,
        last_position  bigint NOT NULL
      )`);
    this.addSql(
      "CREATE UNIQUE INDEX topics_active_name ON topics (lower(name)) WHERE status = 'active'",
    );
    this.addSql(`
      CREATE TABLE topic_members (
        topic_id   uuid NOT NULL,
        user_id    uuid NOT NULL,
        joined_at  timestamptz NOT NULL,
        PRIMARY KEY (topic_id, user_id)
      )`);
    this.addSql('CREATE INDEX topic_members_user ON topic_members (user_id)');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE topic_members');
    this.addSql('DROP TABLE topics');
  }
}
