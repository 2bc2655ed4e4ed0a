/** One SQL statement and its values, for `?` placeholders in order. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * Statements as one text, their values written in as literals: a multi-statement query is one
 * round trip (and one implicit transaction), and Postgres takes no bound parameters for one.
 *
 * Written here rather than by the ORM's formatter because of memory: the driver's literal quoting
 * builds each string a character at a time, and a resolved audience's append carries megabytes of
 * JSON — a hundred thousand recipients cost over a hundred MiB of heap that way, against the
 * text's own few MiB with one `replaceAll` per string.
 */
export function multiStatementText(statements: readonly SqlStatement[]): string {
  const parts: string[] = [];
  for (const [index, statement] of statements.entries()) {
    if (index > 0) parts.push(';\n');
    const { sql, params } = statement;
    let from = 0;
    let param = 0;
    for (let at = sql.indexOf('?'); at !== -1; at = sql.indexOf('?', from)) {
      if (param >= params.length) throw new Error(`More placeholders than values in: ${sql}`);
      parts.push(sql.slice(from, at), sqlLiteral(params[param++]));
      from = at + 1;
    }
    if (param !== params.length) throw new Error(`More values than placeholders in: ${sql}`);
    parts.push(sql.slice(from));
  }
  return parts.join('');
}

/** A value as a SQL literal, as Postgres's own quoting rules read it back. */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  switch (typeof value) {
    case 'string':
      return quoted(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`No SQL literal for the number ${value}`);
      return String(value);
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value instanceof Date) return quoted(value.toISOString());
      throw new Error('No SQL literal for an object: give its JSON text');
    case 'undefined':
    case 'function':
    case 'symbol':
      break;
  }
  throw new Error(`No SQL literal for a value of type ${typeof value}`);
}

/**
 * A string constant: quotes doubled; with a backslash in it, an escape string (E'…') with the
 * backslashes doubled, which reads the same whatever standard_conforming_strings says.
 */
function quoted(text: string): string {
  const body = text.replaceAll("'", "''");
  return text.includes('\\') ? ` E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}
