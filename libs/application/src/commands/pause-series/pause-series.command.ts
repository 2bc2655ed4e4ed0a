import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';

/** Pauses a series: what it planned is cancelled, nothing goes out until it is resumed. */
export class PauseSeriesCommand extends Command<void> {
  constructor(
    readonly seriesId: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}
