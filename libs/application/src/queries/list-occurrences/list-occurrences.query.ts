import { Query } from '@nestjs/cqrs';
import type { OccurrenceView } from '../../series/series-views';

/**
 * A series' occurrences, oldest first: up to `limit` of the latest that passed (sent, skipped,
 * missed, …) and up to `limit` still to come. Null when there is no such series.
 */
export class ListOccurrencesQuery extends Query<OccurrenceView[] | null> {
  constructor(
    readonly seriesId: string,
    readonly limit: number,
  ) {
    super();
  }
}
