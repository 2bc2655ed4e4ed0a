import { Command } from '@nestjs/cqrs';

/** What planning a batch of series came to. */
export interface PlanSeriesOutcome {
  /** The series that could not be planned now, with why; the next tick tries them again. */
  readonly failed: ReadonlyMap<string, unknown>;
}

/**
 * The scheduler plans the next occurrences of series whose latest planned one has come, several
 * series at a time.
 */
export class PlanSeriesCommand extends Command<PlanSeriesOutcome> {
  constructor(readonly seriesIds: readonly string[]) {
    super();
  }
}
