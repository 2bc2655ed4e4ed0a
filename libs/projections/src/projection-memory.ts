import type { StoredEvent } from '../../event-store/src/event-store';
import {
  type AnyTable,
  EVENT_POSITION,
  isEventTimeNotBefore,
  EVENT_TIME,
  keyString,
  type Projection,
} from './projection';

type Row = Record<string, unknown>;

/**
 * A projection's tables in memory, the rows keyed as the tables are, with the tables' column
 * names; times as ISO 8601. A replay folds the log into them (millions of events: rows are
 * changed in place) and loads them into new tables.
 */
export class MemoryTables {
  private readonly rowsByTable = new Map<AnyTable, Map<string, Row>>();
  private readonly values = new EventValues();

  constructor(readonly projection: Projection) {
    for (const table of projection.tables) this.rowsByTable.set(table, new Map());
  }

  /** Applies the event's changes; names the rows it changed in `touched`, when given. */
  apply(event: StoredEvent, touched?: TouchedRows): void {
    const values = this.values.of(event);
    for (const change of this.projection.changesOf(event)) {
      const rows = this.rowsByTable.get(change.table)!;
      switch (change.kind) {
        case 'insert':
          for (const written of change.rows) {
            const row = resolved(written, values);
            const key = keyString(change.table, row);
            const known = rows.get(key);
            if (known && change.onConflict === 'ignore') {
              // The row there stays.
            } else {
              const { onConflict } = change;
              if (known && typeof onConflict === 'object')
                for (const column of onConflict.keep) row[column] = known[column];
              rows.set(key, row);
            }
            touched?.add(change.table, keyOf(change.table, row));
          }
          break;
        case 'insertEach':
          change.values.forEach((value, index) => {
            const row = resolved(
              {
                ...change.row,
                [change.each]: value,
                [change.ordinal.column]: change.ordinal.first + index,
              },
              values,
            );
            rows.set(keyString(change.table, row), row);
            touched?.add(change.table, keyOf(change.table, row));
          });
          break;
        case 'update': {
          const row = rows.get(keyString(change.table, change.key));
          if (row) {
            for (const column in change.set) row[column] = values.value(change.set[column]);
          }
          touched?.add(change.table, change.key);
          break;
        }
        case 'delete':
          rows.delete(keyString(change.table, change.key));
          touched?.add(change.table, change.key);
          break;
      }
    }
  }

  rows(table: AnyTable): Iterable<Row> {
    return this.rowsByTable.get(table)!.values();
  }

  row(table: AnyTable, key: string): Row | undefined {
    return this.rowsByTable.get(table)!.get(key);
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

/**
 * The row with the event's own values in place. A replay folds millions of events, so the row a
 * change wrote becomes the table's row (changesOf makes new rows at every call): no copy.
 */
function resolved(written: Readonly<Record<string, unknown>>, values: EventValues): Row {
  const row = written as Row;
  for (const column in row) row[column] = values.value(row[column]);
  return row;
}

/**
 * The current event's own values as rows hold them; its time rendered once, however often a
 * change writes it. One per fold, moved on to each event in turn.
 */
class EventValues {
  private event: StoredEvent | undefined;
  private time: string | undefined;

  of(event: StoredEvent): this {
    this.event = event;
    this.time = undefined;
    return this;
  }

  value(written: unknown): unknown {
    if (written === EVENT_TIME) return (this.time ??= this.event!.recordedAt.toISOString());
    if (written === EVENT_POSITION) return this.event!.position;
    if (isEventTimeNotBefore(written)) {
      const recorded = this.event!.recordedAt.getTime();
      return new Date(Math.max(recorded, Date.parse(written.eventTimeNotBefore))).toISOString();
    }
    return written;
  }
}
