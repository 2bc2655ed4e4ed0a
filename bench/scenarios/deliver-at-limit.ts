import type { RecordedCall } from '../../tools/dev/bot-api-double';
import type { BenchSystem } from '../support/bench-system';
import { log, type ScenarioResult } from './scenario';

const MESSAGES = 300;
const CHATS = 50;
const PER_SECOND = 30;
const TARGET = 0.97;

/**
 * Deliver at the limit: 300 messages due at the same moment, to 50 chats (6 each), against the Bot
 * API double refusing with 429 whatever goes beyond 30 sends a second or one per chat a second,
 * answering after 30 ms.
 */
export async function deliverAtLimitScenario(system: BenchSystem): Promise<ScenarioResult> {
  await system.ensureApp('scheduler');
  await system.ensureApp('delivery');
  const chats = await system.subscribe(CHATS, 40_000_001);
  system.telegram.latencyMs = 30;
  system.telegram.enforcedLimits = { perSecond: PER_SECOND, chatIntervalMs: 1000 };
  const firstCall = system.telegram.calls.length;
  const at = new Date(Date.now() + 10_000);
  const ids: string[] = [];
  for (let n = 0; n < MESSAGES; n++) {
    ids.push(
      await system.schedule({ recipients: [chats[n % CHATS]!.userId], text: `limit ${n}`, at }),
    );
  }
  if (Date.now() >= at.getTime()) throw new Error('Scheduling took longer than the lead time');
  await system.waitUntilSent(ids, 120_000);
  const calls = system.telegram.calls
    .slice(firstCall)
    .filter((call) => call.method === 'sendMessage' && call.text?.startsWith('limit '));
  const accepted = calls.filter((call) => call.status === 200);
  const refused = calls.filter((call) => call.status === 429).length;
  const violations = system.telegram.limitViolations(PER_SECOND);
  const rate = sustainedRate(accepted);
  const first = accepted[0]!.receivedAt;
  const last = accepted.at(-1)!.receivedAt;
  log(`deliver: ${accepted.length} sends, ${rate.toFixed(2)}/s, ${refused} × 429`);
  const violationCount = violations.bot + violations.chat + violations.group;
  return {
    scenario: 'Deliver at the limit: 300 messages due at once to 50 chats',
    figure: `${rate.toFixed(2)} sends/s = ${((rate / PER_SECOND) * 100).toFixed(1)}% of 30/s; ${refused} × 429; ${violationCount} violations`,
    target: '≥ 97% of 30/s, 0 × 429, 0 violations',
    met:
      rate / PER_SECOND >= TARGET &&
      refused === 0 &&
      violationCount === 0 &&
      accepted.length === MESSAGES,
    details: [
      `${accepted.length} of ${MESSAGES} texts accepted; first ${((first - at.getTime()) / 1000).toFixed(2)} s after the due time, last ${((last - at.getTime()) / 1000).toFixed(2)} s after`,
      `sustained rate: (N − 30) sends over the time from the 1st to the (N − 29)th arrival = ${rate.toFixed(2)}/s`,
      `double: 30 ms latency, 429 beyond 30 sends in any second or 1 per chat per second; violations counted after the run: bot ${violations.bot}, chat ${violations.chat}, group ${violations.group}`,
    ],
  };
}

/**
 * Sends per second in steady state: the mean time 30 consecutive sends take, as a rate. Counting
 * from the first to the (N − 29)th arrival is exact whether a sender spreads its sends evenly or
 * sends bursts of 30, where first-to-last would flatter bursts.
 */
export function sustainedRate(accepted: readonly RecordedCall[]): number {
  const times = accepted.map((call) => call.receivedAt).sort((a, b) => a - b);
  if (times.length <= PER_SECOND) return Number.NaN;
  const span = times[times.length - PER_SECOND]! - times[0]!;
  return ((times.length - PER_SECOND) / span) * 1000;
}
