import { Query } from '@nestjs/cqrs';
import type { SeriesStatus } from '../../../../domain/src/series';
import type { SeriesKey, SeriesPage } from '../../ports/series-reader';

/** Series by creation, oldest first, a page at a time; of one status if given. */
export class ListSeriesQuery extends Query<SeriesPage> {
  constructor(
    readonly status: SeriesStatus | null,
    readonly limit: number,
    readonly after: SeriesKey | null,
  ) {
    super();
  }
}
