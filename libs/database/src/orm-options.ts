import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migration20261129000000_EventStore } from './migrations/Migration20261129000000_event-store';
import { Migration20261129010000_Delivery } from './migrations/Migration20261129010000_delivery';
import { Migration20261129020000_Bot } from './migrations/Migration20261129020000_bot';
import { Migration20261129030000_Idempotency } from './migrations/Migration20261129030000_idempotency';
import { Migration20261130000000_FromSender } from './migrations/Migration20261130000000_from-sender';
import { Migration20261201000000_Series } from './migrations/Migration20261201000000_series';
import { Migration20261202000000_RecipientZones } from './migrations/Migration20261202000000_recipient-zones';
import { Migration20261203000000_Topics } from './migrations/Migration20261203000000_topics';
import { Migration20261204000000_Audiences } from './migrations/Migration20261204000000_audiences';
import { Migration20261205000000_SharedBudget } from './migrations/Migration20261205000000_shared-budget';
import { Migration20261206000000_PaidBroadcast } from './migrations/Migration20261206000000_paid-broadcast';
import { Migration20261207000000_SeriesAudience } from './migrations/Migration20261207000000_series-audience';
import { Migration20261208000000_SendOptions } from './migrations/Migration20261208000000_send-options';
import { Migration20261209000000_Buttons } from './migrations/Migration20261209000000_buttons';
import { Migration20261210000000_SeriesAppearance } from './migrations/Migration20261210000000_series-appearance';
import { Migration20261211000000_ParseMode } from './migrations/Migration20261211000000_parse-mode';
import { Migration20261214000000_SchedulerRecalls } from './migrations/Migration20261214000000_scheduler-recalls';
import { Migration20261215000000_Albums } from './migrations/Migration20261215000000_albums';
import { Migration20261216000000_ImageSizes } from './migrations/Migration20261216000000_image-sizes';
import { Migration20261217000000_SendLog } from './migrations/Migration20261217000000_send-log';
import { Migration20261213000000_MessageRevisions } from './migrations/Migration20261213000000_message-revisions';
import { Migration20261212000000_SubscriberDetails } from './migrations/Migration20261212000000_subscriber-details';

/** Listed explicitly, in order, so that the compiled app needs no file globbing. */
export const migrations = [
  { name: 'Migration20261129000000_event-store', class: Migration20261129000000_EventStore },
  { name: 'Migration20261129010000_delivery', class: Migration20261129010000_Delivery },
  { name: 'Migration20261129020000_bot', class: Migration20261129020000_Bot },
  { name: 'Migration20261129030000_idempotency', class: Migration20261129030000_Idempotency },
  { name: 'Migration20261130000000_from-sender', class: Migration20261130000000_FromSender },
  { name: 'Migration20261201000000_series', class: Migration20261201000000_Series },
  {
    name: 'Migration20261202000000_recipient-zones',
    class: Migration20261202000000_RecipientZones,
  },
  { name: 'Migration20261203000000_topics', class: Migration20261203000000_Topics },
  { name: 'Migration20261204000000_audiences', class: Migration20261204000000_Audiences },
  { name: 'Migration20261205000000_shared-budget', class: Migration20261205000000_SharedBudget },
  { name: 'Migration20261206000000_paid-broadcast', class: Migration20261206000000_PaidBroadcast },
  {
    name: 'Migration20261207000000_series-audience',
    class: Migration20261207000000_SeriesAudience,
  },
  { name: 'Migration20261208000000_send-options', class: Migration20261208000000_SendOptions },
  { name: 'Migration20261209000000_buttons', class: Migration20261209000000_Buttons },
  {
    name: 'Migration20261210000000_series-appearance',
    class: Migration20261210000000_SeriesAppearance,
  },
  {
    name: 'Migration20261211000000_parse-mode',
    class: Migration20261211000000_ParseMode,
  },
  {
    name: 'Migration20261212000000_subscriber-details',
    class: Migration20261212000000_SubscriberDetails,
  },
  {
    name: 'Migration20261213000000_message-revisions',
    class: Migration20261213000000_MessageRevisions,
  },
  {
    name: 'Migration20261214000000_scheduler-recalls',
    class: Migration20261214000000_SchedulerRecalls,
  },
  {
    name: 'Migration20261215000000_albums',
    class: Migration20261215000000_Albums,
  },
  {
    name: 'Migration20261216000000_image-sizes',
    class: Migration20261216000000_ImageSizes,
  },
  {
    name: 'Migration20261217000000_send-log',
    class: Migration20261217000000_SendLog,
  },
];

export interface OrmSettings {
  readonly poolSize?: number;
}

/**
 * The connection as every process opens it. There are no entities: the read models are written
 * and read in SQL over the rows their projections define (libs/projections), so MikroORM serves
 * as the connection pool, transactions and the migrator.
 */
export function ormOptions(databaseUrl: string, settings: OrmSettings = {}): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    migrations: {
      migrationsList: migrations,
      tableName: 'schema_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    pool: { min: 0, max: settings.poolSize ?? 10 },
    allowGlobalContext: false,
    debug: false,
  });
}
