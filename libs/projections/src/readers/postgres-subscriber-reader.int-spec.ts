import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  connectOrm,
  countingQueries,
  createTestDatabase,
  type TestDatabase,
} from '../../../../test/support/test-database';
import { PostgresSubscriberReader } from './postgres-subscriber-reader';

describe('PostgresSubscriberReader', () => {
  let database: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    database = await createTestDatabase();
    orm = await connectOrm(database.url);
  });
  afterAll(async () => {
    await orm.close(true);
    await database.drop();
  });

  async function subscriber(status: 'active' | 'unsubscribed'): Promise<string> {
    const userId = randomUUID();
    await orm.em.fork().execute(
      `INSERT INTO subscribers (user_id, chat_id, chat_name, status, created_at, updated_at, last_position)
       VALUES (?, ?, 'x', ?, now(), now(), 1)`,
      [userId, String(Math.floor(Math.random() * 1e12)), status],
    );
    return userId;
  }

  it('reads whole records asked for at once, each caller its own, in fewer queries', async () => {
    const active = await Promise.all(Array.from({ length: 20 }, () => subscriber('active')));
    const gone = await subscriber('unsubscribed');
    const counting = countingQueries(orm);
    const reader = new PostgresSubscriberReader(counting.orm);
    const answers = await Promise.all([
      ...active.map((userId) => reader.byUserIds([userId, randomUUID()])),
      reader.byUserIds([gone, active[0]!, gone]),
    ]);
    active.forEach((userId, n) => {
      expect(answers[n]!.map((record) => [record.userId, record.status])).toEqual([
        [userId, 'active'],
      ]);
    });
    expect(answers[20]!.map((record) => [record.userId, record.status])).toEqual([
      [gone, 'unsubscribed'],
      [active[0], 'active'],
    ]);
    expect(counting.queries()).toBeLessThan(21);
  });

  it('answers lookups made at once, each with its own subscribers, in fewer queries', async () => {
    const active = await Promise.all(Array.from({ length: 20 }, () => subscriber('active')));
    const gone = await subscriber('unsubscribed');
    const unknown = randomUUID();
    const counting = countingQueries(orm);
    const reader = new PostgresSubscriberReader(counting.orm);
    const answers = await Promise.all([
      ...active.map((userId) => reader.statuses([userId, unknown])),
      reader.statuses([gone, active[0]!]),
    ]);
    active.forEach((userId, n) => {
      expect([...answers[n]!]).toEqual([[userId, 'active']]);
    });
    expect(answers[20]).toEqual(
      new Map([
        [gone, 'unsubscribed'],
        [active[0], 'active'],
      ]),
    );
    expect(counting.queries()).toBeLessThan(21);
    expect(await reader.statuses([])).toEqual(new Map());
    expect(await reader.statuses(['not-a-uuid'])).toEqual(new Map());
  });

  it('fails every lookup of a batch whose query fails, and goes on working afterwards', async () => {
    let failNext = true;
    const failing = new Proxy(orm, {
      get(target, property, receiver) {
        if (property !== 'em') return Reflect.get(target, property, receiver) as unknown;
        const em = target.em.fork();
        if (!failNext) return em;
        failNext = false;
        return { fork: () => ({ execute: () => Promise.reject(new Error('connection lost')) }) };
      },
    });
    const reader = new PostgresSubscriberReader(failing);
    const userId = await subscriber('active');
    await expect(reader.statuses([userId])).rejects.toThrow('connection lost');
    expect(await reader.statuses([userId])).toEqual(new Map([[userId, 'active']]));
  });
});
