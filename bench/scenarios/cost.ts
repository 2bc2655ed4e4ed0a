import { type BenchSystem, jpegBytes } from '../support/bench-system';
import { cpuMilliseconds } from '../support/process-stats';
import { log, type ScenarioResult } from './scenario';

const CHATS = 10;
const MESSAGES = 200;
const RECIPIENTS = 5;
const TARGET_MS = 2;
/** Messages of three photos as albums (to the same recipients): their items counted as sends. */
const ALBUM_MESSAGES = 40;
const ALBUM_ITEMS = 3;

/**
 * Cost: the delivery process's CPU time (user + system, from /proc) per delivered send, with
 * pacing off (TELEGRAM_PACING=off) and a Bot API double without limits or latency: 200 messages
 * to 5 recipients each, due at once, after a warm-up.
 */
export async function costScenario(system: BenchSystem): Promise<ScenarioResult> {
  await system.ensureApp('scheduler');
  const delivery = await system.ensureApp('delivery', { TELEGRAM_PACING: 'off' });
  system.telegram.latencyMs = 0;
  system.telegram.enforcedLimits = undefined;
  const chats = await system.subscribe(CHATS, 70_000_001);
  const recipientsOf = (n: number) =>
    Array.from({ length: RECIPIENTS }, (_, k) => chats[(n + k) % CHATS]!.userId);
  const warmUp: string[] = [];
  for (let n = 0; n < 20; n++) {
    warmUp.push(
      await system.schedule({ recipients: recipientsOf(n), text: `warm-up ${n}`, at: new Date() }),
    );
  }
  await system.waitUntilSent(warmUp, 60_000);
  const at = new Date(Date.now() + 8_000);
  const ids: string[] = [];
  for (let n = 0; n < MESSAGES; n++) {
    ids.push(await system.schedule({ recipients: recipientsOf(n), text: `cost ${n}`, at }));
  }
  const firstCall = system.telegram.calls.length;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, at.getTime() - Date.now() - 200)));
  const cpuBefore = cpuMilliseconds(delivery.pid);
  const startedAt = Date.now();
  await system.waitUntilSent(ids, 120_000);
  const cpu = cpuMilliseconds(delivery.pid) - cpuBefore;
  const elapsed = Date.now() - startedAt;
  const sends = system.telegram.calls
    .slice(firstCall)
    .filter((call) => call.method === 'sendMessage' && call.status === 200).length;
  const perSend = cpu / sends;
  log(`cost: ${cpu} ms CPU for ${sends} sends = ${perSend.toFixed(2)} ms/send`);
  const albums = await albumCost(system, delivery.pid, recipientsOf);
  return {
    scenario: 'Cost: delivery CPU per delivered send, limits off',
    figure: `${perSend.toFixed(2)} ms/send; albums ${albums.perItem.toFixed(2)} ms/item`,
    target: `≤ ${TARGET_MS} ms`,
    met:
      perSend <= TARGET_MS &&
      sends === MESSAGES * RECIPIENTS &&
      albums.perItem <= TARGET_MS &&
      albums.items === ALBUM_MESSAGES * RECIPIENTS * ALBUM_ITEMS,
    details: [
      `${sends} sends (${MESSAGES} messages × ${RECIPIENTS} recipients) in ${(elapsed / 1000).toFixed(1)} s (${((sends / elapsed) * 1000).toFixed(0)}/s); delivery used ${cpu} ms CPU (user + system, 10 ms resolution)`,
      'per send: consuming its MessageDue (shared by 5), reading the stream, the Bot API call, and appending RecipientPartSent, RecipientDelivered and MessageSent with their read models',
      `albums: ${ALBUM_MESSAGES} messages of ${ALBUM_ITEMS} photos (as_album) to ${RECIPIENTS} recipients each: ${albums.items} items in ${albums.calls} sendMediaGroup calls, each item counted as a send (as Telegram counts it); delivery used ${albums.cpu} ms CPU = ${albums.perItem.toFixed(2)} ms/item (each photo uploaded once per message, then sent by file_id)`,
    ],
  };
}

/** The delivery CPU of messages whose files go as albums, per item Telegram counts as a send. */
async function albumCost(
  system: BenchSystem,
  pid: number,
  recipientsOf: (n: number) => string[],
): Promise<{ items: number; calls: number; cpu: number; perItem: number }> {
  const at = new Date(Date.now() + 8_000);
  const ids: string[] = [];
  for (let n = 0; n < ALBUM_MESSAGES; n++) {
    ids.push(
      await system.schedule({
        recipients: recipientsOf(n),
        text: `album cost ${n}`,
        at,
        files: Array.from({ length: ALBUM_ITEMS }, (_, item) => ({
          name: `photo-${n}-${item}.jpg`,
          content: jpegBytes(n * ALBUM_ITEMS + item),
        })),
        fields: { send_as: 'media', as_album: 'true' },
      }),
    );
  }
  const firstCall = system.telegram.calls.length;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, at.getTime() - Date.now() - 200)));
  const cpuBefore = cpuMilliseconds(pid);
  await system.waitUntilSent(ids, 120_000);
  const cpu = cpuMilliseconds(pid) - cpuBefore;
  const items = system.telegram.calls
    .slice(firstCall)
    .filter((call) => call.method === 'sendMediaGroup' && call.status === 200);
  log(`cost albums: ${cpu} ms CPU for ${items.length} items`);
  return {
    items: items.length,
    calls: new Set(items.map((call) => call.album?.id)).size,
    cpu,
    perItem: cpu / items.length,
  };
}
