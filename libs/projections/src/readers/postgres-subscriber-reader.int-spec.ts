import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  connectOrm,
  countingQueries,
  createTestDatabase,
  type TestDatabase,
} from '../../../../test/support/test-database';
import type { SubscriberPlace } from '../../../application/src/ports/subscriber-reader';
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

  it('searches subscribers by status and text, a page at a time, each once across pages', async () => {
    const tag = `srch${Math.floor(Math.random() * 1e9)}`;
    // Ten subscribers within one millisecond, microseconds apart, and two more names.
    const ids: string[] = [];
    for (let n = 0; n < 10; n++) {
      const userId = randomUUID();
      ids.push(userId);
      await orm.em.fork().execute(
        `INSERT INTO subscribers (user_id, chat_id, chat_name, status, created_at, updated_at, last_position)
         VALUES (?, ?, ?, 'active', '2030-01-01T00:00:00.000000Z'::timestamptz + ? * interval '1 microsecond', now(), 1)`,
        [userId, `${tag}-${n}`, `${tag} member`, 9 - n],
      );
    }
    const gone = randomUUID();
    await orm.em.fork().execute(
      `INSERT INTO subscribers (user_id, chat_id, chat_name, status, created_at, updated_at, last_position)
       VALUES (?, ?, ?, 'unsubscribed', now(), now(), 1)`,
      [gone, `${tag}-gone`, `${tag} 100%_sure`],
    );
    const reader = new PostgresSubscriberReader(orm);

    const seen: string[] = [];
    let after: SubscriberPlace | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await reader.search({ text: `${tag} member`, status: 'active' }, 3, after);
      seen.push(...page.items.map((record) => record.userId));
      after = page.next;
      if (!after) break;
    }
    expect([...seen].sort()).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(10);

    // LIKE's wildcards in the text are matched as they are.
    const found = async (text: string, status?: 'unsubscribed') =>
      (await reader.search({ text, ...(status ? { status } : {}) }, 10, null)).items.map(
        (record) => record.userId,
      );
    expect(await found('100%_sure')).toEqual([gone]);
    expect(await found(`${tag} 100__sure`)).toEqual([]);
    expect(await found(tag.toUpperCase(), 'unsubscribed')).toEqual([gone]);
  });
});
