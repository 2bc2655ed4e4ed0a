import type { RecordedCall } from '../../tools/dev/bot-api-double';
import { BotApiDoubleProcess } from '../../tools/dev/bot-api-double-remote';
import { type BenchSystem, jpegBytes, loopLagMaxMs } from '../support/bench-system';
import { log, type ScenarioResult } from './scenario';

const MESSAGES = 300;
const CHATS = 50;
/** Messages of three photos each, sent as albums: 300 sends as Telegram counts them, as the texts. */
const ALBUMS = 100;
const ALBUM_ITEMS = 3;
/** Time to schedule the albums in (each a request of three uploads) before they fall due. */
const ALBUMS_LEAD_MS = 20_000;
const PER_SECOND = 30;
const TARGET = 0.97;
/**
 * Albums of files sent for the first time: each upload leaves a few ms after its slot (its body
 * is written after it was handed over), and the budget moves back by as much.
 */
const ALBUM_TARGET = 0.9;

/**
 * Deliver at the limit: 300 messages due at the same moment, to 50 chats (6 each), against the Bot
 * API double refusing with 429 whatever goes beyond 30 sends a second or one per chat a second,
 * answering after 30 ms.
 */
export async function deliverAtLimitScenario(system: BenchSystem): Promise<ScenarioResult> {
  await system.ensureApp('scheduler');
  const chats = await system.subscribe(CHATS, 40_000_001);
  // Measured by the double's arrival stamps, so the double that takes the sends runs in a process
  // of its own: this one also serves the object store's downloads of every upload, and would
  // stamp arrivals late (bunched) while it does.
  const telegram = await BotApiDoubleProcess.start({
    latencyMs: 30,
    limits: { perSecond: PER_SECOND, chatIntervalMs: 1000 },
  });
  try {
    const delivery = await system.ensureApp('delivery', { TELEGRAM_API_ROOT: telegram.url });
    return await atLimit(system, telegram, delivery.url, chats);
  } finally {
    await system.stopApp('delivery');
    await telegram.stop();
  }
}

async function atLimit(
  system: BenchSystem,
  telegram: BotApiDoubleProcess,
  deliveryUrl: string,
  chats: readonly { userId: string }[],
): Promise<ScenarioResult> {
  const at = new Date(Date.now() + 10_000);
  const ids: string[] = [];
  for (let n = 0; n < MESSAGES; n++) {
    ids.push(
      await system.schedule({ recipients: [chats[n % CHATS]!.userId], text: `limit ${n}`, at }),
    );
  }
  if (Date.now() >= at.getTime()) throw new Error('Scheduling took longer than the lead time');
  await system.waitUntilSent(ids, 120_000);
  const calls = (await telegram.calls()).filter(
    (call) => call.method === 'sendMessage' && call.text?.startsWith('limit '),
  );
  const accepted = calls.filter((call) => call.status === 200);
  const refused = calls.filter((call) => call.status === 429).length;
  const violations = await telegram.limitViolations(PER_SECOND);
  const rate = sustainedRate(accepted);
  const first = accepted[0]!.receivedAt;
  const last = accepted.at(-1)!.receivedAt;
  log(`deliver: ${accepted.length} sends, ${rate.toFixed(2)}/s, ${refused} × 429`);
  const violationCount = violations.bot + violations.chat + violations.group;
  const albums = await albumsAtLimit(system, telegram, deliveryUrl, chats);
  return {
    scenario: 'Deliver at the limit: 300 messages due at once to 50 chats',
    figure: `${rate.toFixed(2)} sends/s = ${((rate / PER_SECOND) * 100).toFixed(1)}% of 30/s; ${refused} × 429; ${violationCount} violations; albums ${((albums.rate / PER_SECOND) * 100).toFixed(1)}% of 30/s, ${albums.refused} × 429, ${albums.violations} violations`,
    target: '≥ 97% of 30/s (albums of new uploads ≥ 90%), 0 × 429, 0 violations',
    met:
      rate / PER_SECOND >= TARGET &&
      refused === 0 &&
      violationCount === 0 &&
      accepted.length === MESSAGES &&
      albums.items === ALBUMS * ALBUM_ITEMS &&
      albums.rate / PER_SECOND >= ALBUM_TARGET &&
      albums.refused === 0 &&
      albums.violations === 0,
    details: [
      `${accepted.length} of ${MESSAGES} texts accepted; first ${((first - at.getTime()) / 1000).toFixed(2)} s after the due time, last ${((last - at.getTime()) / 1000).toFixed(2)} s after`,
      `sustained rate: (N − 30) sends over the time from the 1st to the (N − 29)th arrival = ${rate.toFixed(2)}/s`,
      `double: 30 ms latency, 429 beyond 30 sends in any second or 1 per chat per second; violations counted after the run: bot ${violations.bot}, chat ${violations.chat}, group ${violations.group}`,
      `albums: ${ALBUMS} messages of ${ALBUM_ITEMS} photos (as_album) due at once to ${chats.length} chats (${ALBUMS / chats.length} each), each item counted as a send (as Telegram and the double count them): ${albums.items} items in ${albums.calls} sendMediaGroup calls, ${albums.rate.toFixed(2)} items/s = ${((albums.rate / PER_SECOND) * 100).toFixed(1)}% of 30/s (an album of n at one instant takes n steps of 34 ms, and waits while the last 1.02 s hold more than 30 − n: ${(100 / 1.02).toFixed(0)}% expected of albums in a row, less what uploads leave late); ${albums.refused} × 429; ${albums.violations} violations`,
      `albums scheduled in ${(albums.schedulingMs / 1000).toFixed(1)} s, due ${ALBUMS_LEAD_MS / 1000} s after the first was`,
      `longest event-loop stalls while the albums went out: the delivery process ${albums.stalls.deliveryMs.toFixed(0)} ms, the double's ${albums.stalls.doubleMs.toFixed(0)} ms`,
      `the double runs in a process of its own (its arrival stamps are the measure)`,
      ...albums.refusals.map((refusal) => `429: ${refusal}`),
    ],
  };
}

/**
 * Albums at the limit: messages of three photos each, as albums, due at once to as many chats;
 * the double counting each item against the 30 a second. Reports the rate of items.
 */
async function albumsAtLimit(
  system: BenchSystem,
  telegram: BotApiDoubleProcess,
  deliveryUrl: string,
  chats: readonly { userId: string }[],
): Promise<{
  items: number;
  calls: number;
  rate: number;
  refused: number;
  violations: number;
  refusals: string[];
  schedulingMs: number;
  stalls: { deliveryMs: number; doubleMs: number };
}> {
  // One album first, not measured: the process has sent texts only so far, and the first upload
  // of a kind runs code not yet compiled (a long-running delivery process has that behind it).
  await system.waitUntilSent(
    [
      await system.schedule({
        recipients: [chats[0]!.userId],
        text: 'album warm-up',
        at: new Date(Date.now() + 1_000),
        files: [0, 1].map((item) => ({
          name: `warm-up-${item}.jpg`,
          content: jpegBytes(250 + item),
        })),
        fields: { send_as: 'media', as_album: 'true' },
      }),
    ],
    30_000,
  );
  const firstCall = (await telegram.calls()).length;
  const schedulingStarted = Date.now();
  const at = new Date(schedulingStarted + ALBUMS_LEAD_MS);
  const ids: string[] = [];
  for (let n = 0; n < ALBUMS; n++) {
    ids.push(
      await system.schedule({
        recipients: [chats[n % chats.length]!.userId],
        text: `album ${n}`,
        at,
        files: Array.from({ length: ALBUM_ITEMS }, (_, item) => ({
          name: `photo-${n}-${item}.jpg`,
          content: jpegBytes(n * ALBUM_ITEMS + item),
        })),
        fields: { send_as: 'media', as_album: 'true' },
      }),
    );
  }
  const schedulingMs = Date.now() - schedulingStarted;
  // Albums accepted after their due time would be sent while the rest are uploaded.
  if (Date.now() >= at.getTime()) throw new Error('Scheduling took longer than the lead time');
  // The longest stalls of the sender's event loop and of the double's (its arrival stamps).
  await loopLagMaxMs(deliveryUrl);
  await telegram.loopMaxMs();
  await system.waitUntilSent(ids, 120_000);
  const stalls = {
    deliveryMs: await loopLagMaxMs(deliveryUrl),
    doubleMs: await telegram.loopMaxMs(),
  };
  const calls = (await telegram.calls())
    .slice(firstCall)
    .filter((call) => call.method === 'sendMediaGroup');
  const items = calls.filter((call) => call.status === 200);
  const refused = calls.filter((call) => call.status === 429).length;
  const violations = await telegram.limitViolations(PER_SECOND);
  log(`deliver albums: ${items.length} items, ${sustainedRate(items).toFixed(2)}/s`);
  return {
    refusals: explainRefusals(await telegram.calls()),
    schedulingMs,
    stalls,
    items: items.length,
    calls: new Set(items.map((call) => call.album?.id)).size,
    rate: sustainedRate(items),
    refused,
    violations: violations.bot + violations.chat + violations.group,
  };
}

/**
 * What each 429 met: the sends the double had let through in the second before it (an album's
 * items each), and how long before it the chat's last send was let through.
 */
function explainRefusals(calls: readonly RecordedCall[]): string[] {
  const accepted = calls.filter((call) => call.status === 200 && call.method.startsWith('send'));
  return calls
    .filter((call) => call.status === 429)
    .map((refused) => {
      const before = accepted.filter(
        (call) =>
          call.receivedAt <= refused.receivedAt && call.receivedAt > refused.receivedAt - 1000,
      );
      const toChat = accepted.filter(
        (call) => call.chatId === refused.chatId && call.receivedAt <= refused.receivedAt,
      );
      const lastToChat = toChat.at(-1);
      const arrivals = [...new Set(before.map((call) => call.receivedAt - refused.receivedAt))];
      return `${refused.method}${refused.album ? ` of ${refused.album.size}` : ''}: ${before.length} sends in the second before it, arriving at ${arrivals.join(', ')} ms; the chat's last ${lastToChat ? `${refused.receivedAt - lastToChat.receivedAt} ms before` : 'never'}`;
    });
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
