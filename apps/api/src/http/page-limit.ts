import { ApiError } from './api-error';

/** A route's `limit`: `fallback` when absent, else a whole number from 1 to `max` (INVALID_LIMIT). */
export function pageLimit(raw: string | undefined, fallback: number, max: number): number {
  const limit = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new ApiError('INVALID_LIMIT', `limit must be a whole number from 1 to ${max}`);
  }
  return limit;
}
