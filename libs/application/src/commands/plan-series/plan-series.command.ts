import { Command } from '@nestjs/cqrs';

/** The scheduler plans a series' next occurrence, its latest planned one having come. */
export class PlanSeriesCommand extends Command<void> {
  constructor(readonly seriesId: string) {
    super();
  }
}
