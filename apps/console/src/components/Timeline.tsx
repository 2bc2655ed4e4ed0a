import type { LogEvent } from '../api';
import { localTime } from '../calendar-entries';

/** What an event's data says in a line, for the events people look for. */
function summaryOf(event: LogEvent): string {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['userId', 'scheduledAt', 'code', 'reason', 'delivered', 'failed', 'chatId']) {
    const value = data[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      parts.push(`${key} ${String(value)}`);
  }
  return parts.join(', ');
}

/** A stream's events, oldest first: what happened, when, and who or what did it. */
export function Timeline({ events }: { events: readonly LogEvent[] }) {
  if (events.length === 0) return <p className="muted">No events.</p>;
  return (
    <ol className="timeline" data-testid="timeline">
      {events.map((event) => {
        const actor = (event.metadata as { actor?: unknown } | null)?.actor;
        return (
          <li key={event.event_id}>
            <time dateTime={event.recorded_at}>{localTime(event.recorded_at)}</time>{' '}
            <strong className="event-type">{event.type}</strong>
            {typeof actor === 'string' && <span className="muted"> by {actor}</span>}
            <div className="muted">{summaryOf(event)}</div>
          </li>
        );
      })}
    </ol>
  );
}
