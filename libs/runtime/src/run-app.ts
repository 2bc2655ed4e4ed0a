import { ConfigError } from '../../config/src/env-reader';

/** Exit code for a configuration error (sysexits' EX_CONFIG): restarting will not help. */
export const EXIT_CONFIG_ERROR = 78;

/** Runs an app's start-up; a configuration error stops it with a message naming the variables. */
export function runApp(name: string, start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(EXIT_CONFIG_ERROR);
    }
    process.stderr.write(
      `${name}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
