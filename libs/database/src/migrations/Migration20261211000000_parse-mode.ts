import { Migration } from '@mikro-orm/migrations';

/**
 * Parse modes, delete_after and send_as: send options kept before them read their text as plain,
 * keep the message and send files as documents, as the events they were projected from now upcast.
 */
export class Migration20261211000000_ParseMode extends Migration {
  override async up(): Promise<void> {
    for (const table of ['messages', 'series']) {
      this.addSql(
        `UPDATE ${table} SET send_options = send_options || '{"parseMode": "plain", "deleteAfter": null, "sendAs": "documents"}'::jsonb
          WHERE send_options IS NOT NULL AND NOT send_options ? 'parseMode'`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const table of ['messages', 'series']) {
      this.addSql(
        `UPDATE ${table} SET send_options = send_options - 'parseMode' - 'deleteAfter' - 'sendAs'`,
      );
    }
  }
}
