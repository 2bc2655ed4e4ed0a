import type { StoredEvent } from '../../event-store/src/event-store';
import {
  type AnyTable,
  EVENT_POSITION,
  EVENT_TIME,
  keyString,
  type Projection,
  type RowChange,
} from './projection';
import { storedValue } from './projection-sql';

type Row = Record<string, unknown>;

/**
 * A projection's tables in memory, the rows keyed as the tables are, with the tables' column
 * names; times as ISO 8601. A replay folds the log into them (millions of events: rows are
 * changed in place) and loads them into new tables.
 */
export class MemoryTables {
  private readonly rowsByTable = new Map<string, Map<string, Row>>();

  constructor(readonly projection: Projection) {
    for (const table of projection.tables) this.rowsByTable.set(table.name, new Map());
  }

  /** Applies the event's changes; names the rows it changed in `touched`, when given. */
  apply(event: StoredEvent, touched?: TouchedRows): void {
    for (const change of this.projection.changesOf(event)) {
      const rows = this.rowsByTable.get(change.table.name)!;
      for (const key of this.applyChange(rows, change, event)) touched?.add(change.table, key);
    }
  }

  rows(table: AnyTable): Iterable<Row> {
    return this.rowsByTable.get(table.name)!.values();
  }

  row(table: AnyTable, key: string): Row | undefined {
    return this.rowsByTable.get(table.name)!.get(key);
  }

  /** Returns the keys (their key columns) of the rows the change concerns. */
  private applyChange(rows: Map<string, Row>, change: RowChange, event: StoredEvent): Row[] {
    switch (change.kind) {
      case 'insert':
        return change.rows.map((written) => {
          const row = resolved(written, event);
          const key = keyString(change.table, row);
          const known = rows.get(key);
          if (!known || change.onConflict === 'fail') rows.set(key, row);
          else if (change.onConflict !== 'ignore') {
            for (const column of change.onConflict.keep) row[column] = known[column];
            rows.set(key, row);
          }
          return keyOf(change.table, row);
        });
      case 'update': {
        const row = rows.get(keyString(change.table, change.key));
        if (row) Object.assign(row, resolved(change.set, event));
        return [change.key];
      }
      case 'delete':
        rows.delete(keyString(change.table, change.key));
        return [change.key];
    }
  }
}

const keyOf = (table: AnyTable, row: Row): Row =>
  Object.fromEntries(table.key.map((column) => [column, row[column]]));

/** Keys of the rows events changed, per table: what a replay writes again for the log's tail. */
export class TouchedRows {
  private readonly keys = new Map<string, Map<string, Readonly<Row>>>();

  add(table: AnyTable, key: Readonly<Row>): void {
    let keys = this.keys.get(table.name);
    if (!keys) this.keys.set(table.name, (keys = new Map<string, Readonly<Row>>()));
    keys.set(keyString(table, key), key);
  }

  /** Each touched row's key, as its key string and as its key columns. */
  of(table: AnyTable): readonly [string, Readonly<Row>][] {
    return [...(this.keys.get(table.name) ?? [])];
  }
}

function resolved(written: Readonly<Record<string, unknown>>, event: StoredEvent): Row {
  const row: Row = {};
  for (const [column, value] of Object.entries(written)) {
    row[column] =
      value === EVENT_TIME || value === EVENT_POSITION ? storedValue(value, event) : value;
  }
  return row;
}
