import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../../libs/database/src/orm-options';
import { databaseUrl, withAdminClient } from './services';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops the database; call in afterAll. */
  drop(): Promise<void>;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run the integration tests through jest's global setup`);
  return value;
}

/** A database of its own for one test file, cloned from the run's migrated template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = requireEnv('SM_TEST_TEMPLATE_DB');
  const name = `${requireEnv('SM_TEST_RUN_ID')}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        // Two clones of one template at the same moment: wait and try again.
        const busy = (error as { code?: string }).code === '55006';
        if (!busy || attempt === 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  });
  return {
    name,
    url: databaseUrl(name),
    drop: () =>
      withAdminClient(async (client) => {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
  };
}

export function testVhost(): string {
  return requireEnv('SM_TEST_VHOST');
}

export async function connectOrm(url: string): Promise<MikroORM> {
  return MikroORM.init(ormOptions(url));
}

/**
 * The ORM, counting the queries made through it (each one forks the entity manager): how a test
 * sees that work was batched.
 */
export function countingQueries(orm: MikroORM): { orm: MikroORM; queries: () => number } {
  let queries = 0;
  const counting = new Proxy(orm, {
    get(target, property, receiver) {
      if (property !== 'em') return Reflect.get(target, property, receiver) as unknown;
      return new Proxy(target.em, {
        get(em, name, emReceiver) {
          if (name !== 'fork') return Reflect.get(em, name, emReceiver) as unknown;
          return () => {
            queries++;
            return em.fork();
          };
        },
      });
    },
  });
  return { orm: counting, queries: () => queries };
}
