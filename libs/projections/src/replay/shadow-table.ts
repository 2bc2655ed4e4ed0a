import type { EntityManager } from '@mikro-orm/postgresql';

/** Rows written per statement: one JSON parameter each. */
const INSERT_CHUNK = 5_000;

interface IndexShape {
  readonly name: string;
  readonly definition: string;
  readonly primary: boolean;
}

/**
 * A table rebuilt beside the live one and swapped in: `<table>__replay`, with the live table's
 * columns, defaults and checks, loaded without indexes (faster), then given the live table's
 * indexes under temporary names. The swap drops the live table and renames the shadow, its
 * indexes and its primary key to the live names, so that the schema is as migrations left it.
 */
export class ShadowTable {
  readonly shadow: string;
  private indexes: IndexShape[] = [];
  private foreignKeys: { name: string; definition: string }[] = [];
  private key: string[] = [];

  constructor(readonly table: string) {
    this.shadow = `${table}__replay`;
  }

  /** Reads the live table's shape and creates the empty shadow (dropping one a crash left). */
  async create(em: EntityManager): Promise<void> {
    this.indexes = (
      await em.execute<{ name: string; definition: string; primary: boolean }[]>(
        `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition, i.indisprimary AS primary
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          WHERE i.indrelid = ?::regclass`,
        [this.table],
      )
    ).map((index) => ({ ...index }));
    this.key = (
      await em.execute<{ column: string }[]>(
        `SELECT a.attname AS column
           FROM pg_index i
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
          WHERE i.indrelid = ?::regclass AND i.indisprimary
          ORDER BY array_position(i.indkey, a.attnum)`,
        [this.table],
      )
    ).map((row) => row.column);
    this.foreignKeys = await em.execute<{ name: string; definition: string }[]>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS definition
         FROM pg_constraint WHERE conrelid = ?::regclass AND contype = 'f'`,
      [this.table],
    );
    await em.execute(`DROP TABLE IF EXISTS ${this.shadow}`);
    await em.execute(
      `CREATE TABLE ${this.shadow} (LIKE ${this.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
    );
  }

  /** Writes rows (objects keyed by column name) through the table's own row type. */
  async insert(em: EntityManager, rows: Iterable<object>): Promise<number> {
    let chunk: object[] = [];
    let written = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      await em.execute(
        `INSERT INTO ${this.shadow} SELECT * FROM jsonb_populate_recordset(NULL::${this.shadow}, ?::jsonb)`,
        [JSON.stringify(chunk)],
      );
      written += chunk.length;
      chunk = [];
    };
    for (const row of rows) {
      chunk.push(row);
      if (chunk.length === INSERT_CHUNK) await flush();
    }
    await flush();
    return written;
  }

  /** Replaces the rows with these keys (objects holding the key columns) by `rows`. */
  async replace(
    em: EntityManager,
    keys: readonly object[],
    rows: readonly object[],
  ): Promise<void> {
    if (keys.length > 0) {
      const match = this.key.map((column) => `s.${column} = k.${column}`).join(' AND ');
      await em.execute(
        `DELETE FROM ${this.shadow} s
          USING jsonb_populate_recordset(NULL::${this.shadow}, ?::jsonb) k
          WHERE ${match}`,
        [JSON.stringify(keys)],
      );
    }
    await this.insert(em, rows);
  }

  /** Builds the live table's indexes on the shadow, under temporary names. */
  async index(em: EntityManager): Promise<void> {
    for (const index of this.indexes) {
      await em.execute(this.onShadow(index));
      if (index.primary) {
        await em.execute(
          `ALTER TABLE ${this.shadow} ADD CONSTRAINT ${index.name}__replay PRIMARY KEY USING INDEX ${index.name}__replay`,
        );
      }
    }
    await em.execute(`ANALYZE ${this.shadow}`);
  }

  /** After the live tables were dropped: the shadow takes the live table's names. */
  async rename(em: EntityManager): Promise<void> {
    await em.execute(`ALTER TABLE ${this.shadow} RENAME TO ${this.table}`);
    for (const index of this.indexes) {
      await em.execute(
        index.primary
          ? `ALTER TABLE ${this.table} RENAME CONSTRAINT ${index.name}__replay TO ${index.name}`
          : `ALTER INDEX ${index.name}__replay RENAME TO ${index.name}`,
      );
    }
  }

  /**
   * The live table's foreign keys, added NOT VALID (at once, under the swap's lock); checked by
   * validateForeignKeys once the swap has committed, without blocking anyone.
   */
  async addForeignKeys(em: EntityManager): Promise<void> {
    for (const key of this.foreignKeys) {
      await em.execute(
        `ALTER TABLE ${this.table} ADD CONSTRAINT ${key.name} ${key.definition} NOT VALID`,
      );
    }
  }

  async validateForeignKeys(em: EntityManager): Promise<void> {
    for (const key of this.foreignKeys) {
      await em.execute(`ALTER TABLE ${this.table} VALIDATE CONSTRAINT ${key.name}`);
    }
  }

  async drop(em: EntityManager): Promise<void> {
    await em.execute(`DROP TABLE IF EXISTS ${this.shadow}`);
  }

  private onShadow(index: IndexShape): string {
    const renamed = index.definition
      .replace(` INDEX ${index.name} ON `, ` INDEX ${index.name}__replay ON `)
      .replace(new RegExp(` ON (\\w+\\.)?${this.table} `), ` ON $1${this.shadow} `);
    if (renamed === index.definition) throw new Error(`Cannot rebuild index ${index.name}`);
    return renamed;
  }
}
