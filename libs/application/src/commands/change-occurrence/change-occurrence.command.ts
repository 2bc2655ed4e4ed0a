import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../../request-context';

/** Skip one occurrence, move it to another time, or give it its own text. */
export type OccurrenceChange =
  | { readonly kind: 'skip' }
  | { readonly kind: 'move'; readonly scheduledAt: Date }
  | { readonly kind: 'edit'; readonly text: string };

/** Changes one future occurrence of a series, named by its nominal time. */
export class ChangeOccurrenceCommand extends Command<void> {
  constructor(
    readonly seriesId: string,
    readonly occurrenceAt: Date,
    readonly change: OccurrenceChange,
    readonly context: RequestContext,
  ) {
    super();
  }
}
