import { DomainError, DomainErrorCode } from '../../../domain/src/errors';
import { isSeriesEvent, seriesStreamId } from '../../../domain/src/events';
import { evolveSeries, initialSeriesState, type SeriesState } from '../../../domain/src/series';
import type { EventStore, StoredEvent } from '../../../event-store/src/event-store';
import type { Snapshot, SnapshotStore } from '../ports/snapshot-store';
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
export const SERIES_SNAPSHOT_SHAPE = 'series-state-6';
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
  return folded(snapshot, events);
}

/**
 * Several series at once, as `loadSeries` loads one: their snapshots in one read, the rest of
 * their streams in another. A series that does not exist loads as `none` at version 0.
 */
export async function loadManySeries(
  store: EventStore,
  snapshots: SnapshotStore,
  seriesIds: readonly string[],
): Promise<ReadonlyMap<string, LoadedSeries>> {
  const ids = [...new Set(seriesIds)].filter(isUuid);
  const streamIds = ids.map(seriesStreamId);
  const kept = await snapshots.loadMany<SeriesSnapshotState>(streamIds, SERIES_SNAPSHOT_SHAPE);
  const streams = await store.readStreams(
    streamIds,
    new Map([...kept].map(([streamId, snapshot]) => [streamId, snapshot.version])),
  );
  const loaded = new Map<string, LoadedSeries>();
  for (const seriesId of seriesIds) {
    const streamId = seriesStreamId(seriesId);
    loaded.set(seriesId, folded(kept.get(streamId) ?? null, streams.get(streamId) ?? []));
  }
  return loaded;
}

function folded(
  snapshot: Snapshot<SeriesSnapshotState> | null,
  events: readonly StoredEvent[],
): LoadedSeries {
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
