import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';

/** Ends a series: what it planned is cancelled, and nothing further is sent. */
export class EndSeriesCommand extends Command<void> {
  constructor(
    readonly seriesId: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}
