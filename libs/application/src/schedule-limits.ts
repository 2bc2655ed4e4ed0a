import type { ApiConfig } from '../../config/src/config';
import type { ScheduleLimits } from '../../domain/src/scheduled-message';
import type { SeriesLimits } from '../../domain/src/series';

const DAY_MS = 86_400_000;

/**
 * What one message may hold and how far ahead it may be scheduled or moved, as configured
 * (MAX_FILES_PER_MESSAGE, MAX_FILE_SIZE_BYTES, MAX_RECIPIENTS_PER_MESSAGE, SCHEDULE_HORIZON_DAYS),
 * at `now`.
 */
export function scheduleLimits(config: ApiConfig, now: Date): ScheduleLimits {
  return {
    maxCount: config.maxFilesPerMessage,
    maxBytes: config.maxFileBytes,
    maxRecipients: config.maxRecipientsPerMessage,
    latest: new Date(now.getTime() + config.scheduleHorizonDays * DAY_MS),
  };
}

/** What a series may hold: as a message, without a horizon (occurrences are planned one at a time). */
export function seriesLimits(config: ApiConfig): SeriesLimits {
  return {
    maxCount: config.maxFilesPerMessage,
    maxBytes: config.maxFileBytes,
    maxRecipients: config.maxRecipientsPerMessage,
  };
}
