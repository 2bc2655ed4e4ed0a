import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  connectOrm,
  countingQueries,
  createTestDatabase,
  type TestDatabase,
} from '../../../test/support/test-database';
import { PostgresWorkLeases } from './postgres-work-leases';

describe('PostgresWorkLeases', () => {
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

  it('lets one process hold a unit of work until it gives it up', async () => {
    const [first, second] = [new PostgresWorkLeases(orm), new PostgresWorkLeases(orm)];
    const work = `message-${randomUUID()}`;
    expect(await first.take(work, 10_000)).toBe(true);
    expect(await second.take(work, 10_000)).toBe(false);
    // The holder extends it.
    expect(await first.take(work, 10_000)).toBe(true);
    await first.release(work);
    expect(await second.take(work, 10_000)).toBe(true);
    expect(await first.take(work, 10_000)).toBe(false);
    // Giving up a lease another holds changes nothing.
    await first.release(work);
    expect(await first.take(work, 10_000)).toBe(false);
  });

  it('gives a lease that ran out to another process; the first can no longer extend it', async () => {
    const [first, second] = [new PostgresWorkLeases(orm), new PostgresWorkLeases(orm)];
    const work = `message-${randomUUID()}`;
    expect(await first.take(work, 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await second.take(work, 10_000)).toBe(true);
    expect(await first.take(work, 10_000)).toBe(false);
  });

  it('answers takes and releases made at once each on its own, the same work twice too, in fewer queries', async () => {
    const counting = countingQueries(orm);
    const [first, second] = [new PostgresWorkLeases(counting.orm), new PostgresWorkLeases(orm)];
    const works = Array.from({ length: 40 }, () => `message-${randomUUID()}`);
    const held = works.slice(0, 10);
    await Promise.all(held.map((work) => second.take(work, 10_000)));
    const taken = await Promise.all([
      ...works.map((work) => first.take(work, 10_000)),
      first.take(works[20]!, 10_000),
    ]);
    expect(taken).toEqual([...works.map((work) => !held.includes(work)), true]);
    await Promise.all([
      ...works.slice(10, 30).map((work) => first.release(work)),
      first.release(works[10]!),
    ]);
    // 41 takes and 21 releases, a query each before batching.
    expect(counting.queries()).toBeLessThan(20);
    const afterRelease = await Promise.all(works.map((work) => second.take(work, 10_000)));
    expect(afterRelease).toEqual(works.map((_, index) => index < 30));
  });
});
