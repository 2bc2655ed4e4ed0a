import type { InlineProjection } from '../../event-store/src/postgres-event-store';
import { inlineStatements } from './projection-sql';
import { readModelsProjection } from './read-models.projection';

/**
 * The read models as an inline projection: the statements the event store runs in each append's
 * transaction (after the events' insert, in the same round trip), so a request that wrote can
 * read its own write. Made from the same definition a replay folds in memory.
 */
export const projectToReadModels: InlineProjection = (events) =>
  inlineStatements(readModelsProjection, events);
