import { Query } from '@nestjs/cqrs';
import type { SeriesView } from '../../series/series-views';

/** A series, its rule in words and its next occurrences; null when there is no such series. */
export class GetSeriesQuery extends Query<SeriesView | null> {
  constructor(
    readonly seriesId: string,
    readonly nextCount = 5,
  ) {
    super();
  }
}
