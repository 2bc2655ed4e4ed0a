import { DomainError, DomainErrorCode } from '../../../domain/src/errors';
import { isSeriesEvent, seriesStreamId } from '../../../domain/src/events';
import { evolveSeries, initialSeriesState, type SeriesState } from '../../../domain/src/series';
import type { EventStore } from '../../../event-store/src/event-store';
import type { SnapshotStore } from '../ports/snapshot-store';
import { isUuid } from '../uuid';

export interface LoadedSeries {
  readonly state: SeriesState;
  readonly version: number;
  /** The correlation id of the request that created the series: its planning goes on under it. */
  readonly correlationId: string | undefined;
  /** The version of the snapshot the load started from (0: none). */
  readonly snapshotVersion: number;
}

/** The series' state as a snapshot keeps it; a new shape when SeriesState changes form. */
export const SERIES_SNAPSHOT_SHAPE = 'series-state-2';
export interface SeriesSnapshotState {
  readonly series: SeriesState;
  readonly correlationId: string | undefined;
}

export const seriesNotFound = (seriesId: string): DomainError =>
  new DomainError(DomainErrorCode.SeriesNotFound, `No series with id ${seriesId}`, { seriesId });

/**
 * Folds a series' stream into its state, with the version to append at: from its latest
 * snapshot on, so that the load costs the same after a thousand occurrences as after one.
 */
export async function loadSeries(
  store: EventStore,
  snapshots: SnapshotStore,
  seriesId: string,
): Promise<LoadedSeries> {
  if (!isUuid(seriesId)) throw seriesNotFound(seriesId);
  const streamId = seriesStreamId(seriesId);
  const snapshot = await snapshots.load<SeriesSnapshotState>(streamId, SERIES_SNAPSHOT_SHAPE);
  const events = await store.readStream(
    streamId,
    snapshot ? { afterVersion: snapshot.version, limit: 2_147_483_647 } : undefined,
  );
  let state = snapshot?.state.series ?? initialSeriesState;
  for (const event of events) {
    if (!isSeriesEvent(event)) {
      throw new Error(
        `Event ${event.eventId} of type ${event.type} in series stream ${event.streamId}`,
      );
    }
    state = evolveSeries(state, event);
  }
  return {
    state,
    version: events.at(-1)?.streamVersion ?? snapshot?.version ?? 0,
    correlationId: snapshot?.state.correlationId ?? events[0]?.metadata.correlationId,
    snapshotVersion: snapshot?.version ?? 0,
  };
}
