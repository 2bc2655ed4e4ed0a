import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MikroORM } from '@mikro-orm/postgresql';
import amqplib from 'amqplib';
import { ormOptions } from '../../libs/database/src/orm-options';
import { PostgresEventStore } from '../../libs/event-store/src/postgres-event-store';
import { deliveryTopology } from '../../libs/messaging/src/topology';
import { ProjectionReplayer } from '../../libs/projections/src/replay/projection-replayer';
import type { RecordedCall } from '../../tools/dev/bot-api-double';
import { BotApiDoubleProcess } from '../../tools/dev/bot-api-double-remote';
import {
  BENCH_API_KEY,
  type BenchApp,
  type BenchSystem,
  loopLagMaxMs,
  sleep,
} from '../support/bench-system';
import { cpuMilliseconds, percentile, residentBytes } from '../support/process-stats';
import { log, type ScenarioResult } from './scenario';

/** BENCH_BROADCAST_SUBSCRIBERS and BENCH_BROADCAST_FREE_SECONDS make a quick trial run smaller. */
const SUBSCRIBERS = Number(process.env.BENCH_BROADCAST_SUBSCRIBERS ?? 100_000);
/** Apart from the chats of every other scenario (memory uses 60,000,001 on), which run in the same database. */
const FIRST_CHAT = 100_000_001;
const FREE_PER_SECOND = 30;
const PAID_PER_SECOND = 1000;
const FREE_WINDOW_MS = Number(process.env.BENCH_BROADCAST_FREE_SECONDS ?? 180) * 1000;
const ACCEPTS = 200;
const MiB = 2 ** 20;

/**
 * Broadcasts to 100,000 subscribers (set up through the event store in bulk, the read models
 * replayed from it): one message to everyone within the free limits, measured over three minutes;
 * then paid broadcasts to all of them with one delivery replica, with two, and with two of which
 * one is SIGKILLed halfway; the accept latency of a broadcast beside a one-recipient message.
 * The Bot API double answers after 30 ms and refuses with 429 beyond 30 free sends a second, 1000
 * sends of any kind, or one per chat a second.
 */
export async function broadcastScenario(system: BenchSystem): Promise<ScenarioResult> {
  const details: string[] = [];
  await system.ensureApp('api', { TELEGRAM_PAID_BROADCAST: 'on' });
  await system.ensureApp('scheduler');
  const setup = Date.now();
  await subscribeInBulk(system);
  details.push(
    `setup: ${SUBSCRIBERS.toLocaleString('en')} UserSubscribed appended in bulk and the read models replayed in ${((Date.now() - setup) / 1000).toFixed(1)} s`,
  );
  system.telegram.latencyMs = 30;
  system.telegram.enforcedLimits = {
    perSecond: FREE_PER_SECOND,
    chatIntervalMs: 1000,
    paidPerSecond: PAID_PER_SECOND,
  };

  const accept = await acceptLatency(system);
  details.push(
    `accept p99: broadcast to everyone ${accept.broadcastP99.toFixed(1)} ms, one recipient ${accept.singleP99.toFixed(1)} ms (${ACCEPTS} each, one at a time)`,
  );

  // BENCH_BROADCAST_TRIAL=paid1: only the paid broadcast with one replica, to study it alone.
  if (process.env.BENCH_BROADCAST_TRIAL === 'paid1') {
    const one = await paidBroadcast(system, 1, false);
    return {
      scenario: 'Broadcast trial: paid, 1 replica',
      figure: `${one.rate.toFixed(0)}/s; RSS +${(one.rssGrowth / MiB).toFixed(0)} MiB`,
      target: '—',
      met: false,
      details,
    };
  }
  const free = await freeBroadcast(system);
  details.push(
    `free: ${free.sent.toLocaleString('en')} sends in ${FREE_WINDOW_MS / 1000} s = ${free.rate.toFixed(2)}/s (${((free.rate / FREE_PER_SECOND) * 100).toFixed(1)}% of 30/s); ${free.refused} × 429; ${free.violations} violations; most sends in any 100 ms ${free.most100}, in any second ${free.most1000}; the double in ${free.doubleProcess}; longest event-loop stall: the double's ${free.doubleLoopMaxMs.toFixed(0)} ms, delivery ${free.deliveryLoopMaxMs.toFixed(0)} ms${free.refusedAfter.length > 0 ? `; each 429 came ${free.refusedAfter.map((ms) => `${ms} ms`).join(', ')} after the 30th send before it` : ''}`,
  );

  // BENCH_BROADCAST_TRIAL=free: only the three minutes within the free limits.
  if (process.env.BENCH_BROADCAST_TRIAL === 'free')
    return {
      scenario: 'Broadcast trial: free limits',
      figure: `${free.rate.toFixed(2)}/s, ${free.refused} × 429, max ${free.most100}/100 ms, ${free.most1000}/s`,
      target: '—',
      met: false,
      details,
    };

  const one = await paidBroadcast(system, 1, false);
  const two = await paidBroadcast(system, 2, false);
  const killed = await paidBroadcast(system, 2, true);
  for (const [label, run] of [
    ['paid, 1 replica', one],
    ['paid, 2 replicas', two],
    ['paid, 2 replicas, one SIGKILLed halfway', killed],
  ] as const) {
    details.push(
      `${label}: ${run.delivered.toLocaleString('en')} of ${SUBSCRIBERS.toLocaleString('en')} delivered in ${(run.ms / 1000).toFixed(1)} s = ${run.rate.toFixed(0)}/s; lost ${run.lost}, duplicates ${run.duplicates}${run.inFlightAtKill === undefined ? '' : ` (sends in flight at the kill: ${run.inFlightAtKill})`}; ${run.refused} × 429, ${run.violations} violations; delivery CPU ${run.cpuPerSendMs.toFixed(2)} ms/send; delivery RSS +${(run.rssGrowth / MiB).toFixed(1)} MiB; log ${run.logBytesPerRecipient.toFixed(0)} bytes of events per delivered recipient`,
    );
  }

  const met =
    free.rate / FREE_PER_SECOND >= 0.97 &&
    free.refused === 0 &&
    free.violations === 0 &&
    two.rate >= 400 &&
    [one, two, killed].every((run) => run.lost === 0 && run.violations === 0) &&
    one.duplicates === 0 &&
    two.duplicates === 0 &&
    killed.duplicates <= (killed.inFlightAtKill ?? 0) &&
    accept.broadcastP99 <= 2 * accept.singleP99 &&
    one.rssGrowth < 100 * MiB;
  return {
    scenario: 'Broadcast: 100,000 subscribers, free and paid limits',
    figure: `free ${free.rate.toFixed(2)}/s, ${free.refused} × 429, max ${free.most100}/100 ms; paid ${one.rate.toFixed(0)}/s (1), ${two.rate.toFixed(0)}/s (2); kill: lost ${killed.lost}, dup ${killed.duplicates}/${killed.inFlightAtKill ?? 0}; accept p99 ×${(accept.broadcastP99 / accept.singleP99).toFixed(2)}; RSS +${(one.rssGrowth / MiB).toFixed(0)} MiB`,
    target:
      'free ≥ 97% of 30/s, 0 × 429; paid ≥ 400/s with 2; 0 lost; dup ≤ in flight; accept ≤ 2×; RSS < 100 MiB',
    met,
    details,
  };
}

/** 100,000 UserSubscribed in the log in a few statements, then the read models replayed from it. */
async function subscribeInBulk(system: BenchSystem): Promise<void> {
  const orm = await MikroORM.init(ormOptions(system.databaseUrl));
  try {
    const metadata = { correlationId: randomUUID(), causationId: null, actor: 'bench' };
    for (let first = 0; first < SUBSCRIBERS; first += 10_000) {
      const rows = Array.from({ length: Math.min(10_000, SUBSCRIBERS - first) }, (_, n) => {
        const userId = randomUUID();
        const chatId = String(FIRST_CHAT + first + n);
        return {
          event_id: randomUUID(),
          stream_id: `subscriber-${userId}`,
          stream_version: 1,
          type: 'UserSubscribed',
          data: { userId, chatId, chatName: `bench ${chatId}`, profile: null, chatType: null },
          metadata,
        };
      });
      await orm.em.fork().execute(
        `INSERT INTO events (event_id, stream_id, stream_version, type, data, metadata)
         SELECT event_id, stream_id, stream_version, type, data, metadata
           FROM jsonb_to_recordset(?::jsonb)
             AS x(event_id uuid, stream_id text, stream_version int, type text, data jsonb, metadata jsonb)`,
        [JSON.stringify(rows)],
      );
    }
    await new ProjectionReplayer(orm, new PostgresEventStore(orm)).replay();
  } finally {
    await orm.close(true);
  }
}

async function schedule(fields: Record<string, string>): Promise<{ id: string; ms: number }> {
  return scheduleAt(fields, new Date(Date.now() + 3000));
}

let apiUrl = '';

async function scheduleAt(
  fields: Record<string, string>,
  at: Date,
): Promise<{ id: string; ms: number }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  form.set('scheduled_timestamp', at.toISOString());
  const started = performance.now();
  const response = await fetch(`${apiUrl}/schedule-message`, {
    method: 'POST',
    headers: { 'X-API-Key': BENCH_API_KEY },
    body: form,
  });
  const body = (await response.json()) as { id: string };
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`schedule-message: ${response.status} ${JSON.stringify(body)}`);
  return { id: body.id, ms };
}

/** Accepting a message to everyone beside one to a single recipient, far in the future. */
async function acceptLatency(
  system: BenchSystem,
): Promise<{ broadcastP99: number; singleP99: number }> {
  apiUrl = system.apiUrl;
  const [someone] = await system.query<{ user_id: string }>(
    'SELECT user_id FROM subscribers WHERE status = $1 LIMIT 1',
    ['active'],
  );
  const later = new Date(Date.UTC(2031, 0, 1));
  const broadcast: number[] = [];
  const single: number[] = [];
  for (let n = 0; n < ACCEPTS; n++) {
    broadcast.push((await scheduleAt({ target_all: 'true', message: `accept ${n}` }, later)).ms);
    single.push(
      (await scheduleAt({ target_user_id: someone!.user_id, message: `accept ${n}` }, later)).ms,
    );
  }
  return { broadcastP99: percentile(broadcast, 99), singleP99: percentile(single, 99) };
}

/** Returns the delivery queues to empty: what is left of a broadcast cut short. */
async function purgeDeliveryQueues(system: BenchSystem): Promise<void> {
  const topology = deliveryTopology(system.rabbitMq.exchange);
  const connection = await amqplib.connect(system.rabbitMq.url);
  try {
    const channel = await connection.createChannel();
    await channel.purgeQueue(topology.queue);
    await channel.purgeQueue(topology.partsQueue);
    await channel.close();
  } finally {
    await connection.close();
  }
}

function accepted(system: BenchSystem, text: string): RecordedCall[] {
  return system.telegram.calls.filter(
    (call) => call.method === 'sendMessage' && call.text === text && call.status === 200,
  );
}

/** A process's resident memory; if it is gone, why (the end of its log). */
function residentOf(app: BenchApp): number {
  try {
    return residentBytes(app.pid);
  } catch {
    throw new Error(
      `${app.name} ${app.pid} exited: ${readFileSync(app.logFile, 'utf8').slice(-3000)}`,
    );
  }
}

/** The most sends whose arrivals fall within any window of `windowMs`. */
function mostInWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

async function freeBroadcast(system: BenchSystem) {
  // Measured by the double's arrival stamps, so the double runs in a process of its own (see
  // tools/dev/bot-api-double-process.ts); BENCH_FREE_DOUBLE=inline keeps it in this process.
  const own =
    process.env.BENCH_FREE_DOUBLE === 'inline'
      ? undefined
      : await BotApiDoubleProcess.start({
          latencyMs: 30,
          limits: {
            perSecond: FREE_PER_SECOND,
            chatIntervalMs: 1000,
            paidPerSecond: PAID_PER_SECOND,
          },
        });
  const doubleUrl = own?.url ?? system.telegram.url;
  const callsSoFar = async (): Promise<RecordedCall[]> =>
    own ? await own.calls() : system.telegram.calls;
  const delivery = await system.ensureApp('delivery', {
    TELEGRAM_PAID_BROADCAST: 'on',
    TELEGRAM_API_ROOT: doubleUrl,
  });
  // How long each event loop stalled: the double's process's (its arrival stamps) and the
  // sender's. A 429 with 34 ms slots needs an arrival stamped 20 ms late against the thirty before.
  const inlineLoop = monitorEventLoopDelay({ resolution: 5 });
  inlineLoop.enable();
  await loopLagMaxMs(delivery.url);
  if (own) await own.loopMaxMs();
  const text = 'free broadcast';
  const firstCall = (await callsSoFar()).length;
  const ofThis = (calls: readonly RecordedCall[]) =>
    calls.slice(firstCall).filter((call) => call.method === 'sendMessage' && call.text === text);
  await schedule({ target_all: 'true', message: text });
  const start = Date.now();
  let firstAt: number | undefined;
  while (firstAt === undefined) {
    if (Date.now() - start > 60_000) throw new Error(`No send: ${delivery.logFile}`);
    await sleep(200);
    firstAt = ofThis(await callsSoFar()).find((call) => call.status === 200)?.receivedAt;
  }
  await sleep(firstAt + FREE_WINDOW_MS - Date.now());
  const windowEnd = firstAt + FREE_WINDOW_MS;
  const calls = ofThis(await callsSoFar()).filter((call) => call.receivedAt < windowEnd);
  const deliveryLoopMaxMs = await loopLagMaxMs(delivery.url);
  const doubleStallMs = own ? await own.loopMaxMs() : inlineLoop.max / 1e6;
  inlineLoop.disable();
  const violations = own
    ? await own.limitViolations(FREE_PER_SECOND, 20, PAID_PER_SECOND)
    : system.telegram.limitViolations(FREE_PER_SECOND, 20, PAID_PER_SECOND);
  await system.stopApp('delivery');
  await own?.stop();
  await purgeDeliveryQueues(system);
  const sends = calls.filter((call) => call.status === 200).map((call) => call.receivedAt);
  sends.sort((a, b) => a - b);
  const rate = (sends.length - 1) / ((sends.at(-1)! - sends[0]!) / 1000);
  log(`broadcast free: ${sends.length} sends, ${rate.toFixed(2)}/s`);
  return {
    doubleProcess: own ? 'its own process' : "the benchmark's process",
    sent: sends.length,
    rate,
    refused: calls.filter((call) => call.status === 429).length,
    violations: violations.bot + violations.chat + violations.group,
    most100: mostInWindow(sends, 100),
    most1000: mostInWindow(sends, 1000),
    doubleLoopMaxMs: doubleStallMs,
    deliveryLoopMaxMs,
    refusedAfter: calls
      .filter((call) => call.status === 429)
      .map((call) => {
        // The span of the thirty sends let through before the refused one.
        const before = sends.filter((at) => at <= call.receivedAt).slice(-30);
        return call.receivedAt - before[0]!;
      }),
  };
}

async function paidBroadcast(system: BenchSystem, replicas: 1 | 2, killHalfway: boolean) {
  const env = {
    TELEGRAM_PAID_BROADCAST: 'on',
    // BENCH_DELIVERY_NODE_OPTIONS: e.g. a heap limit, to tell garbage not yet collected from a leak.
    ...(process.env.BENCH_DELIVERY_NODE_OPTIONS
      ? { NODE_OPTIONS: process.env.BENCH_DELIVERY_NODE_OPTIONS }
      : {}),
  };
  const processes: BenchApp[] = [await system.ensureApp('delivery', env, { fresh: true })];
  if (replicas === 2) processes.push(await system.startAnother('delivery', env));
  const cpuBefore = processes.map((process) => cpuMilliseconds(process.pid));
  const text = `paid broadcast ${replicas}${killHalfway ? ' killed' : ''}`;
  const firstCall = system.telegram.calls.length;
  const { id } = await schedule({ target_all: 'true', message: text, paid_broadcast: 'true' });
  // Memory is measured from the moment the first part is done (the process warmed up: its
  // connections, compiled code and first part behind it) to the end.
  let rssBefore: number | undefined;
  let rssPeak = 0;
  let killedAt: number | undefined;
  const cpuAtKill: number[] = [];
  for (const deadline = Date.now() + 900_000; ;) {
    await sleep(1000);
    const done = accepted(system, text).length;
    const rss = residentOf(processes[0]!);
    if (rssBefore === undefined && done >= Math.min(1000, SUBSCRIBERS / 10)) rssBefore = rss;
    rssPeak = Math.max(rssPeak, rss);
    if (killHalfway && killedAt === undefined && done >= SUBSCRIBERS / 2) {
      const victim = processes[1]!;
      cpuAtKill.push(cpuMilliseconds(victim.pid) - cpuBefore[1]!);
      killedAt = Date.now();
      await victim.kill();
      log(`broadcast: replica ${victim.pid} SIGKILLed after ${done} sends`);
    }
    const [sent] = await system.query<{ sent: string }>(
      `SELECT count(*) AS sent FROM events WHERE type = 'MessageSent' AND data->>'messageId' = $1`,
      [id],
    );
    if (Number(sent?.sent) === 1) break;
    if (Date.now() > deadline) throw new Error(`${text}: not sent within 15 minutes`);
  }
  const calls = system.telegram.calls
    .slice(firstCall)
    .filter((call) => call.method === 'sendMessage' && call.text === text);
  const ok = calls.filter((call) => call.status === 200);
  const perChat = new Map<string, number>();
  for (const call of ok) perChat.set(call.chatId!, (perChat.get(call.chatId!) ?? 0) + 1);
  const duplicates = [...perChat.values()].reduce((sum, count) => sum + count - 1, 0);
  const times = ok.map((call) => call.receivedAt).sort((a, b) => a - b);
  const ms = times.at(-1)! - times[0]!;
  const cpu = processes
    .filter((process) => !killHalfway || process !== processes[1])
    .reduce((sum, process, index) => sum + cpuMilliseconds(process.pid) - cpuBefore[index]!, 0);
  const cpuTotal = cpu + (cpuAtKill[0] ?? 0);
  const violations = system.telegram.limitViolations(FREE_PER_SECOND, 20, PAID_PER_SECOND);
  // In flight at the kill: sends Telegram accepted that the log does not know. Every process
  // that lives records each send it made; those left are the dead replica's, made in the instant
  // before the kill (some reach the double, whose clock is this busy process's, a little after
  // it), and another replica sends each of them again.
  let inFlightAtKill: number | undefined;
  if (killedAt !== undefined) {
    const recorded = new Set(
      (
        await system.query<{ chat: string; telegram: string }>(
          `SELECT data->>'chatId' AS chat, data->>'telegramMessageId' AS telegram FROM events
            WHERE type = 'RecipientPartSent' AND data->>'messageId' = $1`,
          [id],
        )
      ).map((row) => `${row.chat}/${row.telegram}`),
    );
    inFlightAtKill = ok.filter((call) => !recorded.has(`${call.chatId}/${call.messageId}`)).length;
  }
  const [size] = await system.query<{ bytes: string }>(
    `SELECT sum(octet_length(data::text) + octet_length(metadata::text) + octet_length(stream_id) + 64) AS bytes
       FROM events WHERE data->>'messageId' = $1`,
    [id],
  );
  for (const process of processes.slice(1)) await process.stop();
  log(`${text}: ${ok.length} sends in ${(ms / 1000).toFixed(1)} s`);
  return {
    delivered: perChat.size,
    lost: SUBSCRIBERS - perChat.size,
    duplicates,
    inFlightAtKill,
    ms,
    rate: (ok.length - 1) / (ms / 1000),
    refused: calls.filter((call) => call.status === 429).length,
    violations: violations.bot + violations.chat + violations.group,
    cpuPerSendMs: cpuTotal / ok.length,
    rssGrowth: rssPeak - (rssBefore ?? rssPeak),
    logBytesPerRecipient: Number(size?.bytes) / perChat.size,
  };
}
