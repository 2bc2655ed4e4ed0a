import type { MikroORM } from '@mikro-orm/postgresql';
import type { ReadinessCheck } from '../../observability/src/readiness';
import type { ObjectStorage } from '../../storage/src/object-storage';

/** The readiness checks the apps share; each app lists the ones it needs. */
export const databaseCheck = (orm: MikroORM): ReadinessCheck => ({
  key: 'database',
  required: true,
  probe: async () => {
    await orm.em.fork().execute('SELECT 1');
  },
});

export const brokerCheck = (connections: Record<string, () => boolean>): ReadinessCheck => ({
  key: 'broker',
  required: true,
  probe: () => {
    const down = Object.entries(connections)
      .filter(([, connected]) => !connected())
      .map(([name]) => name);
    if (down.length > 0)
      return Promise.reject(new Error(`Not connected to RabbitMQ: ${down.join(', ')}`));
    return Promise.resolve();
  },
});

export const storageCheck = (storage: ObjectStorage): ReadinessCheck => ({
  key: 'storage',
  required: true,
  probe: async () => {
    if (!(await storage.isReachable())) throw new Error('The object store cannot be reached');
  },
});
