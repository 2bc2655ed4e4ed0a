import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SeriesReader } from '../../ports/series-reader';
import { SubscriberReader } from '../../ports/subscriber-reader';
import { describeSeries, type SeriesView, upcomingOccurrences } from '../../series/series-views';
import { GetSeriesQuery } from './get-series.query';

@QueryHandler(GetSeriesQuery)
export class GetSeriesHandler implements IQueryHandler<GetSeriesQuery> {
  constructor(
    private readonly series: SeriesReader,
    private readonly subscribers: SubscriberReader,
  ) {}

  async execute(query: GetSeriesQuery): Promise<SeriesView | null> {
    const series = await this.series.byId(query.seriesId);
    if (!series) return null;
    const ahead = await this.series.recordedFrom(
      series.id,
      new Date(series.cursor?.at ?? series.notBefore),
      query.nextCount + 100,
    );
    return {
      series,
      description: describeSeries(series),
      nextOccurrences: upcomingOccurrences(
        series,
        ahead,
        query.nextCount,
        series.atRecipientLocalTime
          ? await this.subscribers.timeZones(series.targetUserIds)
          : new Map(),
      ),
    };
  }
}
