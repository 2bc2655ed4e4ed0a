import type { StoredEvent } from '../../event-store/src/event-store';
import type { AppendingEvent } from '../../event-store/src/postgres-event-store';
import type { SqlStatement } from '../../event-store/src/sql-text';
import {
  type AnyTable,
  EVENT_POSITION,
  EVENT_TIME,
  type EventValue,
  isEventTimeNotBefore,
  type Projection,
  type RowChange,
} from './projection';

/**
 * A projection's changes as SQL, one statement per change. Values travel as one JSON parameter
 * read through the table's own row type (`jsonb_populate_record`), so that every column gets
 * its type from the table, as a replay's bulk load does.
 *
 * Two ways to know the event's own values (its recorded time and position):
 * - `inline`, in the append's transaction, before the append has returned them: each statement
 *   finds its event by id among the rows this transaction inserted (an append that inserted
 *   nothing, its version check having failed, writes nothing; an event of the same id stored by
 *   an earlier append is not applied again);
 * - `applied`, for events already stored (a log follower): the values are known.
 */
export function inlineStatements(
  projection: Projection,
  events: readonly AppendingEvent[],
): SqlStatement[] {
  return events.flatMap((event) =>
    projection.changesOf(event).map((change) => statementOf(change, { inline: event.eventId })),
  );
}

export function appliedStatements(
  projection: Projection,
  events: readonly StoredEvent[],
): SqlStatement[] {
  return events.flatMap((event) =>
    projection.changesOf(event).map((change) => statementOf(change, { stored: event })),
  );
}

type Source = { readonly inline: string } | { readonly stored: StoredEvent };

/** The event's row among those this transaction inserted. */
const EVENT_ROW = 'events e WHERE e.event_id = ? AND e.transaction_id = pg_current_xact_id()';

/** As the read models keep a time: to the millisecond, as a JavaScript Date holds it. */
const EVENT_TIME_SQL = "date_trunc('milliseconds', e.recorded_at)";

function statementOf(change: RowChange, source: Source): SqlStatement {
  switch (change.kind) {
    case 'insert':
      return insertStatement(change, source);
    case 'insertEach':
      return insertEachStatement(change, source);
    case 'update': {
      const { values, expressions } = split({ ...change.key, ...change.set }, source);
      const set = Object.keys(change.set)
        .map((column) => `${column} = ${expressions.get(column) ?? `r.${column}`}`)
        .join(', ');
      return from(
        source,
        `UPDATE ${change.table.name} AS target SET ${set}`,
        change.table,
        values,
        'FROM',
      );
    }
    case 'delete': {
      const { values } = split(change.key, source);
      return from(
        source,
        `DELETE FROM ${change.table.name} AS target`,
        change.table,
        values,
        'USING',
      );
    }
  }
}

function insertStatement(
  change: Extract<RowChange, { kind: 'insert' }>,
  source: Source,
): SqlStatement {
  const [first] = change.rows;
  if (!first) throw new Error(`An insert into ${change.table.name} without rows`);
  const columns = Object.keys(first);
  const parts = change.rows.map((row) => split(row, source));
  // One statement for all rows: every row must have the first one's columns, with the event's own
  // values in the same columns, or the select list would be wrong for it.
  const shape = (row: object, expressions: Map<string, string>) =>
    `${Object.keys(row).join()}|${[...expressions.keys()].join()}`;
  const expected = shape(first, parts[0]!.expressions);
  if (change.rows.some((row, n) => shape(row, parts[n]!.expressions) !== expected)) {
    throw new Error(`The rows of an insert into ${change.table.name} differ in shape`);
  }
  const expressions = parts[0]!.expressions;
  const select = columns.map((column) => expressions.get(column) ?? `r.${column}`).join(', ');
  const { table } = change;
  const conflict =
    change.onConflict === 'fail'
      ? ''
      : change.onConflict === 'ignore'
        ? ` ON CONFLICT (${table.key.join(', ')}) DO NOTHING`
        : ` ON CONFLICT (${table.key.join(', ')}) DO UPDATE SET ${columns
            .filter(
              (column) =>
                !table.key.includes(column) &&
                !(change.onConflict as { keep: readonly string[] }).keep.includes(column),
            )
            .map((column) => `${column} = excluded.${column}`)
            .join(', ')}`;
  const rows = `jsonb_populate_recordset(NULL::${table.name}, ?::jsonb) r`;
  const values = JSON.stringify(parts.map((part) => part.values));
  return 'inline' in source
    ? {
        sql: `INSERT INTO ${table.name} (${columns.join(', ')})
              SELECT ${select} FROM ${rows}, ${EVENT_ROW}${conflict}`,
        params: [values, source.inline],
      }
    : {
        sql: `INSERT INTO ${table.name} (${columns.join(', ')}) SELECT ${select} FROM ${rows}${conflict}`,
        params: [values],
      };
}

/**
 * One row per value of the list: the shared row's JSON with the value and its place added, read
 * through the table's row type. The list is one JSON parameter, a value a few bytes.
 */
function insertEachStatement(
  change: Extract<RowChange, { kind: 'insertEach' }>,
  source: Source,
): SqlStatement {
  const { table, each, ordinal } = change;
  const { values, expressions } = split(change.row, source);
  const columns = [...Object.keys(change.row), each, ordinal.column];
  const select = columns.map((column) => expressions.get(column) ?? `r.${column}`).join(', ');
  const rows = `jsonb_array_elements(?::jsonb) WITH ORDINALITY AS list (value, n),
    jsonb_populate_record(NULL::${table.name},
      ?::jsonb || jsonb_build_object('${each}', list.value, '${ordinal.column}', list.n - 1 + ?::int)) r`;
  const params = [JSON.stringify(change.values), JSON.stringify(values), ordinal.first];
  return 'inline' in source
    ? {
        sql: `INSERT INTO ${table.name} (${columns.join(', ')})
              SELECT ${select} FROM ${rows}, ${EVENT_ROW}`,
        params: [...params, source.inline],
      }
    : {
        sql: `INSERT INTO ${table.name} (${columns.join(', ')}) SELECT ${select} FROM ${rows}`,
        params,
      };
}

/** An UPDATE or DELETE of the row whose key the values hold. */
function from(
  source: Source,
  head: string,
  table: AnyTable,
  values: Record<string, unknown>,
  joiner: 'FROM' | 'USING',
): SqlStatement {
  const row = `jsonb_populate_record(NULL::${table.name}, ?::jsonb) r`;
  const match = table.key.map((column) => `target.${column} = r.${column}`).join(' AND ');
  return 'inline' in source
    ? {
        sql: `${head} ${joiner} ${row}, ${EVENT_ROW} AND ${match}`,
        params: [JSON.stringify(values), source.inline],
      }
    : { sql: `${head} ${joiner} ${row} WHERE ${match}`, params: [JSON.stringify(values)] };
}

/**
 * The row's plain values (for the JSON parameter), and SQL expressions for the event's own
 * values: known values when the event is stored, the event row's columns when inline.
 */
function split(
  row: Readonly<Record<string, unknown>>,
  source: Source,
): { values: Record<string, unknown>; expressions: Map<string, string> } {
  const values: Record<string, unknown> = {};
  const expressions = new Map<string, string>();
  for (const [column, value] of Object.entries(row)) {
    if (value !== EVENT_TIME && value !== EVENT_POSITION && !isEventTimeNotBefore(value)) {
      values[column] = value;
    } else if ('inline' in source) {
      expressions.set(column, inlineValue(value));
    } else {
      values[column] = storedValue(value, source.stored);
    }
  }
  return { values, expressions };
}

function inlineValue(value: EventValue): string {
  if (value === EVENT_TIME) return EVENT_TIME_SQL;
  if (value === EVENT_POSITION) return 'e.position';
  return `greatest(${EVENT_TIME_SQL}, '${new Date(value.eventTimeNotBefore).toISOString()}'::timestamptz)`;
}

function storedValue(value: EventValue, event: StoredEvent): string | number {
  if (value === EVENT_TIME) return event.recordedAt.toISOString();
  if (value === EVENT_POSITION) return event.position;
  return new Date(
    Math.max(event.recordedAt.getTime(), Date.parse(value.eventTimeNotBefore)),
  ).toISOString();
}
