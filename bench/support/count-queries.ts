/**
 * Loaded into an app with `--require` when BENCH_COUNT_QUERIES names a directory: counts the SQL
 * statements the app sends (by their text, with literals and numbers blanked) and writes the
 * counts, most frequent first, to `<directory>/<app>-<pid>.json` every 5 s. What it measures is
 * round trips: on this machine a statement's socket write costs more than the code around it.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

const directory = process.env.BENCH_COUNT_QUERIES;
if (directory) {
  // Resolved from the app's working directory, as the app resolves it.
  const pg = createRequire(join(process.cwd(), 'package.json'))('pg') as {
    Client: { prototype: { query: (...args: unknown[]) => unknown } };
  };
  const counts = new Map<string, number>();
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const config = args[0];
    const text =
      typeof config === 'string' ? config : (config as { text?: unknown } | undefined)?.text;
    if (typeof text === 'string') {
      const key = text
        .replace(/\s+/g, ' ')
        .replace(/'[^']*'/g, "'?'")
        .replace(/\d+/g, 'N')
        .slice(0, 120);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return query.apply(this, args);
  };
  const app = basename(dirname(dirname(process.argv[1] ?? 'app/src/main.js')));
  const file = join(directory, `${app}-${process.pid}.json`);
  setInterval(() => {
    writeFileSync(
      file,
      JSON.stringify(
        [...counts].sort((a, b) => b[1] - a[1]),
        null,
        1,
      ),
    );
  }, 5000).unref();
}
