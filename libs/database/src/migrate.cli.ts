import { DatabaseConfig, loadConfig, readEnvironment } from '../../config/src';
import { migrate } from './migrate';

/** `npm run migrate`: applies pending migrations to DATABASE_URL and exits. */
async function main(): Promise<void> {
  const [database] = loadConfig(readEnvironment(), [DatabaseConfig]);
  const applied = await migrate(database.url);
  process.stdout.write(
    applied.length === 0 ? 'Schema is up to date\n' : `Applied: ${applied.join(', ')}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
