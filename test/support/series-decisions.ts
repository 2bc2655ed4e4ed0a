import { SubscriberReader } from '../../libs/application/src/ports/subscriber-reader';
import type { SeriesDecisions } from '../../libs/application/src/series/series-decision';
import { planningFor } from '../../libs/application/src/series/series-planning';
import { decideSeries } from '../../libs/domain/src/series';
import type { EventMetadata } from '../../libs/event-store/src/event-store';

/** Subscribers as far as series decisions read them: their own time zones. */
export class SubscriberZones extends SubscriberReader {
  constructor(private readonly zones: ReadonlyMap<string, string> = new Map()) {
    super();
  }
  timeZones = async (userIds: readonly string[]) =>
    new Map([...this.zones].filter(([userId]) => userIds.includes(userId)));
  statuses = unused;
  byUserIds = unused;
  byUserId = unused;
  activeOfChat = unused;
  ofChat = unused;
  active = unused;
  activeIn = unused;
  search = unused;
}

function unused(): never {
  throw new Error('not read by series decisions');
}

/** A rule firing every minute, in a zone with a half-hour offset. */
export const MINUTELY = {
  rrule: 'FREQ=MINUTELY',
  dtstart: '2027-01-04T09:00',
  timeZone: 'Asia/Kolkata',
};

/** Creates a series to one recipient on MINUTELY, as of `now`. */
export async function createMinutelySeries(
  decisions: SeriesDecisions,
  seriesId: string,
  text: string,
  now: Date,
  metadata: EventMetadata,
): Promise<void> {
  await decisions.decide(
    seriesId,
    (state) =>
      decideSeries(
        {
          type: 'CreateSeries',
          seriesId,
          recipients: ['u-1'],
          text,
          attachments: [],
          fromSender: null,
          rule: MINUTELY,
          atRecipientLocalTime: false,
          owner: 'tester',
          recipientStatus: new Map([['u-1', 'active']]),
          limits: { maxRecipients: 10, maxCount: 10, maxBytes: 100 },
          ...planningFor(MINUTELY, now, { graceSeconds: 3600, minIntervalMinutes: 1 }),
        },
        state,
      ),
    metadata,
  );
}
