import type { Provider } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { TelegramSender } from '../../application/src/ports/telegram-sender';
import { DeliveryConfig, TelegramConfig } from '../../config/src/config';
import { Metrics } from '../../observability/src/metrics';
import { Clock } from '../../runtime/src/clock';
import { NO_LIMITS, type PacingLimits, SendBudget, TELEGRAM_LIMITS } from './send-budget';
import { TelegrafSender } from './telegram-sender';

/**
 * The Bot API sender of an app, within the budget every sending process shares (SendBudget):
 * delivery's, and the API's for previews. The limits are delivery's settings where the app has
 * them (TELEGRAM_PACING, the rates), Telegram's own otherwise.
 */
export const TELEGRAM_SENDER_PROVIDERS: Provider[] = [
  {
    provide: SendBudget,
    inject: [MikroORM, Clock, { token: DeliveryConfig, optional: true }],
    useFactory: (orm: MikroORM, clock: Clock, delivery: DeliveryConfig | undefined) =>
      new SendBudget(orm, pacingOf(delivery), clock),
  },
  {
    provide: TelegrafSender,
    inject: [
      TelegramConfig,
      SendBudget,
      Metrics,
      MikroORM,
      Clock,
      { token: DeliveryConfig, optional: true },
    ],
    useFactory: (
      telegram: TelegramConfig,
      budget: SendBudget,
      metrics: Metrics,
      orm: MikroORM,
      clock: Clock,
      delivery: DeliveryConfig | undefined,
    ) => {
      const limits = pacingOf(delivery);
      const paidPerSecond = delivery?.paidPerSecond ?? 1000;
      return new TelegrafSender(
        telegram,
        budget,
        metrics,
        // Paid broadcasts: what the paid limit (all sends) leaves beyond the free one.
        telegram.paidBroadcast
          ? new SendBudget(
              orm,
              limits === NO_LIMITS
                ? NO_LIMITS
                : { ...limits, perSecond: paidPerSecond - limits.perSecond },
              clock,
              'paid',
            )
          : undefined,
      );
    },
  },
  { provide: TelegramSender, useExisting: TelegrafSender },
];

function pacingOf(delivery: DeliveryConfig | undefined): PacingLimits {
  if (!delivery) return TELEGRAM_LIMITS;
  return delivery.pacing ? delivery : NO_LIMITS;
}
