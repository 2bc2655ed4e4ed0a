import type { Telegram } from 'telegraf';
import type { Metrics } from '../../observability/src/metrics';
import { classifyTelegramError } from './telegram-error';

/** Counts every Bot API call made through this client, by method and outcome. */
export function countCalls(telegram: Telegram, metrics: Metrics): void {
  const callApi = telegram.callApi.bind(telegram);
  const counted: typeof callApi = async (method, payload, options) => {
    try {
      const result = await callApi(method, payload, options);
      metrics.telegramCalls.inc({ method, outcome: 'ok' });
      return result;
    } catch (error) {
      metrics.telegramCalls.inc({ method, outcome: classifyTelegramError(error).kind });
      throw error;
    }
  };
  telegram.callApi = counted;
}
