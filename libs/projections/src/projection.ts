import type { DomainEvent } from '../../domain/src/events';

/**
 * A projection is defined once: its tables, and for each event the changes it makes to their rows.
 * The same definition is applied two ways: as SQL (projection-sql.ts), in the append's
 * transaction or by a log follower, and in memory for a replay (projection-memory.ts). Adding an
 * event type means teaching each projection's `changesOf` about it, and nothing else.
 */
export interface Projection {
  /** Also the name a replay is asked for by. */
  readonly name: string;
  readonly tables: readonly AnyTable[];
  /** New change objects at every call: appliers may take their rows as they are. */
  changesOf(event: DomainEvent): readonly RowChange[];
}

/** A table of a projection: its name, and the columns of its primary key. */
export interface Table<Row extends object, Key extends keyof Row & string> {
  readonly name: string;
  readonly key: readonly Key[];
  /** Only for the type: the table's rows. */
  readonly row?: Row;
}

/** Any table, as changes carry it. */
export interface AnyTable {
  readonly name: string;
  readonly key: readonly string[];
}

/** The event's recorded time (to the millisecond, as a JavaScript Date holds it). */
export const EVENT_TIME: unique symbol = Symbol('the event’s recorded time');
/** The event's global position. */
export const EVENT_POSITION: unique symbol = Symbol('the event’s position');
/**
 * Values only the stored event knows: an append learns them from its own insert, in the same
 * statement that writes the row; a replay reads them from the event.
 */
export type EventValue = typeof EVENT_TIME | typeof EVENT_POSITION | EventTimeNotBefore;

/** The event's recorded time, or the given time if that is later. */
export interface EventTimeNotBefore {
  readonly eventTimeNotBefore: string;
}

/** The event's recorded time, or `at` (an ISO 8601 time) if that is later. */
export function eventTimeNotBefore(at: string): EventTimeNotBefore {
  // Re-formatted: only digits and the ISO separators, safe to write into SQL as a literal.
  return { eventTimeNotBefore: new Date(at).toISOString() };
}

export function isEventTimeNotBefore(value: unknown): value is EventTimeNotBefore {
  return typeof value === 'object' && value !== null && 'eventTimeNotBefore' in value;
}

/** A row as a change writes it: any column may take one of the event's own values. */
export type Written<Row> = { readonly [K in keyof Row]: Row[K] | EventValue };

export type RowChange =
  | {
      readonly kind: 'insert';
      readonly table: AnyTable;
      readonly rows: readonly Readonly<Record<string, unknown>>[];
      /**
       * When a row with the same key exists: `fail` (it cannot), `ignore` the new row, or
       * replace it but `keep` these columns of the existing one.
       */
      readonly onConflict: 'fail' | 'ignore' | { readonly keep: readonly string[] };
    }
  | {
      /**
       * One new row per value of a list, the rows alike but for two columns: `each` takes the
       * value, `ordinal` its place in the list counted from `first`. The list travels once, not
       * as a row per value (a resolved audience holds a thousand recipients a part).
       */
      readonly kind: 'insertEach';
      readonly table: AnyTable;
      readonly row: Readonly<Record<string, unknown>>;
      readonly each: string;
      readonly values: readonly unknown[];
      readonly ordinal: { readonly column: string; readonly first: number };
    }
  | {
      readonly kind: 'update';
      readonly table: AnyTable;
      /** The key columns of the row; a row that is not there is left alone. */
      readonly key: Readonly<Record<string, unknown>>;
      readonly set: Readonly<Record<string, unknown>>;
    }
  | {
      readonly kind: 'delete';
      readonly table: AnyTable;
      readonly key: Readonly<Record<string, unknown>>;
    };

/** No change: most events leave most tables alone (one shared, frozen list, not one per event). */
export const NO_CHANGE: readonly RowChange[] = Object.freeze([]);

/** New rows; there is none with their key (the log guarantees it). */
export const insert = <Row extends object, Key extends keyof Row & string>(
  table: Table<Row, Key>,
  ...rows: Written<Row>[]
): RowChange => ({ kind: 'insert', table, rows, onConflict: 'fail' });

/** A new row, unless one with its key is there already. */
export const insertIfAbsent = <Row extends object, Key extends keyof Row & string>(
  table: Table<Row, Key>,
  row: Written<Row>,
): RowChange => ({ kind: 'insert', table, rows: [row], onConflict: 'ignore' });

/**
 * A new row for each value, the value in column `each` and its place in column `ordinal` (from
 * `first`); the other columns as `row` has them. There is none with their keys.
 */
export const insertEach = <
  Row extends object,
  Key extends keyof Row & string,
  Each extends keyof Row & string,
  Ordinal extends keyof Row & string,
>(
  table: Table<Row, Key>,
  row: Written<Omit<Row, Each | Ordinal>>,
  each: Each,
  values: readonly Row[Each][],
  ordinal: { readonly column: Ordinal; readonly first: number },
): RowChange => ({ kind: 'insertEach', table, row, each, values, ordinal });

/** A row, replacing one with its key but for the columns to keep. */
export const upsert = <Row extends object, Key extends keyof Row & string>(
  table: Table<Row, Key>,
  row: Written<Row>,
  keep: readonly (keyof Row & string)[],
): RowChange => ({ kind: 'insert', table, rows: [row], onConflict: { keep } });

/** Changes the row with this key, if there is one. */
export const update = <Row extends object, Key extends keyof Row & string>(
  table: Table<Row, Key>,
  key: Pick<Row, Key>,
  set: Partial<Written<Omit<Row, Key>>>,
): RowChange => ({ kind: 'update', table, key, set });

export const remove = <Row extends object, Key extends keyof Row & string>(
  table: Table<Row, Key>,
  key: Pick<Row, Key>,
): RowChange => ({ kind: 'delete', table, key });

/** A row's key as one string: how the memory tables and a replay's record of touched rows name it. */
export function keyString(table: AnyTable, row: Readonly<Record<string, unknown>>): string {
  const { key } = table;
  let text = String(row[key[0]!]);
  for (let column = 1; column < key.length; column++) text += `/${String(row[key[column]!])}`;
  return text;
}
