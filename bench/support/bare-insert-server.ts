/**
 * The practical ceiling for accepting a schedule on this machine: a bare Node HTTP endpoint that
 * reads the request and makes one durable single-row insert of a row like the one a schedule
 * appends (a uuid, a stream id, the request as JSON, a timestamp), then answers with the id.
 * No framework, no validation, no read model, no outbox. Run by the accept benchmark:
 * `node dist/bench/support/bare-insert-server.js <database url> <port>`
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Pool } from 'pg';

async function main(): Promise<void> {
  const [databaseUrl, port] = process.argv.slice(2);
  if (!databaseUrl || !port) throw new Error('usage: bare-insert-server <database url> <port>');
  const pool = new Pool({ connectionString: databaseUrl, max: 32 });
  await pool.query(
    `CREATE TABLE IF NOT EXISTS bare_accepts (
       position bigserial PRIMARY KEY,
       id uuid NOT NULL,
       stream_id text NOT NULL,
       data jsonb NOT NULL,
       recorded_at timestamptz NOT NULL DEFAULT now())`,
  );
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const id = randomUUID();
      const data = JSON.stringify({ request: Buffer.concat(chunks).toString('utf8') });
      pool
        .query('INSERT INTO bare_accepts (id, stream_id, data) VALUES ($1, $2, $3)', [
          id,
          `message-${id}`,
          data,
        ])
        .then(() => {
          outgoing.writeHead(200, { 'Content-Type': 'application/json' });
          outgoing.end(JSON.stringify({ id }));
        })
        .catch((error: unknown) => {
          outgoing.writeHead(500);
          outgoing.end(String(error));
        });
    });
  });
  server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
  process.once('SIGTERM', () => {
    server.close();
    void pool.end();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
