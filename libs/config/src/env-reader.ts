import { existsSync } from 'node:fs';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The only place that reads the process environment. A `.env` file in the working directory
 * supplies values that the environment does not already set.
 */
export function readEnvironment(envFile = '.env'): Environment {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return { ...process.env };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

interface Option<T> {
  /** What a valid value looks like, quoted in the error message. */
  expected: string;
  default?: T;
}

/** Reads typed values, collecting every problem so that one start reports them all. */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Environment) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  private missing<T>(name: string, option: Option<T>): T {
    if (option.default !== undefined) return option.default;
    this.problems.push(`${name} is not set: expected ${option.expected}`);
    return undefined as T;
  }

  private malformed<T>(name: string, value: string, option: Option<T>, secret = false): T {
    const shown = secret ? '(hidden)' : `'${value}'`;
    this.problems.push(`${name} is ${shown}: expected ${option.expected}`);
    return undefined as T;
  }

  string(name: string, option: Option<string> & { pattern?: RegExp; secret?: boolean }): string {
    const value = this.raw(name);
    if (value === undefined) return this.missing(name, option);
    if (option.pattern && !option.pattern.test(value)) {
      return this.malformed(name, value, option, option.secret);
    }
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  integer(name: string, option: Option<number> & { min: number; max: number }): number {
    const value = this.raw(name);
    if (value === undefined) return this.missing(name, option);
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || parsed < option.min || parsed > option.max) {
      return this.malformed(name, value, option);
    }
    return parsed;
  }

  boolean(name: string, option: Option<boolean>): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return this.missing(name, option);
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no'].includes(value)) return false;
    return this.malformed(name, value, option);
  }

  url(name: string, option: Option<string> & { protocols: string[] }): string {
    const value = this.raw(name);
    if (value === undefined) return this.missing(name, option);
    try {
      const url = new URL(value);
      if (!option.protocols.includes(url.protocol))
        return this.malformed(name, redact(url), option);
      return value;
    } catch {
      return this.malformed(name, '(unparseable)', option);
    }
  }

  oneOf<T extends string>(name: string, values: readonly T[], option: Option<T>): T {
    const value = this.raw(name);
    if (value === undefined) return this.missing(name, option);
    return (values as readonly string[]).includes(value)
      ? (value as T)
      : this.malformed(name, value, option);
  }
}

/** A URL as it may be shown in an error or a log: without its password. */
export function redact(url: URL): string {
  const copy = new URL(url.toString());
  if (copy.password) copy.password = '***';
  return copy.toString();
}
