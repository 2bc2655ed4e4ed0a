import { BotApiDouble } from './bot-api-double';

/**
 * The Bot API double in a process of its own, for a benchmark whose measure is the double's own
 * arrival stamps (the broadcast within the free limits): in the benchmark's process, a pause of
 * that process (a garbage collection of its heap) stamps every request that arrived meanwhile
 * with the same instant, as if they had come together. Here the double has nothing else to do,
 * as Telegram's servers have nothing of ours to do.
 *
 * Settings from the environment: DOUBLE_LATENCY_MS, DOUBLE_LIMITS (the JSON of `enforcedLimits`).
 * Prints `listening <url>` once ready; GET /_calls and /_violations answer what it recorded.
 */
async function main(): Promise<void> {
  const double = new BotApiDouble();
  double.latencyMs = Number(process.env.DOUBLE_LATENCY_MS ?? 0);
  if (process.env.DOUBLE_LIMITS) {
    double.enforcedLimits = JSON.parse(process.env.DOUBLE_LIMITS) as BotApiDouble['enforcedLimits'];
  }
  const url = await double.start();
  process.stdout.write(`listening ${url}\n`);
  process.once('SIGTERM', () => {
    void double.stop().then(() => process.exit(0));
  });
}

void main();
