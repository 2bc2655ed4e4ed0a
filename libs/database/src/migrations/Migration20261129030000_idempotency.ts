import { Migration } from '@mikro-orm/migrations';

/**
 * Idempotency keys of POST requests, per API key: the request's fingerprint and, once handled,
 * the answer to give a retry. `locked_until` frees a key whose first request died in flight.
 */
export class Migration20261129030000_Idempotency extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE idempotency_keys (
        scope            text NOT NULL,
        key              text NOT NULL,
        fingerprint      text NOT NULL,
        state            text NOT NULL CHECK (state IN ('in_flight', 'done')),
        response_status  integer,
        response_body    json,
        locked_until     timestamptz NOT NULL,
        expires_at       timestamptz NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, key)
      )`);
    this.addSql('CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at)');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE idempotency_keys');
  }
}
