import { Migration } from '@mikro-orm/migrations';

/**
 * Parse modes and delete_after: send options kept before them read their text as plain and keep
 * the message, as the events they were projected from now upcast.
 */
export class Migration20261211000000_ParseMode extends Migration {
  override async up(): Promise<void> {
    for (const table of ['messages', 'series']) {
      this.addSql(
        `UPDATE ${table} SET send_options = send_options || '{"parseMode": "plain", "deleteAfter": null}'::jsonb
          WHERE send_options IS NOT NULL AND NOT send_options ? 'parseMode'`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const table of ['messages', 'series']) {
      this.addSql(`UPDATE ${table} SET send_options = send_options - 'parseMode' - 'deleteAfter'`);
    }
  }
}
