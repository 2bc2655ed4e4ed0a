import { Injectable } from '@nestjs/common';
import { messageStreamId, type SeriesEvent, seriesStreamId } from '../../../domain/src/events';
import { decideScheduledMessage } from '../../../domain/src/scheduled-message';
import {
  evolveSeries,
  type PlannedOccurrence,
  type Series,
  type SeriesState,
} from '../../../domain/src/series';
import {
  type EventMetadata,
  EventStore,
  StreamVersionConflictError,
} from '../../../event-store/src/event-store';
import { loadMessage } from '../message-stream';
import {
  type LoadedSeries,
  loadManySeries,
  loadSeries,
  SERIES_SNAPSHOT_SHAPE,
  type SeriesSnapshotState,
} from './series-stream';
import { SnapshotStore } from '../ports/snapshot-store';
import { SubscriberReader } from '../ports/subscriber-reader';

export interface SeriesDecision {
  /** The series after the decision. */
  readonly state: SeriesState;
  /** What was appended (empty when the decision changed nothing). */
  readonly events: readonly SeriesEvent[];
}

/**
 * Decides a command on a series: gets the series and its recipients' own zones (read for a
 * series at each recipient's local time, and when the options ask).
 */
export type SeriesDecider = (
  state: SeriesState,
  recipientZones: ReadonlyMap<string, string>,
) => SeriesEvent[];
/** The metadata of what a decision appends, or how to make it from the series' correlation id. */
type MetadataOf =
  EventMetadata | ((correlationId: string | undefined, seriesId: string) => EventMetadata);
interface DecideOptions {
  /** Repair the planned occurrences' messages before deciding (the planner does). */
  readonly repairFirst?: boolean;
  /** Recipients whose zones `decide` needs besides the series' own (a change to local time). */
  readonly zonesOf?: readonly string[];
}

/** Snapshots are saved every so many events of a series. */
const SNAPSHOT_EVERY = 20;

/**
 * Decides commands on series: decides a command on a series, appends the events at the version read, and then makes the
 * messages follow: each OccurrencePlanned becomes its message (MessageScheduled), each message let
 * go of is cancelled. The two streams are written one after the other, so every step is made
 * safe to repeat: scheduling a message that exists, or cancelling one that is no longer pending,
 * changes nothing. A decision that appends nothing (a retried request) repairs what an earlier
 * one may have left half done; so does the planner, before each planning, for the occurrences
 * planned (see `repairPlanned`).
 */
@Injectable()
export class SeriesDecisions {
  constructor(
    private readonly store: EventStore,
    private readonly snapshots: SnapshotStore,
    private readonly subscribers: SubscriberReader,
  ) {}

  /** Decides on one series (see `SeriesDecider`) and makes its messages follow. */
  async decide(
    seriesId: string,
    decide: SeriesDecider,
    metadataOf: MetadataOf,
    options: DecideOptions = {},
  ): Promise<SeriesDecision> {
    const loaded = await loadSeries(this.store, this.snapshots, seriesId);
    const recipientZones = await this.recipientZones([loaded.state], options);
    return this.decideLoaded(seriesId, loaded, recipientZones, decide, metadataOf, options);
  }

  /**
   * Decides on several series together, as `decide` does on one, for the planner: their
   * snapshots and streams are read in one query each, the recipients' zones in one, the planned
   * occurrences' messages (for the repair) in one; the appends go at once and share commits. Each
   * series' outcome is its own: one that fails (a conflict with another scheduler) leaves the
   * others decided.
   */
  async decideMany(
    seriesIds: readonly string[],
    decide: (seriesId: string) => SeriesDecider,
    metadataOf: MetadataOf,
    options: DecideOptions = {},
  ): Promise<ReadonlyMap<string, PromiseSettledResult<SeriesDecision>>> {
    const loaded = await loadManySeries(this.store, this.snapshots, seriesIds);
    const states = [...loaded.values()].map((series) => series.state);
    const recipientZones = await this.recipientZones(states, options);
    const scheduled = options.repairFirst ? await this.scheduledOf(states) : undefined;
    const decided = await Promise.allSettled(
      [...loaded].map(([seriesId, series]) =>
        this.decideLoaded(seriesId, series, recipientZones, decide(seriesId), metadataOf, {
          ...options,
          scheduled,
        }),
      ),
    );
    return new Map([...loaded.keys()].map((seriesId, index) => [seriesId, decided[index]!]));
  }

  /**
   * The zones of the recipients of series at each recipient's local time, and of those the
   * options name (`zonesOf`: a series created or changed to be one, with these recipients too).
   */
  private async recipientZones(
    states: readonly SeriesState[],
    options: DecideOptions,
  ): Promise<ReadonlyMap<string, string>> {
    const zonesOf = new Set(options.zonesOf ?? []);
    for (const state of states) {
      if (state.status !== 'none' && (state.atRecipientLocalTime || options.zonesOf)) {
        for (const recipient of state.recipients) zonesOf.add(recipient);
      }
    }
    return zonesOf.size > 0 ? this.subscribers.timeZones([...zonesOf]) : new Map();
  }

  /** Which of the series' planned occurrences have their message (their streams), in one read. */
  private async scheduledOf(states: readonly SeriesState[]): Promise<ReadonlySet<string>> {
    const messageIds = states.flatMap((state) =>
      state.status === 'none' ? [] : state.planned.map((planned) => planned.messageId),
    );
    const scheduled = await this.store.readStreamsOfType(messageIds.map(messageStreamId), [
      'MessageScheduled',
    ]);
    return new Set(scheduled.map((event) => event.streamId));
  }

  private async decideLoaded(
    seriesId: string,
    loaded: LoadedSeries,
    recipientZones: ReadonlyMap<string, string>,
    decide: SeriesDecider,
    metadataOf: MetadataOf,
    options: DecideOptions & { readonly scheduled?: ReadonlySet<string> },
  ): Promise<SeriesDecision> {
    const store = this.store;
    const { state, version } = loaded;
    const metadata =
      typeof metadataOf === 'function' ? metadataOf(loaded.correlationId, seriesId) : metadataOf;
    const repair = async (series: Series) =>
      repairPlanned(
        store,
        series,
        metadata,
        options.scheduled ?? (await this.scheduledOf([series])),
      );
    if (options.repairFirst && state.status !== 'none') await repair(state);
    const events = decide(state, recipientZones);
    if (events.length === 0) {
      if (state.status !== 'none') {
        if (!options.repairFirst) await repair(state);
        await cancelReleased(store, state.released, metadata);
      }
      return { state, events };
    }
    const appended = await store.append(seriesStreamId(seriesId), events, {
      expectedVersion: version,
      metadata,
    });
    const after = events.reduce(evolveSeries, state);
    if (after.status === 'none') return { state: after, events };
    await this.snapshotIfDue(seriesId, loaded, appended.streamVersion, after, metadata);
    for (const event of events) {
      const released = 'released' in event.data ? event.data.released : [];
      await cancelReleased(store, released, metadata);
    }
    for (const [n, event] of events.entries()) {
      if (event.type !== 'OccurrencePlanned') continue;
      const planned = after.planned.find((entry) => entry.messageId === event.data.messageId);
      if (planned) {
        await scheduleOccurrence(store, after, planned, {
          ...metadata,
          causationId: appended.events[n]?.eventId ?? metadata.causationId,
        });
      }
    }
    return { state: after, events };
  }

  /** A snapshot now and then; failing to save one only makes the next load read more. */
  private async snapshotIfDue(
    seriesId: string,
    loaded: LoadedSeries,
    version: number,
    state: SeriesState,
    metadata: EventMetadata,
  ): Promise<void> {
    if (version - loaded.snapshotVersion < SNAPSHOT_EVERY) return;
    await this.snapshots
      .save<SeriesSnapshotState>(seriesStreamId(seriesId), SERIES_SNAPSHOT_SHAPE, {
        version,
        state: { series: state, correlationId: loaded.correlationId ?? metadata.correlationId },
      })
      .catch(() => undefined);
  }
}

/**
 * Every planned occurrence has its message (one a crash left unscheduled is scheduled now);
 * `scheduled` holds the message streams that exist (read for one series or for a batch).
 */
async function repairPlanned(
  store: EventStore,
  series: Series,
  metadata: EventMetadata,
  scheduled: ReadonlySet<string>,
): Promise<void> {
  for (const planned of series.planned) {
    if (!scheduled.has(messageStreamId(planned.messageId))) {
      await scheduleOccurrence(store, series, planned, metadata);
    }
  }
}

async function scheduleOccurrence(
  store: EventStore,
  series: Series,
  planned: PlannedOccurrence,
  metadata: EventMetadata,
): Promise<void> {
  const events = decideScheduledMessage(
    {
      type: 'ScheduleOccurrence',
      messageId: planned.messageId,
      recipients: planned.recipients ?? series.recipients,
      text: planned.text,
      scheduledAt: new Date(planned.scheduledAt),
      attachments: series.attachments,
      fromSender: series.fromSender,
      series: { seriesId: series.seriesId, occurrenceAt: planned.occurrence.at },
      audience: series.audience,
      sendOptions: series.sendOptions,
      buttons: series.buttons,
    },
    { status: 'none' },
  );
  try {
    await store.append(messageStreamId(planned.messageId), events, {
      expectedVersion: 'no_stream',
      metadata,
    });
  } catch (error) {
    // Scheduled already (a repeated step): nothing to do.
    if (!(error instanceof StreamVersionConflictError)) throw error;
  }
}

/**
 * Cancels the messages a series let go of, where they are still pending; one already due (or
 * gone) is left as it is. A race with the scheduler marking it due is read again and decided anew.
 */
async function cancelReleased(
  store: EventStore,
  messageIds: readonly string[],
  metadata: EventMetadata,
): Promise<void> {
  for (const messageId of messageIds) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const { state, version } = await loadMessage(store, messageId);
      if (state.status !== 'scheduled') break;
      try {
        await store.append(
          messageStreamId(messageId),
          decideScheduledMessage({ type: 'CancelMessage', messageId }, state),
          { expectedVersion: version, metadata },
        );
        break;
      } catch (error) {
        if (!(error instanceof StreamVersionConflictError)) throw error;
      }
    }
  }
}
