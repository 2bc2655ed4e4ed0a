import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SeriesReader } from '../../ports/series-reader';
import { SubscriberReader } from '../../ports/subscriber-reader';
import { type OccurrenceView, upcomingOccurrences, viewOf } from '../../series/series-views';
import { ListOccurrencesQuery } from './list-occurrences.query';

@QueryHandler(ListOccurrencesQuery)
export class ListOccurrencesHandler implements IQueryHandler<ListOccurrencesQuery> {
  constructor(
    private readonly series: SeriesReader,
    private readonly subscribers: SubscriberReader,
  ) {}

  async execute(query: ListOccurrencesQuery): Promise<OccurrenceView[] | null> {
    const series = await this.series.byId(query.seriesId);
    if (!series) return null;
    const from = new Date(series.cursor?.at ?? series.notBefore);
    const [past, ahead] = await Promise.all([
      this.series.recordedBefore(series.id, from, query.limit),
      this.series.recordedFrom(series.id, from, query.limit + 100),
    ]);
    const upcoming = upcomingOccurrences(
      series,
      ahead,
      query.limit,
      series.atRecipientLocalTime
        ? await this.subscribers.timeZones(series.targetUserIds)
        : new Map(),
    );
    const shown = new Set(upcoming.map((view) => view.occurrenceAt.getTime()));
    // What is recorded from the cursor on and is not still to come: the cursor's occurrence once
    // sent, skipped ones ahead, everything of a paused or ended series.
    const recorded = [...past, ...ahead]
      .filter((row) => !shown.has(row.occurrenceAt.getTime()))
      .filter((row) => row.status !== 'changed' || series.status !== 'active')
      .map((row) => viewOf(row, series));
    return [...recorded, ...upcoming].sort(
      (a, b) => a.occurrenceAt.getTime() - b.occurrenceAt.getTime(),
    );
  }
}
