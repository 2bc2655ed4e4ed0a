import { rabbitmqctl, withAdminClient } from './services';

export default async function globalTeardown(): Promise<void> {
  const runId = process.env.SM_TEST_RUN_ID;
  if (!runId) return;
  await withAdminClient(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [runId],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
  await rabbitmqctl('delete_vhost', runId);
}
