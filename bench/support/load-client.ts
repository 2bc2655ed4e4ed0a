import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile } from './process-stats';

export interface LoadResult {
  readonly concurrency: number;
  /** Requests answered as expected (2xx unless told) per second over the measured period. */
  readonly perSecond: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface LoadRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/**
 * A closed-loop load client: `concurrency` requests in flight at all times on keep-alive
 * connections, for a warm-up and then a measured period. The same client measures every endpoint.
 */
export async function runLoad(
  target: LoadRequest,
  concurrency: number,
  options: { warmupMs: number; measureMs: number; expectedStatus?: number },
): Promise<LoadResult> {
  const expected = (status: number) =>
    options.expectedStatus === undefined
      ? status >= 200 && status < 300
      : status === options.expectedStatus;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(target.url);
  const headers = { ...target.headers, 'Content-Length': String(target.body.length) };
  const send = () =>
    new Promise<number>((resolve, reject) => {
      const outgoing = request(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent },
        (incoming) => {
          incoming.resume();
          incoming.once('end', () => resolve(incoming.statusCode ?? 0));
          incoming.once('error', reject);
        },
      );
      outgoing.once('error', reject);
      outgoing.end(target.body);
    });
  const started = performance.now();
  const measureFrom = started + options.warmupMs;
  const measureUntil = measureFrom + options.measureMs;
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const worker = async () => {
    for (;;) {
      const sentAt = performance.now();
      if (sentAt >= measureUntil) return;
      let status = 0;
      try {
        status = await send();
      } catch {
        status = 0;
      }
      const answeredAt = performance.now();
      // Counted when it both left and was answered within the measured period.
      if (sentAt >= measureFrom && answeredAt <= measureUntil) {
        if (expected(status)) {
          ok++;
          latencies.push(answeredAt - sentAt);
        } else errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return {
    concurrency,
    perSecond: ok / (options.measureMs / 1000),
    errors,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** A multipart/form-data body of plain fields, as `curl -F` sends it. */
export function multipartBody(fields: Record<string, string>): {
  body: Buffer;
  contentType: string;
} {
  const boundary = `----bench${Date.now().toString(16)}`;
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return {
    body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
