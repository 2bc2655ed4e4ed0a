import { percentile } from '../support/process-stats';
import type { BenchSystem } from '../support/bench-system';
import { log, type ScenarioResult } from './scenario';

const MESSAGES = 40;
const WINDOW_MS = 30_000;
const TARGET_P99_MS = 250;

/** A fixed sequence of pseudo-random numbers in [0, 1): the same times in every run. */
function* random(seed: number): Generator<number> {
  let state = seed;
  for (;;) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    yield state / 2 ** 31;
  }
}

/**
 * On time: 40 messages to 40 chats at random moments over 30 s, the Bot API answering after
 * 30 ms, the scheduler ticking every 5 s. Lateness is the first send's arrival at the double
 * minus the scheduled time.
 */
export async function onTimeScenario(system: BenchSystem): Promise<ScenarioResult> {
  await system.ensureApp('scheduler');
  await system.ensureApp('delivery');
  const chats = await system.subscribe(MESSAGES, 50_000_001);
  system.telegram.latencyMs = 30;
  system.telegram.enforcedLimits = { perSecond: 30, chatIntervalMs: 1000 };
  const firstCall = system.telegram.calls.length;
  const start = Date.now() + 3_000;
  const times = random(20261129);
  const planned = chats.map((chat, n) => ({
    chat,
    text: `on time ${n}`,
    at: new Date(start + Math.floor(times.next().value * WINDOW_MS)),
  }));
  const ids: string[] = [];
  for (const message of planned) {
    ids.push(
      await system.schedule({
        recipients: [message.chat.userId],
        text: message.text,
        at: message.at,
      }),
    );
  }
  if (Date.now() >= start) throw new Error('Scheduling took longer than the lead time');
  await system.waitUntilSent(ids, WINDOW_MS + 60_000);
  const calls = system.telegram.calls.slice(firstCall);
  const lateness = planned.map((message) => {
    const first = calls.find((call) => call.method === 'sendMessage' && call.text === message.text);
    if (!first) throw new Error(`No send of "${message.text}"`);
    return first.receivedAt - message.at.getTime();
  });
  const [dues] = await system.query<{ due: string; distinct_messages: string }>(
    `SELECT count(*) AS due, count(DISTINCT data->>'messageId') AS distinct_messages
       FROM events WHERE type = 'MessageDue' AND data->>'messageId' = ANY($1)`,
    [ids],
  );
  const p50 = percentile(lateness, 50);
  const p99 = percentile(lateness, 99);
  const earliest = Math.min(...lateness);
  const early = lateness.filter((ms) => ms < 0).length;
  log(`on time: p50 ${p50} ms, p99 ${p99} ms, min ${earliest} ms`);
  return {
    scenario: 'On time: 40 messages at random moments over 30 s, 5 s tick',
    figure: `lateness p50 ${p50} ms, p99 ${p99} ms; ${early} early`,
    target: `p99 ≤ ${TARGET_P99_MS} ms, never early`,
    met:
      p99 <= TARGET_P99_MS &&
      early === 0 &&
      Number(dues?.due) === MESSAGES &&
      Number(dues?.distinct_messages) === MESSAGES,
    details: [
      `lateness (first send's arrival − scheduled time): min ${earliest} ms, p50 ${p50} ms, p99 ${p99} ms, max ${Math.max(...lateness)} ms`,
      `MessageDue events: ${dues?.due} for ${dues?.distinct_messages} messages (exactly one each expected); SCHEDULER_TICK_MS 5000`,
    ],
  };
}
