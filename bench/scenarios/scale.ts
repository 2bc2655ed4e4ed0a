import { measureTickScale } from '../tick-scale.bench';
import type { ScenarioResult } from './scenario';

const TARGET_RATIO = 1.5;

/** Scale: the scheduler's tick query with 10,000 and with 1,000,000 pending (its own database). */
export async function scaleScenario(): Promise<ScenarioResult> {
  const [small, large] = await measureTickScale();
  const ratio = large!.medianMs / small!.medianMs;
  return {
    scenario: "Scale: the scheduler's tick, 10,000 vs 1,000,000 pending",
    figure: `${small!.medianMs.toFixed(3)} ms vs ${large!.medianMs.toFixed(3)} ms = ${ratio.toFixed(2)}×`,
    target: `≤ ${TARGET_RATIO}× at 1,000,000`,
    met: ratio <= TARGET_RATIO,
    details: [
      'median of 200 tick queries (what is due now and within two ticks), 100 due, the rest spread over a year',
    ],
  };
}
