import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';

/** Resumes a paused series from now on: occurrences that fell while it was paused are not sent. */
export class ResumeSeriesCommand extends Command<void> {
  constructor(
    readonly seriesId: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}
