import { Migration } from '@mikro-orm/migrations';

/** Albums: send options kept before them send each file on its own, as their events now upcast. */
export class Migration20261215000000_Albums extends Migration {
  override async up(): Promise<void> {
    for (const table of ['messages', 'series']) {
      this.addSql(
        `UPDATE ${table} SET send_options = send_options || '{"asAlbum": false}'::jsonb
          WHERE send_options IS NOT NULL AND NOT send_options ? 'asAlbum'`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const table of ['messages', 'series']) {
      this.addSql(`UPDATE ${table} SET send_options = send_options - 'asAlbum'`);
    }
  }
}
