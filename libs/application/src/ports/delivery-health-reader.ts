/** Sends recorded in one minute of the window. */
export interface SendsInMinute {
  /** The minute's start. */
  readonly minute: Date;
  readonly delivered: number;
  readonly failed: number;
}

/** How many recipients got their message within a lateness (seconds after its time). */
export interface LatenessBucket {
  /** The bucket's upper bound in seconds; null for the last, open-ended one. */
  readonly upToSeconds: number | null;
  readonly recipients: number;
}

export interface FailureCount {
  readonly code: string;
  readonly recipients: number;
}

/**
 * A follower of the log (the outbox relay, the scheduler's projections): how far behind it is,
 * measured as the lag metrics measure it. The read models kept inline are never behind.
 */
export interface FollowerLag {
  readonly name: string;
  /** The newest event's position less the follower's checkpoint. */
  readonly positionsBehind: number;
  /** When the oldest event it has not handled was recorded; null when it is caught up. */
  readonly oldestBehindAt: Date | null;
}

export interface DeliveryHealthFigures {
  readonly sendsByMinute: readonly SendsInMinute[];
  readonly lateness: readonly LatenessBucket[];
  readonly failuresByCode: readonly FailureCount[];
  readonly followers: readonly FollowerLag[];
}

/**
 * How delivery went lately, from what the log already records: each recipient's outcome
 * (RecipientDelivered, RecipientDeliveryFailed) with the time it was recorded, and each
 * follower's checkpoint in the log.
 */
export abstract class DeliveryHealthReader {
  abstract figures(window: {
    /** The window's start: outcomes recorded since. */
    readonly since: Date;
    /** Upper bounds of the lateness buckets, in seconds, ascending; one more bucket above. */
    readonly latenessBoundsSeconds: readonly number[];
  }): Promise<DeliveryHealthFigures>;
}

/** How many deliveries gave up and wait in the dead-letter queue for a redrive. */
export abstract class DeadLetterCounter {
  abstract count(): Promise<number>;
}
