import { randomUUID } from 'node:crypto';
import { DomainError, DomainErrorCode } from '../../../domain/src/errors';
import type { SeriesRule } from '../../../domain/src/events';
import type { Planning } from '../../../domain/src/series';
import { scheduleOf } from './series-rule';

/**
 * What a series decision plans with: the time, the rule evaluated, the grace period for
 * occurrences found late, new message ids and the recipients' own zones. A rule already accepted
 * is planned as it was accepted (no frequency check); one a client gives now is checked against
 * the minimum, and, for a series at each recipient's local time, for a time of day.
 */
export function planningFor(
  rule: SeriesRule,
  now: Date,
  options: {
    readonly graceSeconds: number;
    readonly minIntervalMinutes?: number;
    readonly atRecipientLocalTime?: boolean;
    readonly recipientZones?: ReadonlyMap<string, string>;
  },
): Planning {
  const schedule = scheduleOf(rule, options.minIntervalMinutes ?? 0);
  if (options.atRecipientLocalTime === true && !schedule.keepsTimeOfDay) {
    throw new DomainError(
      DomainErrorCode.LocalTimeNeedsDailyRule,
      'at_recipient_local_time needs a rule with a time of day (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY): an hourly or minutely rule comes at the same moment in every zone',
      { field: 'at_recipient_local_time' },
    );
  }
  return {
    now,
    schedule,
    graceMs: options.graceSeconds * 1000,
    newMessageId: randomUUID,
    recipientZones: options.recipientZones ?? new Map(),
  };
}
