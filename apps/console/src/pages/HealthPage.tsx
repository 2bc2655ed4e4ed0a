import {
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { useCallback, useEffect, useState } from 'react';
import { Bar } from 'react-chartjs-2';
import { ApiProblem } from '../api';
import { useConsole } from '../console-context';

ChartJS.register(CategoryScale, LinearScale, BarElement, Tooltip, Legend);

interface DeliveryHealth {
  readonly window_start: string;
  readonly window_end: string;
  readonly sends_per_minute: readonly { minute: string; delivered: number; failed: number }[];
  readonly lateness: readonly { up_to_seconds: number | null; recipients: number }[];
  readonly failures_by_code: readonly { code: string; recipients: number }[];
  readonly dead_letters: number | null;
  readonly followers: readonly {
    name: string;
    positions_behind: number;
    oldest_behind_at: string | null;
  }[];
}

/** Looked at again this often: the figures are per minute. */
const REFRESH_MS = 15_000;

/** The window's minutes, oldest first, each with its outcomes (none: zero). */
function everyMinute(health: DeliveryHealth) {
  const counted = new Map(
    health.sends_per_minute.map((minute) => [Date.parse(minute.minute), minute]),
  );
  const first = Math.floor(Date.parse(health.window_start) / 60_000) * 60_000;
  const last = Math.floor(Date.parse(health.window_end) / 60_000) * 60_000;
  const minutes: { minute: string; delivered: number; failed: number }[] = [];
  for (let at = first; at <= last; at += 60_000) {
    minutes.push(
      counted.get(at) ?? { minute: new Date(at).toISOString(), delivered: 0, failed: 0 },
    );
  }
  return minutes;
}

function latenessLabel(bucket: { up_to_seconds: number | null }, previous: number | null) {
  const seconds = (value: number) => (value < 60 ? `${value} s` : `${value / 60} min`);
  if (bucket.up_to_seconds === null) return `over ${seconds(previous ?? 0)}`;
  return `up to ${seconds(bucket.up_to_seconds)}`;
}

/**
 * Delivery health over the last hour, from GET /delivery-health: sends per minute, lateness,
 * failures by code, dead letters, and the lag of the log's followers. Each chart has its figures
 * in a table beside it, for screen readers and for copying.
 */
export function HealthPage() {
  const { client } = useConsole();
  const [health, setHealth] = useState<DeliveryHealth | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setHealth(await client.get<DeliveryHealth>('/delivery-health?minutes=60'));
      setError(null);
    } catch (failure) {
      setError(failure instanceof ApiProblem ? failure.problem.detail : String(failure));
    }
  }, [client]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  if (!health) {
    return (
      <section>
        <h1>Delivery health</h1>
        {error ? (
          <p className="notice error" role="alert">
            {error}
          </p>
        ) : (
          <p role="status">Loading…</p>
        )}
      </section>
    );
  }

  // Every minute of the window, those without an outcome as zero: the chart is a time axis.
  const perMinute = everyMinute(health);
  const minutes = perMinute.map((minute) =>
    new Date(minute.minute).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
  );
  const latenessLabels = health.lateness.map((bucket, index) =>
    latenessLabel(bucket, index > 0 ? (health.lateness[index - 1]!.up_to_seconds ?? null) : null),
  );
  const delivered = health.sends_per_minute.reduce((sum, minute) => sum + minute.delivered, 0);
  const failed = health.sends_per_minute.reduce((sum, minute) => sum + minute.failed, 0);

  return (
    <section aria-labelledby="health-title" className="health">
      <div className="page-head">
        <h1 id="health-title">Delivery health</h1>
        <p className="muted">
          The last hour, to {new Date(health.window_end).toLocaleTimeString()}; refreshed every 15 s
        </p>
      </div>
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      <dl className="tiles">
        <div>
          <dt>Delivered</dt>
          <dd data-testid="delivered-total">{delivered}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd>{failed}</dd>
        </div>
        <div>
          <dt>Dead letters</dt>
          <dd data-testid="dead-letters">{health.dead_letters ?? 'unknown'}</dd>
        </div>
        {health.followers.map((follower) => (
          <div key={follower.name}>
            <dt>{follower.name === 'outbox' ? 'Outbox lag' : `Lag of ${follower.name}`}</dt>
            <dd>{follower.positions_behind} events</dd>
          </div>
        ))}
      </dl>

      <h2 id="sends-title">Sends per minute</h2>
      <div className="chart">
        <Bar
          role="img"
          aria-labelledby="sends-title"
          data={{
            labels: minutes,
            datasets: [
              {
                label: 'delivered',
                data: perMinute.map((minute) => minute.delivered),
                backgroundColor: '#1a7f37',
              },
              {
                label: 'failed',
                data: perMinute.map((minute) => minute.failed),
                backgroundColor: '#b3261e',
              },
            ],
          }}
          options={{
            maintainAspectRatio: false,
            animation: false,
            scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
          }}
        />
      </div>
      <FigureTable
        caption="Sends per minute"
        head={['Minute', 'Delivered', 'Failed']}
        rows={perMinute.flatMap((minute, index) =>
          minute.delivered + minute.failed > 0
            ? [[minutes[index]!, minute.delivered, minute.failed]]
            : [],
        )}
      />

      <h2 id="lateness-title">Lateness of deliveries</h2>
      <div className="chart">
        <Bar
          role="img"
          aria-labelledby="lateness-title"
          data={{
            labels: latenessLabels,
            datasets: [
              {
                label: 'recipients',
                data: health.lateness.map((bucket) => bucket.recipients),
                backgroundColor: '#0b57d0',
              },
            ],
          }}
          options={{ maintainAspectRatio: false, animation: false }}
        />
      </div>
      <FigureTable
        caption="Recipients by how late their delivery was recorded"
        head={['Lateness', 'Recipients']}
        rows={health.lateness.map((bucket, index) => [latenessLabels[index]!, bucket.recipients])}
      />

      <h2>Failures by code</h2>
      {health.failures_by_code.length === 0 ? (
        <p className="muted">No failure in the last hour.</p>
      ) : (
        <FigureTable
          caption="Recipients failed, by failure code"
          head={['Code', 'Recipients']}
          rows={health.failures_by_code.map((failure) => [failure.code, failure.recipients])}
          shown
        />
      )}

      <h2>Log followers</h2>
      <FigureTable
        caption="Events each follower of the log has not handled yet"
        head={['Follower', 'Events behind', 'Oldest waiting since']}
        rows={health.followers.map((follower) => [
          follower.name,
          follower.positions_behind,
          follower.oldest_behind_at ? new Date(follower.oldest_behind_at).toLocaleString() : '—',
        ])}
        shown
      />
    </section>
  );
}

function FigureTable({
  caption,
  head,
  rows,
  shown = false,
}: {
  caption: string;
  head: readonly string[];
  rows: readonly (readonly (string | number)[])[];
  shown?: boolean;
}) {
  const table = (
    <div className="table-scroll">
      <table>
        <caption className="muted">{caption}</caption>
        <thead>
          <tr>
            {head.map((cell) => (
              <th key={cell} scope="col">
                {cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              {row.map((cell, column) => (
                <td key={column}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  if (shown) return table;
  return (
    <details>
      <summary>Figures</summary>
      {table}
    </details>
  );
}
