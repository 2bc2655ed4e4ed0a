import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Clock } from '../../../../runtime/src/clock';
import { DeadLetterCounter, DeliveryHealthReader } from '../../ports/delivery-health-reader';
import { type DeliveryHealth, GetDeliveryHealthQuery } from './get-delivery-health.query';

/** Lateness buckets, seconds: on time, a little late, a paced broadcast's minutes, worse. */
const LATENESS_BOUNDS_SECONDS = [0.25, 1, 5, 30, 60, 300, 3600] as const;

@QueryHandler(GetDeliveryHealthQuery)
export class GetDeliveryHealthHandler implements IQueryHandler<GetDeliveryHealthQuery> {
  constructor(
    private readonly reader: DeliveryHealthReader,
    private readonly deadLetters: DeadLetterCounter,
    private readonly clock: Clock,
  ) {}

  async execute(query: GetDeliveryHealthQuery): Promise<DeliveryHealth> {
    const windowEnd = this.clock.now();
    const windowStart = new Date(windowEnd.getTime() - query.windowMinutes * 60_000);
    const [figures, deadLetters] = await Promise.all([
      this.reader.figures({
        since: windowStart,
        latenessBoundsSeconds: LATENESS_BOUNDS_SECONDS,
      }),
      this.deadLetters.count().catch(() => null),
    ]);
    return { ...figures, windowStart, windowEnd, deadLetters };
  }
}
