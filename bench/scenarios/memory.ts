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
 * with a small message with a file; its resident memory sampled every 20 ms from just before
 * the message falls due until it is sent.
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
  const firstCall = system.telegram.calls.length;
  const at = new Date(Date.now() + 15_000);
  const id = await system.schedule({
    recipients: chats.map((chat) => chat.userId),
    text: 'a large file follows',
    at,
    file: { name: 'large.bin', content: randomBytes(FILE_BYTES) },
  });
  // Settled after the warm-up and the upload: what is resident now is the baseline.
  await new Promise((resolve) =>
    setTimeout(resolve, Math.max(0, at.getTime() - Date.now() - 1000)),
  );
  const baseline = residentBytes(delivery.pid);
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, residentBytes(delivery.pid));
  }, 20);
  try {
    await system.waitUntilSent([id], 120_000);
  } finally {
    clearInterval(sampler);
  }
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
      `delivery resident memory: ${(baseline / MiB).toFixed(1)} MiB before, peak ${(peak / MiB).toFixed(1)} MiB while sending (sampled every 20 ms)`,
      `upload received by the double: ${uploads[0]?.fileSize ?? 0} bytes; ${byFileId.length} sends by file_id`,
    ],
  };
}
