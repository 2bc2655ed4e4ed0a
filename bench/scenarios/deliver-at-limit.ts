import type { RecordedCall } from '../../tools/dev/bot-api-double';
import { type BenchSystem, jpegBytes } from '../support/bench-system';
import { log, type ScenarioResult } from './scenario';

const MESSAGES = 300;
const CHATS = 50;
/** Messages of three photos each, sent as albums: 60 sends as Telegram counts them. */
const ALBUMS = 20;
const ALBUM_ITEMS = 3;
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
  const albums = await albumsAtLimit(system, chats);
  return {
    scenario: 'Deliver at the limit: 300 messages due at once to 50 chats',
    figure: `${rate.toFixed(2)} sends/s = ${((rate / PER_SECOND) * 100).toFixed(1)}% of 30/s; ${refused} × 429; ${violationCount} violations`,
    target: '≥ 97% of 30/s, 0 × 429, 0 violations (albums too)',
    met:
      rate / PER_SECOND >= TARGET &&
      refused === 0 &&
      violationCount === 0 &&
      accepted.length === MESSAGES &&
      albums.items === ALBUMS * ALBUM_ITEMS &&
      albums.refused === 0 &&
      albums.violations === 0,
    details: [
      `${accepted.length} of ${MESSAGES} texts accepted; first ${((first - at.getTime()) / 1000).toFixed(2)} s after the due time, last ${((last - at.getTime()) / 1000).toFixed(2)} s after`,
      `sustained rate: (N − 30) sends over the time from the 1st to the (N − 29)th arrival = ${rate.toFixed(2)}/s`,
      `double: 30 ms latency, 429 beyond 30 sends in any second or 1 per chat per second; violations counted after the run: bot ${violations.bot}, chat ${violations.chat}, group ${violations.group}`,
      `albums: ${ALBUMS} messages of ${ALBUM_ITEMS} photos (as_album) due at once to ${ALBUMS} chats, each item counted as a send (as Telegram and the double count them): ${albums.items} items in ${albums.calls} sendMediaGroup calls, ${albums.rate.toFixed(2)} items/s = ${((albums.rate / PER_SECOND) * 100).toFixed(1)}% of 30/s (an album of n takes 2n − 1 of the bot's slots, so that no second can hold more than 30 however it falls: ${(((ALBUM_ITEMS / (2 * ALBUM_ITEMS - 1)) * 100) / 1.02).toFixed(0)}% expected); ${albums.refused} × 429; ${albums.violations} violations`,
    ],
  };
}

/**
 * Albums at the limit: messages of three photos each, as albums, due at once to as many chats;
 * the double counting each item against the 30 a second. Reports the rate of items.
 */
async function albumsAtLimit(
  system: BenchSystem,
  chats: readonly { userId: string }[],
): Promise<{ items: number; calls: number; rate: number; refused: number; violations: number }> {
  const firstCall = system.telegram.calls.length;
  const at = new Date(Date.now() + 8_000);
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
  await system.waitUntilSent(ids, 120_000);
  const calls = system.telegram.calls
    .slice(firstCall)
    .filter((call) => call.method === 'sendMediaGroup');
  const items = calls.filter((call) => call.status === 200);
  const refused = calls.filter((call) => call.status === 429).length;
  const violations = system.telegram.limitViolations(PER_SECOND);
  log(`deliver albums: ${items.length} items, ${sustainedRate(items).toFixed(2)}/s`);
  return {
    items: items.length,
    calls: new Set(items.map((call) => call.album?.id)).size,
    rate: sustainedRate(items),
    refused,
    violations: violations.bot + violations.chat + violations.group,
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
