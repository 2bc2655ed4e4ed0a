/** A stream's state folded up to a version, kept so that loading it reads only what came after. */
export interface Snapshot<State> {
  readonly version: number;
  readonly state: State;
}

/**
 * Snapshots of aggregates whose streams grow for as long as they live (a series adds an event per
 * occurrence). A snapshot is only a shortcut: the stream stays the truth, a missing or stale
 * snapshot costs a longer read, and `shape` names the state's form, so that a snapshot of an older
 * form is not read into a newer one (change the shape with the state's type).
 */
export abstract class SnapshotStore {
  abstract load<State>(streamId: string, shape: string): Promise<Snapshot<State> | null>;
  /** The snapshots of several streams in one read; a stream without one is not in the map. */
  abstract loadMany<State>(
    streamIds: readonly string[],
    shape: string,
  ): Promise<ReadonlyMap<string, Snapshot<State>>>;
  /** Keeps the snapshot unless one of a later version is there already. */
  abstract save<State>(streamId: string, shape: string, snapshot: Snapshot<State>): Promise<void>;
}

/** Snapshots in memory, for tests on the in-memory event store. */
export class InMemorySnapshotStore extends SnapshotStore {
  private readonly snapshots = new Map<string, { shape: string; snapshot: Snapshot<unknown> }>();

  load<State>(streamId: string, shape: string): Promise<Snapshot<State> | null> {
    const kept = this.snapshots.get(streamId);
    return Promise.resolve(
      kept && kept.shape === shape ? (structuredClone(kept.snapshot) as Snapshot<State>) : null,
    );
  }

  async loadMany<State>(
    streamIds: readonly string[],
    shape: string,
  ): Promise<ReadonlyMap<string, Snapshot<State>>> {
    const loaded = new Map<string, Snapshot<State>>();
    for (const streamId of streamIds) {
      const snapshot = await this.load<State>(streamId, shape);
      if (snapshot) loaded.set(streamId, snapshot);
    }
    return loaded;
  }

  save<State>(streamId: string, shape: string, snapshot: Snapshot<State>): Promise<void> {
    const kept = this.snapshots.get(streamId);
    if (!kept || kept.shape !== shape || kept.snapshot.version < snapshot.version) {
      this.snapshots.set(streamId, { shape, snapshot: structuredClone(snapshot) });
    }
    return Promise.resolve();
  }
}
