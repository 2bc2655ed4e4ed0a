/**
 * Replay speed: builds a log of realistic events in a database of its own, replays every
 * projection from position 0, and prints events per second. `npm run bench:replay [-- <messages>]`
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { migrate } from '../libs/database/src/migrate';
import { ormOptions } from '../libs/database/src/orm-options';
import type { DomainEvent } from '../libs/domain/src/events';
import { PostgresEventStore } from '../libs/event-store/src/postgres-event-store';
import { ProjectionReplayer } from '../libs/projections/src/replay/projection-replayer';

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MESSAGES = Number(process.argv[2] ?? 20_000);
const SUBSCRIBERS = 1_000;
const RECIPIENTS_PER_MESSAGE = 3;

interface Row {
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: DomainEvent['type'];
  data: DomainEvent['data'];
  metadata: object;
}

/** The events a system that ran a while would hold: subscriptions, then messages sent. */
function* history(): Generator<Row> {
  const metadata = { correlationId: randomUUID(), causationId: null, actor: 'bench' };
  const users = Array.from({ length: SUBSCRIBERS }, (_, n) => ({
    userId: randomUUID(),
    chatId: String(10_000_000 + n),
  }));
  for (const user of users) {
    yield {
      event_id: randomUUID(),
      stream_id: `subscriber-${user.userId}`,
      stream_version: 1,
      type: 'UserSubscribed',
      data: {
        userId: user.userId,
        chatId: user.chatId,
        chatName: `chat ${user.chatId}`,
        profile: null,
        chatType: null,
      },
      metadata,
    };
  }
  for (let n = 0; n < MESSAGES; n++) {
    const messageId = randomUUID();
    const stream_id = `message-${messageId}`;
    const recipients = Array.from(
      { length: RECIPIENTS_PER_MESSAGE },
      (_, k) => users[(n * RECIPIENTS_PER_MESSAGE + k) % users.length]!,
    );
    const scheduledAt = new Date(Date.UTC(2030, 0, 1) + n * 60_000).toISOString();
    const events: Omit<Row, 'event_id' | 'stream_id' | 'stream_version' | 'metadata'>[] = [
      {
        type: 'MessageScheduled',
        data: {
          messageId,
          recipients: recipients.map((user) => user.userId),
          text: `Message number ${n}`,
          scheduledAt,
          attachments: [],
        },
      },
    ];
    // Most messages have been sent; one in ten still waits.
    if (n % 10 !== 0) {
      events.push({ type: 'MessageDue', data: { messageId, scheduledAt } });
      for (const user of recipients) {
        events.push({
          type: 'RecipientPartSent',
          data: {
            messageId,
            userId: user.userId,
            chatId: user.chatId,
            part: 0,
            telegramMessageId: n,
          },
        });
        events.push({
          type: 'RecipientDelivered',
          data: { messageId, userId: user.userId, chatId: user.chatId, telegramMessageIds: [n] },
        });
      }
      events.push({
        type: 'MessageSent',
        data: { messageId, delivered: recipients.length, failed: 0 },
      });
    }
    let version = 0;
    for (const event of events)
      yield {
        ...event,
        event_id: randomUUID(),
        stream_id,
        stream_version: ++version,
        metadata,
      };
  }
}

async function main(): Promise<void> {
  const name = `sm_bench_replay_${process.pid}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await migrate(databaseUrl);
    const orm = await MikroORM.init(ormOptions(databaseUrl));
    try {
      const loading = Date.now();
      let chunk: Row[] = [];
      let total = 0;
      const flush = async () => {
        await orm.em.fork().execute(
          `INSERT INTO events (event_id, stream_id, stream_version, type, data, metadata)
           SELECT event_id, stream_id, stream_version, type, data, metadata
             FROM jsonb_to_recordset(?::jsonb)
               AS x(event_id uuid, stream_id text, stream_version int, type text, data jsonb, metadata jsonb)`,
          [JSON.stringify(chunk)],
        );
        total += chunk.length;
        chunk = [];
      };
      for (const row of history()) {
        chunk.push(row);
        if (chunk.length === 5_000) await flush();
      }
      await flush();
      await orm.em.fork().execute('VACUUM ANALYZE events');
      process.stderr.write(`Loaded ${total} events in ${Date.now() - loading} ms\n`);

      const replayer = new ProjectionReplayer(orm, new PostgresEventStore(orm));
      const results = [];
      for (let run = 1; run <= 3; run++) {
        const report = await replayer.replay();
        results.push(report);
        process.stderr.write(
          `run ${run}: ${report.events} events in ${report.durationMs} ms (fold ${report.foldMs} ms, swap ${report.swapMs} ms)\n`,
        );
      }
      const best = results.reduce((a, b) => (a.durationMs <= b.durationMs ? a : b));
      const rate = Math.round((best.events / best.durationMs) * 1000);
      process.stdout.write(
        [
          `replay: ${best.events} events into ${best.projections.join(' + ')}`,
          `  best of 3: ${best.durationMs} ms = ${rate} events/s (target >= 20000)`,
          `  reading and folding the log: ${best.foldMs} ms; the swap (appends waiting): ${best.swapMs} ms`,
          `  rows: ${Object.entries(best.rows)
            .map(([table, count]) => `${table} ${count}`)
            .join(', ')}`,
          `  machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
          '',
        ].join('\n'),
      );
    } finally {
      await orm.close(true);
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
