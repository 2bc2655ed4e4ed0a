import { DomainError, DomainErrorCode } from './errors';

// YYYY-MM-DD, optionally followed by a time with optional seconds/fraction and zone.
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses an ISO 8601 timestamp strictly: impossible dates (2026-02-30) and times (25:00) are
 * refused instead of being rolled over as `Date` would. A timestamp without a zone is UTC, as the
 * seed's API documented.
 */
export function parseIsoTimestamp(raw: string, field = 'scheduled_timestamp'): Date {
  const text = raw.trim();
  const match = ISO_8601.exec(text);
  const invalid = () =>
    new DomainError(
      DomainErrorCode.InvalidTimestamp,
      `${field} must be an ISO 8601 timestamp such as 2030-01-31T09:30:00Z; got '${truncate(raw)}'`,
      { field },
    );
  if (!match) throw invalid();
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw invalid();
  if (hour > 23 || minute > 59 || second > 59) throw invalid();
  const millis = Math.floor(Number(`0.${frac || '0'}`) * 1000);
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = Number(digits.slice(2, 4));
    if (offsetHours > 14 || offsetMins > 59) throw invalid();
    offsetMinutes = sign * (offsetHours * 60 + offsetMins);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  return new Date(utc);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function truncate(value: string, max = 64): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
