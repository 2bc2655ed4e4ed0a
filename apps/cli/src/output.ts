import { once } from 'node:events';

/** Writes to stdout, waiting when the reader is slower (a pipe to another tool). */
export async function print(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
}

/** A message for the person at the terminal, kept off stdout so that pipes get data only. */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A usage error: say why, and end with exit code 2. */
export class UsageError extends Error {}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parsePosition(value: string, option: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${option} takes a log position (a whole number)`);
  return Number(value);
}
