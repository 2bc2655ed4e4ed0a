import { randomBytes } from 'node:crypto';
import type { BenchSystem } from '../support/bench-system';
import { residentBytes } from '../support/process-stats';
import { log, type ScenarioResult } from './scenario';

const CHATS = 10;
const FILE_BYTES = 50 * 1024 * 1024;
const TARGET_GROWTH_BYTES = 64 * 1024 * 1024;
const MiB = 1024 * 1024;

/**
 * Memory: one message with a 50 MB attachment to 10 chats. A fresh delivery process, warmed up
 * with a small message with a file; its resident memory sampled every 20 ms from before the
 * message is scheduled until it is sent.
 */
export async function memoryScenario(system: BenchSystem): Promise<ScenarioResult> {
  await system.ensureApp('scheduler');
  const delivery = await system.ensureApp('delivery', {}, { fresh: true });
  system.telegram.latencyMs = 30;
  system.telegram.enforcedLimits = { perSecond: 30, chatIntervalMs: 1000 };
  const chats = await system.subscribe(CHATS + 1, 60_000_001);
  const warmUp = chats.pop()!;
  const warmUpId = await system.schedule({
    recipients: [warmUp.userId],
    text: 'warm-up',
    at: new Date(Date.now() + 500),
    file: { name: 'small.bin', content: randomBytes(64 * 1024) },
  });
  await system.waitUntilSent([warmUpId], 30_000);
  // Sampled from before the upload through the API (delivery has no part in it) until the message
  // is sent. The baseline is the lowest reading before the message falls due (a process's
  // resident memory settles for a while after work), the peak the highest after: the growth
  // reported is the largest the readings allow.
  const samples: { at: number; bytes: number }[] = [];
  const sample = () => samples.push({ at: Date.now(), bytes: residentBytes(delivery.pid) });
  sample();
  const sampler = setInterval(sample, 20);
  const firstCall = system.telegram.calls.length;
  const at = new Date(Date.now() + 20_000);
  try {
    const id = await system.schedule({
      recipients: chats.map((chat) => chat.userId),
      text: 'a large file follows',
      at,
      file: { name: 'large.bin', content: randomBytes(FILE_BYTES) },
    });
    if (Date.now() >= at.getTime()) throw new Error('The upload took longer than the lead time');
    await system.waitUntilSent([id], 120_000);
  } finally {
    clearInterval(sampler);
  }
  sample();
  const baseline = Math.min(...samples.filter((s) => s.at < at.getTime()).map((s) => s.bytes));
  const peak = Math.max(...samples.filter((s) => s.at >= at.getTime()).map((s) => s.bytes));
  const documents = system.telegram.calls
    .slice(firstCall)
    .filter((call) => call.method === 'sendDocument' && call.status === 200);
  const uploads = documents.filter((call) => call.fileSize !== undefined);
  const byFileId = documents.filter((call) => call.fileId !== undefined);
  const growth = peak - baseline;
  log(
    `memory: +${(growth / MiB).toFixed(1)} MiB, ${uploads.length} upload(s), ${byFileId.length} by file_id`,
  );
  return {
    scenario: 'Memory: one 50 MB attachment to 10 chats',
    figure: `delivery RSS +${(growth / MiB).toFixed(1)} MiB; ${uploads.length} upload, ${byFileId.length} by file_id`,
    target: '< 64 MiB; 1 upload, 9 by file_id',
    met:
      growth < TARGET_GROWTH_BYTES &&
      uploads.length === 1 &&
      uploads[0]!.fileSize === FILE_BYTES &&
      byFileId.length === CHATS - 1,
    details: [
      `delivery resident memory: lowest ${(baseline / MiB).toFixed(1)} MiB before the message fell due, highest ${(peak / MiB).toFixed(1)} MiB while sending (${samples.length} readings, every 20 ms)`,
      `upload received by the double: ${uploads[0]?.fileSize ?? 0} bytes; ${byFileId.length} sends by file_id`,
    ],
  };
}
