import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import {
  connectOrm,
  createTestDatabase,
  type TestDatabase,
} from '../../../test/support/test-database';
import {
  ChatAlreadyHeldError,
  checkpointOf,
  LOG_START,
  type LogCheckpoint,
  type StoredEvent,
  StreamVersionConflictError,
} from './event-store';
import { eventStoreContract, readEverything } from './event-store.contract';
import { type InlineProjection, PostgresEventStore } from './postgres-event-store';
import { projectToReadModels } from '../../projections/src/read-model-projector';

eventStoreContract('PostgresEventStore', async () => {
  const database = await createTestDatabase();
  const orm = await connectOrm(database.url);
  return {
    // With the read models, whose unique index holds "one chat, one active subscription".
    store: new PostgresEventStore(orm, projectToReadModels),
    teardown: async () => {
      await orm.close(true);
      await database.drop();
    },
  };
});

describe('PostgresEventStore reading the log while transactions commit out of order', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let store: PostgresEventStore;
  const clients: Client[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    orm = await connectOrm(database.url);
    store = new PostgresEventStore(orm);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end()));
    await orm.close(true);
    await database.drop();
  });

  async function connection(): Promise<Client> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    clients.push(client);
    return client;
  }

  /** Inserts one event in the client's open transaction; returns the position it took. */
  async function insert(client: Client, streamId: string): Promise<number> {
    const { rows } = await client.query<{ position: string }>(
      `INSERT INTO events (event_id, stream_id, stream_version, type, data, metadata)
       VALUES ($1, $2, 1, 'UserSubscribed', '{}', '{}') RETURNING position`,
      [randomUUID(), streamId],
    );
    return Number(rows[0]!.position);
  }

  /** A reader that keeps its checkpoint, as the outbox relay and projectors do. */
  function reader(from: LogCheckpoint) {
    let checkpoint = from;
    const seen: StoredEvent[] = [];
    return {
      seen,
      async poll() {
        const page = await readEverything(store, checkpoint, 50);
        seen.push(...page);
        if (page.length > 0) checkpoint = checkpointOf(page.at(-1)!);
        return page;
      },
      /**
       * Polls until `count` events were seen. Any write transaction in the cluster (another test
       * file creating its database, say) holds readers back while it runs: it delays, never skips.
       */
      async pollUntil(count: number, timeoutMs = 15_000) {
        const deadline = Date.now() + timeoutMs;
        while (seen.length < count && Date.now() < deadline) {
          await this.poll();
          if (seen.length < count) await new Promise((resolve) => setTimeout(resolve, 20));
        }
      },
    };
  }

  async function endOfLog(): Promise<LogCheckpoint> {
    const all = await readEverything(store);
    return all.length > 0 ? checkpointOf(all.at(-1)!) : LOG_START;
  }

  it('does not pass over an event that commits after a later position was read', async () => {
    const [a, b] = [await connection(), await connection()];
    const log = reader(await endOfLog());
    await a.query('BEGIN');
    await b.query('BEGIN');
    const first = await insert(a, 'interleave-a');
    const second = await insert(b, 'interleave-b');
    expect(second).toBeGreaterThan(first);
    await b.query('COMMIT');

    // B committed position `second` while A still holds the lower `first`: B must wait.
    expect(await log.poll()).toEqual([]);

    await a.query('COMMIT');
    await log.pollUntil(2);
    expect(log.seen.map((event) => event.position)).toEqual([first, second]);
  });

  it('reads an event with a lower position after a higher one when its transaction is younger', async () => {
    const [a, b] = [await connection(), await connection()];
    const log = reader(await endOfLog());
    await b.query('BEGIN');
    await b.query('SELECT pg_current_xact_id()'); // B's transaction id is now older than A's
    await a.query('BEGIN');
    const lower = await insert(a, 'younger-transaction');
    const higher = await insert(b, 'older-transaction');
    expect(higher).toBeGreaterThan(lower);
    await b.query('COMMIT');

    // Readable while A is still open: every transaction that could still commit is younger than B's.
    await log.pollUntil(1);
    expect(log.seen.map((event) => event.position)).toEqual([higher]);

    await a.query('COMMIT');
    await log.pollUntil(2);
    // A reader that kept only the highest position seen would have skipped `lower` for good.
    expect(log.seen.map((event) => event.position)).toEqual([higher, lower]);
  });

  it('sees every event exactly once while many writers commit in random order', async () => {
    const writers = await Promise.all(Array.from({ length: 6 }, () => connection()));
    const log = reader(await endOfLog());
    const committed: number[] = [];
    let writing = true;
    const polling = (async () => {
      while (writing) {
        await log.poll();
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await Promise.all(
      writers.map(async (client, writer) => {
        for (let round = 0; round < 15; round++) {
          await client.query('BEGIN');
          if (Math.random() < 0.5) await client.query('SELECT pg_current_xact_id()');
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
          const position = await insert(client, `writer-${writer}-${round}`);
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
          if (Math.random() < 0.15) {
            await client.query('ROLLBACK');
          } else {
            await client.query('COMMIT');
            committed.push(position);
          }
        }
      }),
    );
    writing = false;
    await polling;
    await log.pollUntil(committed.length);
    const seen = log.seen.map((event) => event.position);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((x, y) => x - y)).toEqual([...committed].sort((x, y) => x - y));
  });
});

describe('PostgresEventStore ordering the log by transaction id as a number', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    orm = await connectOrm(database.url);
    store = new PostgresEventStore(orm);
    // Two events of transactions 99 and 100, as a log whose transaction ids gain a digit has
    // them: as text, '100' sorts before '99'.
    for (const [transactionId, streamId] of [
      ['99', 'digits-a'],
      ['100', 'digits-b'],
    ] as const) {
      await orm.em.fork().execute(
        `INSERT INTO events (event_id, stream_id, stream_version, type, data, metadata, transaction_id)
         VALUES (?, ?, 1, 'UserSubscribed', '{}', '{}', ?::xid8)`,
        [randomUUID(), streamId, transactionId],
      );
    }
  });
  afterAll(async () => {
    await orm.close(true);
    await database.drop();
  });

  it('reads page after page across a transaction id that gains a digit, passing over nothing', async () => {
    const first = await store.readAll(LOG_START, 1);
    expect(first.map((event) => event.streamId)).toEqual(['digits-a']);
    const second = await store.readAll(checkpointOf(first[0]!), 1);
    expect(second.map((event) => event.streamId)).toEqual(['digits-b']);
    expect(await store.endOfLog()).toEqual(checkpointOf(second[0]!));
  });
});

describe('PostgresEventStore and event schema versions', () => {
  const own = storeOnOwnDatabase();

  const attachment = {
    objectKey: 'attachments/m/1-notes.txt',
    fileName: 'notes.txt',
    contentType: 'text/plain',
    size: 5,
    sha256: 'cd'.repeat(32),
  };

  it('reads a MessageScheduled stored at schema version 1 in the current shape', async () => {
    const messageId = randomUUID();
    // As the code of schema version 1 wrote it: no declaredContentType.
    await own.orm.em.fork().execute(
      `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata)
       VALUES (?, ?, 1, 'MessageScheduled', 1, ?::jsonb, '{"actor":"api-key:old","correlationId":"c","causationId":null}')`,
      [
        randomUUID(),
        `message-${messageId}`,
        JSON.stringify({
          messageId,
          recipients: [randomUUID()],
          text: 'from before',
          scheduledAt: '2030-01-01T00:00:00.000Z',
          attachments: [attachment],
        }),
      ],
    );
    const [event] = await own.store.readStream(`message-${messageId}`);
    expect(event).toMatchObject({
      type: 'MessageScheduled',
      schemaVersion: 11,
      data: {
        attachments: [{ ...attachment, declaredContentType: 'text/plain', image: null }],
        fromSender: null,
        paidBroadcast: false,
        sendOptions: {
          disableNotification: false,
          protectContent: false,
          messageThreadId: null,
          linkPreview: 'on',
          parseMode: 'plain',
        },
        buttons: [],
      },
    });
  });

  it('stores new events at their current schema version', async () => {
    const messageId = randomUUID();
    await own.store.append(
      `message-${messageId}`,
      [
        {
          type: 'MessageScheduled',
          data: {
            messageId,
            recipients: [randomUUID()],
            text: 'now',
            scheduledAt: '2030-01-01T00:00:00.000Z',
            attachments: [
              { ...attachment, declaredContentType: 'application/octet-stream', image: null },
            ],
            fromSender: 'crm',
            series: null,
            audience: null,
            paidBroadcast: false,
            sendOptions: {
              disableNotification: true,
              protectContent: false,
              messageThreadId: 7,
              linkPreview: 'off',
              parseMode: 'HTML',
              deleteAfter: 60,
              sendAs: 'media',
              asAlbum: true,
            },
            buttons: [[{ text: 'Open', url: 'https://example.com' }]],
          },
        },
      ],
      {
        expectedVersion: 'no_stream',
        metadata: { actor: 'test', correlationId: 'c', causationId: null },
      },
    );
    const [row] = await own.orm.em
      .fork()
      .execute<{ schema_version: number; declared: string; sender: string }[]>(
        `SELECT schema_version, data->'attachments'->0->>'declaredContentType' AS declared,
                data->>'fromSender' AS sender
           FROM events WHERE stream_id = ?`,
        [`message-${messageId}`],
      );
    expect(row).toEqual({
      schema_version: 11,
      declared: 'application/octet-stream',
      sender: 'crm',
    });
  });
});

describe('PostgresEventStore committing concurrent appends together', () => {
  const own = storeOnOwnDatabase(projectToReadModels);

  const metadata = { correlationId: 'c', causationId: null, actor: 'test' };
  const subscribe = (userId: string, chatId: string) =>
    own.store.append(
      `subscriber-${userId}`,
      [
        {
          type: 'UserSubscribed',
          data: { userId, chatId, chatName: 'x', profile: null, chatType: null },
        },
      ],
      { expectedVersion: 'no_stream', metadata },
    );

  it('does not apply an event again when a retried append finds the stream moved on', async () => {
    const userId = randomUUID();
    const eventId = randomUUID();
    const first = [
      {
        eventId,
        type: 'UserSubscribed' as const,
        data: { userId, chatId: '777', chatName: 'x', profile: null, chatType: null },
      },
    ];
    await own.store.append(`subscriber-${userId}`, first, {
      expectedVersion: 'no_stream',
      metadata,
    });
    await own.store.append(
      `subscriber-${userId}`,
      [{ type: 'UserUnsubscribed', data: { userId, chatId: '777', reason: 'requested' } }],
      { expectedVersion: 1, metadata },
    );
    // The first append again, as a client retrying after a lost answer sends it.
    const retried = await own.store.append(`subscriber-${userId}`, first, {
      expectedVersion: 'no_stream',
      metadata,
    });
    expect(retried.alreadyStored).toBe(true);
    const [row] = await own.orm.em
      .fork()
      .execute<{ status: string }[]>('SELECT status FROM subscribers WHERE user_id = ?', [userId]);
    expect(row?.status).toBe('unsubscribed');
  });

  it('gives each append its own outcome when conflicting and failing appends share a batch', async () => {
    const counts = async () => {
      const [row] = await own.orm.em
        .fork()
        .execute<{ events: string; subscribers: string; transactions: string }[]>(
          `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM subscribers) AS subscribers, (SELECT count(DISTINCT transaction_id) FROM events) AS transactions`,
        );
      return {
        events: Number(row!.events),
        subscribers: Number(row!.subscribers),
        transactions: Number(row!.transactions),
      };
    };
    const before = await counts();
    const users = Array.from({ length: 40 }, () => randomUUID());
    // 40 subscriptions at once; 5 of them also raced by a second append to the same stream
    // (a version conflict), and 5 by another user taking the same chat (a read-model unique
    // index that fails the whole batch's statement).
    const outcomes = await Promise.allSettled([
      ...users.map((userId, n) => subscribe(userId, String(1000 + n))),
      ...users.slice(0, 5).map((userId, n) => subscribe(userId, String(2000 + n))),
      ...users.slice(5, 10).map((_, n) => subscribe(randomUUID(), String(1005 + n))),
    ]);
    const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const rejected = outcomes.filter(
      (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
    );
    expect(fulfilled).toHaveLength(40);
    expect(rejected).toHaveLength(10);
    expect(rejected.filter((r) => r.reason instanceof StreamVersionConflictError)).toHaveLength(5);
    expect(rejected.filter((r) => r.reason instanceof ChatAlreadyHeldError)).toHaveLength(5);
    // The log and the read model agree: 40 subscriptions, each once.
    const after = await counts();
    expect(after.events - before.events).toBe(40);
    expect(after.subscribers - before.subscribers).toBe(40);
    // Committed together: fewer transactions than appends.
    expect(after.transactions - before.transactions).toBeLessThan(40);
  });
});

/** A store on a database of its own for the enclosing describe block, dropped after it. */
function storeOnOwnDatabase(projection?: InlineProjection): {
  orm: MikroORM;
  store: PostgresEventStore;
} {
  const own = {} as { orm: MikroORM; store: PostgresEventStore; database: TestDatabase };
  beforeAll(async () => {
    own.database = await createTestDatabase();
    own.orm = await connectOrm(own.database.url);
    own.store = new PostgresEventStore(own.orm, projection);
  });
  afterAll(async () => {
    await own.orm.close(true);
    await own.database.drop();
  });
  return own;
}
