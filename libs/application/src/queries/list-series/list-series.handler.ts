import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SeriesReader, type SeriesPage } from '../../ports/series-reader';
import { ListSeriesQuery } from './list-series.query';

@QueryHandler(ListSeriesQuery)
export class ListSeriesHandler implements IQueryHandler<ListSeriesQuery> {
  constructor(private readonly series: SeriesReader) {}

  async execute(query: ListSeriesQuery): Promise<SeriesPage> {
    return this.series.page(query.status, query.limit, query.after);
  }
}
