import { MikroORM } from '@mikro-orm/postgresql';
import { pendingDeadlinesProjection } from '../../../libs/projections/src/pending-deadlines.projection';
import { multiStatementText } from '../../../libs/event-store/src/sql-text';
import { appliedStatements } from '../../../libs/projections/src/projection-sql';
import { CheckpointStore } from '../../../libs/event-store/src/checkpoint-store';
import { EventStore, type StoredEvent } from '../../../libs/event-store/src/event-store';
import type { PendingDeadline } from '../../../libs/application/src/scheduling/due-dispatcher';
import { DEFAULT_FOLLOWER_OPTIONS, LogFollower } from '../../../libs/event-store/src/log-follower';

/**
 * Keeps the scheduler's pending-deadlines table up with the log, and tells `onDeadlines` of every
 * deadline set or moved (once committed), so that a message due before the next tick is not
 * left waiting for it.
 */
export class PendingDeadlinesFollower extends LogFollower {
  onDeadlines: (deadlines: readonly PendingDeadline[]) => void = () => undefined;

  constructor(store: EventStore, checkpoints: CheckpointStore, orm: MikroORM) {
    super(
      store,
      checkpoints,
      async (events, commit) => {
        await orm.em.fork().transactional(async (em) => {
          // The batch's changes in one round trip, in log order: a message scheduled and made due
          // within the batch is inserted, then removed.
          const statements = appliedStatements(pendingDeadlinesProjection, events);
          if (statements.length > 0) {
            await em.execute(multiStatementText(statements), [], 'all');
          }
          await commit(em);
        });
        this.onDeadlines(deadlinesSetBy(events));
      },
      { ...DEFAULT_FOLLOWER_OPTIONS, checkpointName: pendingDeadlinesProjection.name },
    );
  }
}

function deadlinesSetBy(events: readonly StoredEvent[]): PendingDeadline[] {
  return events.flatMap((event) =>
    event.type === 'MessageScheduled' || event.type === 'MessageRescheduled'
      ? [{ messageId: event.data.messageId, scheduledAt: new Date(event.data.scheduledAt) }]
      : [],
  );
}
