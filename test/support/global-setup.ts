import { randomBytes } from 'node:crypto';
import { migrate } from '../../libs/database/src/migrate';
import { databaseUrl, rabbitmqctl, withAdminClient } from './services';

/**
 * One run, one namespace: a template database with the schema (each test file clones its own
 * database from it) and a RabbitMQ vhost. The teardown removes both; a run that was killed is
 * swept by a later run once its names are three hours old.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `sm_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await sweepAbandonedRuns();
  const template = `${runId}_template`;
  await migrate(databaseUrl(template));
  await rabbitmqctl('add_vhost', runId);
  await rabbitmqctl('set_permissions', '-p', runId, 'guest', '.*', '.*', '.*');
  process.env.SM_TEST_RUN_ID = runId;
  process.env.SM_TEST_TEMPLATE_DB = template;
  process.env.SM_TEST_VHOST = runId;
}

// Longer than any run can last (CI stops a run after 90 minutes).
const ABANDONED_AFTER_MS = 3 * 60 * 60 * 1000;

function isAbandoned(name: string): boolean {
  const started = /^sm_test_([0-9a-z]+)_/.exec(name)?.[1];
  return started !== undefined && Date.now() - parseInt(started, 36) > ABANDONED_AFTER_MS;
}

async function sweepAbandonedRuns(): Promise<void> {
  await withAdminClient(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'sm\\_test\\_%'",
    );
    for (const { datname } of rows.filter((row) => isAbandoned(row.datname))) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
  const vhosts = (await rabbitmqctl('list_vhosts', 'name')).split('\n').map((line) => line.trim());
  for (const vhost of vhosts.filter(isAbandoned)) await rabbitmqctl('delete_vhost', vhost);
}
