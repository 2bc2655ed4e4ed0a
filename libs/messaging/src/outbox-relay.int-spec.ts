import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import amqplib from 'amqplib';
import { EventCollector } from '../../../test/support/event-collector';
import { rabbitMqUrl } from '../../../test/support/services';
import { TcpProxy } from '../../../test/support/tcp-proxy';
import {
  connectOrm,
  createTestDatabase,
  type TestDatabase,
  testVhost,
} from '../../../test/support/test-database';
import type { EventMetadata, NewEvent } from '../../event-store/src/event-store';
import { PostgresEventStore } from '../../event-store/src/postgres-event-store';
import { CheckpointStore } from '../../event-store/src/checkpoint-store';
import { EventPublisher } from './event-publisher';
import { DEFAULT_OUTBOX_OPTIONS, OutboxRelay } from './outbox-relay';
import { deliveryTopology } from './topology';

const metadata: EventMetadata = { correlationId: randomUUID(), causationId: null, actor: 'test' };

function subscribed(): NewEvent {
  const userId = randomUUID();
  return {
    type: 'UserSubscribed',
    data: { userId, chatId: '42', chatName: 'relay-test', profile: null, chatType: null },
  };
}

describe('OutboxRelay', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let store: PostgresEventStore;
  const exchange = `events-${randomUUID()}`;
  const options = {
    ...DEFAULT_OUTBOX_OPTIONS,
    batchSize: 25,
    idleMs: 20,
    retryMs: 50,
    maxRetryMs: 400,
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    orm = await connectOrm(database.url);
    store = new PostgresEventStore(orm);
  });
  afterAll(async () => {
    await orm.close(true);
    await database.drop();
  });

  async function appendMany(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      const event = subscribed();
      const { events } = await store.append(`subscriber-${randomUUID()}`, [event], {
        expectedVersion: 'no_stream',
        metadata,
      });
      ids.push(events[0]!.eventId);
    }
    return ids;
  }

  it('publishes every event, persistent, keyed by type, with the event id as message id', async () => {
    const collector = new EventCollector(rabbitMqUrl(testVhost()), exchange);
    await collector.start();
    const publisher = new EventPublisher(rabbitMqUrl(testVhost()), exchange);
    publisher.connect();
    const relay = new OutboxRelay(store, new CheckpointStore(orm), publisher, {
      ...options,
      checkpointName: 'plain',
    });
    relay.start();
    try {
      const ids = await appendMany(40);
      await collector.waitFor(() => ids.every((id) => collector.distinctIds().has(id)));
      const message = collector.received.find((received) => received.messageId === ids[0]);
      expect(message).toMatchObject({ routingKey: 'UserSubscribed', persistent: true });
      expect(message?.body.eventId).toBe(ids[0]);
    } finally {
      await relay.stop();
      await publisher.close();
      await collector.stop();
    }
  });

  it('loses nothing when the broker connection is cut mid-stream; repeats carry the same message id', async () => {
    const collector = new EventCollector(rabbitMqUrl(testVhost()), exchange);
    await collector.start();
    const proxy = new TcpProxy('127.0.0.1', 5672);
    const port = await proxy.listen();
    const publisher = new EventPublisher(
      `amqp://guest:guest@127.0.0.1:${port}/${encodeURIComponent(testVhost())}`,
      exchange,
      2000,
    );
    publisher.connect();
    const relay = new OutboxRelay(store, new CheckpointStore(orm), publisher, {
      ...options,
      checkpointName: 'cut',
    });
    relay.start();
    try {
      const appending = appendMany(300);
      // Cut three times while events are flowing.
      for (const threshold of [40, 120, 200]) {
        await collector.waitFor(() => collector.received.length >= threshold);
        proxy.cutAll();
      }
      const ids = await appending;
      await collector.waitFor(() => ids.every((id) => collector.distinctIds().has(id)), 60_000);
      expect(proxy.cuts).toBe(3);
      for (const message of collector.received)
        expect(message.messageId).toBe(message.body.eventId);
      const ours = collector.received.filter((message) => ids.includes(message.messageId));
      expect(new Set(ours.map((message) => message.messageId)).size).toBe(300);
    } finally {
      await relay.stop();
      await publisher.close();
      await proxy.close();
      await collector.stop();
    }
  });

  it('publishes what was committed while no relay ran, from the stored checkpoint', async () => {
    const collector = new EventCollector(rabbitMqUrl(testVhost()), exchange);
    await collector.start();
    const publisher = new EventPublisher(rabbitMqUrl(testVhost()), exchange);
    publisher.connect();
    const checkpoints = new CheckpointStore(orm);
    const first = new OutboxRelay(store, checkpoints, publisher, {
      ...options,
      checkpointName: 'restart',
    });
    try {
      const before = await appendMany(10);
      first.start();
      await collector.waitFor(() => before.every((id) => collector.distinctIds().has(id)));
      await first.stop(); // as a crash would, minus the crash: the next relay starts from the checkpoint
      const during = await appendMany(10);
      const published = collector.received.length;
      const second = new OutboxRelay(store, checkpoints, publisher, {
        ...options,
        checkpointName: 'restart',
      });
      second.start();
      await collector.waitFor(() => during.every((id) => collector.distinctIds().has(id)));
      await second.stop();
      // Nothing before the checkpoint was published again.
      expect(
        collector.received
          .slice(published)
          .map((message) => message.messageId)
          .sort(),
      ).toEqual([...during].sort());
    } finally {
      await publisher.close();
      await collector.stop();
    }
  });

  it('keeps a MessageDue published before any delivery process started, in the delivery queue', async () => {
    const ownExchange = `events-${randomUUID()}`;
    const publisher = new EventPublisher(rabbitMqUrl(testVhost()), ownExchange);
    publisher.connect();
    const relay = new OutboxRelay(store, new CheckpointStore(orm), publisher, {
      ...options,
      checkpointName: 'early',
    });
    try {
      const messageId = randomUUID();
      await store.append(
        `message-${messageId}`,
        [{ type: 'MessageDue', data: { messageId, scheduledAt: new Date().toISOString() } }],
        { expectedVersion: 'any', metadata },
      );
      const connection = await amqplib.connect(rabbitMqUrl(testVhost()));
      // The queue as the broker has it; none while the publisher has not declared it yet.
      const queued = async () => {
        const channel = await connection.createChannel();
        channel.on('error', () => undefined);
        try {
          return (await channel.checkQueue(deliveryTopology(ownExchange).queue)).messageCount;
        } catch {
          return 0;
        }
      };
      // The relay sees the event once every older transaction of the cluster has ended (other
      // test files run beside this one): catch up until it is published, for 15 s at most.
      let messageCount = 0;
      for (const deadline = Date.now() + 15_000; messageCount === 0 && Date.now() < deadline;) {
        await relay.catchUp();
        messageCount = await queued();
        if (messageCount === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await connection.close();
      expect(messageCount).toBeGreaterThanOrEqual(1);
    } finally {
      await publisher.close();
    }
  });

  it('lets one relay of several publish at a time', async () => {
    const checkpoints = new CheckpointStore(orm);
    const [a, b] = [`owner-${randomUUID()}`, `owner-${randomUUID()}`];
    expect(await checkpoints.acquire('lease', a, 60_000)).not.toBeNull();
    expect(await checkpoints.acquire('lease', b, 60_000)).toBeNull();
    expect(await checkpoints.acquire('lease', a, 60_000)).not.toBeNull();
    await checkpoints.release('lease', a);
    expect(await checkpoints.acquire('lease', b, 60_000)).not.toBeNull();
    expect(await checkpoints.save('lease', a, { transactionId: '1', position: 1 }, 60_000)).toBe(
      false,
    );
  });
});
