import type { BenchSystem } from '../support/bench-system';
import { cpuMilliseconds, percentile } from '../support/process-stats';
import { log, type ScenarioResult } from './scenario';

const CHATS = 200;
const MESSAGES = 3000;
const CONCURRENCY = 16;
/** What the series scenario asks of delivery: 10,000 occurrences a minute. */
const TARGET_PER_SECOND = 167;

/**
 * Burst: 3,000 messages to one recipient each (200 chats), all due at the same instant, delivery
 * with pacing off in front of a Bot API double without limits answering after 30 ms, as in the
 * series scenario. How fast one delivery process works off messages that fell due, apart from the
 * scheduler's planning: the rate from the first send to the last, each message's lateness, and
 * delivery's CPU per message.
 */
export async function burstScenario(system: BenchSystem): Promise<ScenarioResult> {
  await system.ensureApp('scheduler');
  const delivery = await system.ensureApp('delivery', { TELEGRAM_PACING: 'off' });
  system.telegram.latencyMs = 30;
  system.telegram.enforcedLimits = undefined;
  const chats = await system.subscribe(CHATS, 80_000_001);
  const at = new Date(Date.now() + 60_000);
  const pending = Array.from({ length: MESSAGES }, (_, n) => n);
  const ids: string[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let n = pending.shift(); n !== undefined; n = pending.shift()) {
        ids.push(
          await system.schedule({ recipients: [chats[n % CHATS]!.userId], text: `burst ${n}`, at }),
        );
      }
    }),
  );
  if (Date.now() >= at.getTime() - 2000)
    throw new Error('Scheduling took longer than the lead time');
  const firstCall = system.telegram.calls.length;
  await new Promise((resolve) => setTimeout(resolve, at.getTime() - Date.now() - 1000));
  const cpuBefore = cpuMilliseconds(delivery.pid);
  await system.waitUntilSent(ids, 300_000);
  const cpu = cpuMilliseconds(delivery.pid) - cpuBefore;
  const sends = system.telegram.calls
    .slice(firstCall)
    .filter((call) => call.method === 'sendMessage' && call.status === 200)
    .map((call) => call.receivedAt)
    .sort((a, b) => a - b);
  const rate = (sends.length - 1) / ((sends.at(-1)! - sends[0]!) / 1000);
  const lateness = sends.map((receivedAt) => receivedAt - at.getTime());
  // When the scheduler marked each due, against the due time: its share, apart from delivery's.
  const marked = (
    await system.query<{ ms: string }>(
      `SELECT extract(epoch FROM (due_at - scheduled_at)) * 1000 AS ms FROM messages
        WHERE id = ANY($1)`,
      [ids],
    )
  ).map((row) => Math.round(Number(row.ms)));
  log(`burst: ${sends.length} sends at ${rate.toFixed(0)}/s`);
  return {
    scenario: 'Burst: 3,000 messages to one recipient each, due at once, pacing off',
    figure: `${rate.toFixed(0)} messages/s; ${(cpu / MESSAGES).toFixed(2)} ms delivery CPU each`,
    target: `≥ ${TARGET_PER_SECOND}/s`,
    met: sends.length === MESSAGES && rate >= TARGET_PER_SECOND,
    details: [
      `${sends.length} sends of ${MESSAGES} messages; first ${sends[0]! - at.getTime()} ms after the due time, last ${sends.at(-1)! - at.getTime()} ms; lateness p50 ${percentile(lateness, 50)} ms, p99 ${percentile(lateness, 99)} ms`,
      `marked due (MessageDue's time − due time): p50 ${percentile(marked, 50)} ms, p99 ${percentile(marked, 99)} ms, last ${Math.max(...marked)} ms`,
      `delivery used ${cpu} ms CPU (user + system) = ${(cpu / MESSAGES).toFixed(2)} ms per message: consuming its MessageDue, the lease, reading its stream and subscriber, the Bot API call, appending RecipientPartSent, RecipientDelivered and MessageSent`,
    ],
  };
}
