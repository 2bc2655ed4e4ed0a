import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ApiProblem, type LogEvent, type Subscriber } from '../api';
import { localTime } from '../calendar-entries';
import { Timeline } from '../components/Timeline';
import { useConsole, useLiveRefresh } from '../console-context';

interface SubscriberDetail extends Subscriber {
  readonly status: string;
  readonly time_zone: string | null;
  readonly unsubscribe_reason: string | null;
  readonly chat_type: string | null;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly username: string | null;
}

/** The subscribers, searchable; each opens its page. Follows the log. */
export function SubscribersPage() {
  const { client } = useConsole();
  const [subscribers, setSubscribers] = useState<Subscriber[] | null>(null);
  const [search, setSearch] = useState('');
  const load = useCallback(
    () => void client.get<Subscriber[]>('/subscribed-users').then(setSubscribers, () => undefined),
    [client],
  );
  useEffect(load, [load]);
  useLiveRefresh((event) => event.stream_id.startsWith('subscriber-'), load);

  const shown = useMemo(() => {
    const term = search.trim().toLowerCase();
    return (subscribers ?? []).filter(
      (subscriber) =>
        term === '' ||
        subscriber.chat_name.toLowerCase().includes(term) ||
        subscriber.user_id.includes(term) ||
        subscriber.chat_id.includes(term),
    );
  }, [search, subscribers]);

  return (
    <section aria-labelledby="subscribers-title">
      <h1 id="subscribers-title">Subscribers</h1>
      <label htmlFor="subscriber-search">Search</label>
      <input
        id="subscriber-search"
        type="search"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
        placeholder="Name, user id or chat id"
      />
      {subscribers === null ? (
        <p role="status">Loading…</p>
      ) : (
        <div className="table-scroll">
          <table>
            <caption className="muted">
              {shown.length} of {subscribers.length} subscribed
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">User</th>
                <th scope="col">Chat</th>
                <th scope="col">Status</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((subscriber) => (
                <tr key={subscriber.user_id}>
                  <td>
                    <Link to={`/subscribers/${subscriber.user_id}`}>
                      {subscriber.chat_name || '(no name)'}
                    </Link>
                  </td>
                  <td>{subscriber.user_id}</td>
                  <td>{subscriber.chat_id}</td>
                  <td>
                    <span className="badge outcome-delivered">active</span>
                  </td>
                  <td>{localTime(subscriber.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** One subscriber, active or not, and its timeline. */
export function SubscriberPage() {
  const { id = '' } = useParams();
  const { client } = useConsole();
  const [subscriber, setSubscriber] = useState<SubscriberDetail | null>(null);
  const [events, setEvents] = useState<LogEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const [detail, timeline] = await Promise.all([
        client.get<SubscriberDetail>(`/subscribers/${encodeURIComponent(id)}`),
        client.get<LogEvent[]>(`/subscribers/${encodeURIComponent(id)}/events`),
      ]);
      setSubscriber(detail);
      setEvents(timeline);
    } catch (failure) {
      setError(failure instanceof ApiProblem ? failure.problem.detail : String(failure));
    }
  }, [client, id]);
  useEffect(() => {
    void load();
  }, [load]);
  useLiveRefresh(
    (event) => event.stream_id === `subscriber-${id}`,
    () => void load(),
  );

  if (error) {
    return (
      <section>
        <h1>Subscriber</h1>
        <p className="notice error" role="alert">
          {error}
        </p>
      </section>
    );
  }
  if (!subscriber) return <p role="status">Loading…</p>;
  const name = [subscriber.first_name, subscriber.last_name].filter(Boolean).join(' ');
  return (
    <article aria-labelledby="subscriber-title">
      <div className="page-head">
        <h1 id="subscriber-title">{subscriber.chat_name || subscriber.user_id}</h1>
        <span className={`badge status-${subscriber.status}`}>{subscriber.status}</span>
      </div>
      <dl className="facts">
        <dt>User</dt>
        <dd>{subscriber.user_id}</dd>
        <dt>Chat</dt>
        <dd>
          {subscriber.chat_id}
          {subscriber.chat_type ? ` (${subscriber.chat_type})` : ''}
        </dd>
        {name && (
          <>
            <dt>Name</dt>
            <dd>{name}</dd>
          </>
        )}
        {subscriber.username && (
          <>
            <dt>Username</dt>
            <dd>@{subscriber.username}</dd>
          </>
        )}
        <dt>Time zone</dt>
        <dd>{subscriber.time_zone ?? 'not set'}</dd>
        {subscriber.unsubscribe_reason && (
          <>
            <dt>Ended because</dt>
            <dd>{subscriber.unsubscribe_reason}</dd>
          </>
        )}
      </dl>
      <h2>Timeline</h2>
      <Timeline events={events} />
    </article>
  );
}
