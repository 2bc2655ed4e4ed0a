import { randomUUID } from 'node:crypto';
import type { SeriesRule } from '../../../domain/src/events';
import type { Planning } from '../../../domain/src/series';
import { scheduleOf } from './series-rule';

/**
 * What a series decision plans with: the time, the rule evaluated, the grace period for
 * occurrences found late, and new message ids. A rule already accepted is planned as it was
 * accepted (no frequency check); one a client gives now is checked against the minimum.
 */
export function planningFor(
  rule: SeriesRule,
  now: Date,
  options: { readonly graceSeconds: number; readonly minIntervalMinutes?: number },
): Planning {
  return {
    now,
    schedule: scheduleOf(rule, options.minIntervalMinutes ?? 0),
    graceMs: options.graceSeconds * 1000,
    newMessageId: randomUUID,
  };
}
