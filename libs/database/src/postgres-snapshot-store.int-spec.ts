import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  connectOrm,
  createTestDatabase,
  type TestDatabase,
} from '../../../test/support/test-database';
import {
  InMemorySnapshotStore,
  type SnapshotStore,
} from '../../application/src/ports/snapshot-store';
import { PostgresSnapshotStore } from './postgres-snapshot-store';

describe('Snapshot stores', () => {
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

  describe.each([
    ['in memory', (): SnapshotStore => new InMemorySnapshotStore()],
    ['in Postgres', (): SnapshotStore => new PostgresSnapshotStore(orm)],
  ])('%s', (_name, create) => {
    it('keeps the latest version of a stream, of the shape asked for', async () => {
      const snapshots = create();
      const stream = `series-${randomUUID()}`;
      await snapshots.save(stream, 'shape-1', { version: 20, state: { n: 20 } });
      await snapshots.save(stream, 'shape-1', { version: 10, state: { n: 10 } });
      expect(await snapshots.load(stream, 'shape-1')).toEqual({ version: 20, state: { n: 20 } });
      expect(await snapshots.load(stream, 'shape-2')).toBeNull();
      // A newer shape replaces an older one whatever its version.
      await snapshots.save(stream, 'shape-2', { version: 5, state: { m: 5 } });
      expect(await snapshots.load(stream, 'shape-2')).toEqual({ version: 5, state: { m: 5 } });
    });

    it('loads several streams at once, those without a snapshot of the shape left out', async () => {
      const snapshots = create();
      const [one, other, none, older] = Array.from({ length: 4 }, () => `series-${randomUUID()}`);
      await snapshots.save(one!, 'shape-1', { version: 40, state: { n: 1 } });
      await snapshots.save(other!, 'shape-1', { version: 20, state: { n: 2 } });
      await snapshots.save(older!, 'shape-0', { version: 20, state: { n: 3 } });
      const loaded = await snapshots.loadMany([one!, none!, other!, older!], 'shape-1');
      expect(new Map(loaded)).toEqual(
        new Map([
          [one, { version: 40, state: { n: 1 } }],
          [other, { version: 20, state: { n: 2 } }],
        ]),
      );
      expect((await snapshots.loadMany([], 'shape-1')).size).toBe(0);
    });
  });
});
