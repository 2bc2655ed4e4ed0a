import type { CheckpointStore } from '../../event-store/src/checkpoint-store';
import type { EventStore } from '../../event-store/src/event-store';
import {
  DEFAULT_FOLLOWER_OPTIONS,
  LogFollower,
  type LogFollowerOptions,
} from '../../event-store/src/log-follower';
import type { EventPublisher } from './event-publisher';

export type OutboxRelayOptions = LogFollowerOptions;

export const DEFAULT_OUTBOX_OPTIONS: OutboxRelayOptions = {
  ...DEFAULT_FOLLOWER_OPTIONS,
  checkpointName: 'outbox',
};

/**
 * The outbox is the log itself: the relay follows it, publishes each batch with publisher
 * confirms, and only then moves its checkpoint. A crash or a broker outage anywhere in between
 * means the batch is published again (with the same message ids), never lost.
 */
export class OutboxRelay extends LogFollower {
  constructor(
    store: EventStore,
    checkpoints: CheckpointStore,
    publisher: EventPublisher,
    options: OutboxRelayOptions = DEFAULT_OUTBOX_OPTIONS,
  ) {
    super(
      store,
      checkpoints,
      async (events, commit) => {
        // Confirms arrive in any order; the checkpoint moves only when every one has arrived.
        await Promise.all(events.map((event) => publisher.publish(event)));
        await commit();
      },
      options,
    );
  }
}
