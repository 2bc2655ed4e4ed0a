import { Query } from '@nestjs/cqrs';
import type { DeliveryHealthFigures } from '../../ports/delivery-health-reader';

export interface DeliveryHealth extends DeliveryHealthFigures {
  readonly windowStart: Date;
  readonly windowEnd: Date;
  /** Null when the broker could not be asked. */
  readonly deadLetters: number | null;
}

/** How delivery went over the last `windowMinutes`, and what waits behind it now. */
export class GetDeliveryHealthQuery extends Query<DeliveryHealth> {
  constructor(readonly windowMinutes: number) {
    super();
  }
}
