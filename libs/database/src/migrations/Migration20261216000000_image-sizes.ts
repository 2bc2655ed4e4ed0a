import { Migration } from '@mikro-orm/migrations';

/**
 * Image sizes: attachments kept before them are images of unknown size (`image: null`), as the
 * events they were projected from now upcast.
 */
export class Migration20261216000000_ImageSizes extends Migration {
  override async up(): Promise<void> {
    for (const table of ['messages', 'series']) {
      this.addSql(
        `UPDATE ${table} SET attachments = (
           SELECT coalesce(jsonb_agg(attachment || '{"image": null}'::jsonb ORDER BY n), '[]'::jsonb)
             FROM jsonb_array_elements(attachments) WITH ORDINALITY AS list (attachment, n))
          WHERE jsonb_typeof(attachments) = 'array'
            AND EXISTS (SELECT 1 FROM jsonb_array_elements(attachments) AS a (attachment)
                         WHERE NOT attachment ? 'image')`,
      );
    }
  }

  override async down(): Promise<void> {
    for (const table of ['messages', 'series']) {
      this.addSql(
        `UPDATE ${table} SET attachments = (
           SELECT coalesce(jsonb_agg(attachment - 'image' ORDER BY n), '[]'::jsonb)
             FROM jsonb_array_elements(attachments) WITH ORDINALITY AS list (attachment, n))
          WHERE jsonb_typeof(attachments) = 'array'`,
      );
    }
  }
}
