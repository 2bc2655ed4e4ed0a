import { MikroORM } from '@mikro-orm/postgresql';
import { projectPendingDeadlines } from '../../../libs/application/src/scheduling/pending-deadlines.projection';
import { CheckpointStore } from '../../../libs/event-store/src/checkpoint-store';
import { EventStore } from '../../../libs/event-store/src/event-store';
import { DEFAULT_FOLLOWER_OPTIONS, LogFollower } from '../../../libs/event-store/src/log-follower';

/** Keeps the scheduler's pending-deadlines table up with the log. */
export class PendingDeadlinesFollower extends LogFollower {
  constructor(store: EventStore, checkpoints: CheckpointStore, orm: MikroORM) {
    super(
      store,
      checkpoints,
      (events, commit) =>
        orm.em.fork().transactional(async (em) => {
          await projectPendingDeadlines(em, events);
          await commit(em);
        }),
      { ...DEFAULT_FOLLOWER_OPTIONS, checkpointName: 'scheduler-pending-deadlines' },
    );
  }
}
