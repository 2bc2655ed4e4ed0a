import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ApiProblem, type LogEvent, type Subscriber } from '../api';
import { localTime } from '../calendar-entries';
import { Timeline } from '../components/Timeline';
import { useConsole, useLiveRefresh } from '../console-context';
import { useDebounced } from '../use-debounced';

interface SubscriberDetail extends Subscriber {
  readonly status: string;
  readonly time_zone: string | null;
  readonly unsubscribe_reason: string | null;
  readonly chat_type: string | null;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly username: string | null;
}

const PAGE = 50;
/** GET /subscribers answers at most this many at once. */
const MAX_PAGE = 200;

interface SubscriberPage {
  readonly items: readonly SubscriberDetail[];
  readonly next_cursor: string | null;
}

/**
 * The subscribers, active or not, searched on the server (GET /subscribers) a page at a time, so
 * that it stays quick with 100,000 of them; each opens its page. Follows the log.
 */
export function SubscribersPage() {
  const { client } = useConsole();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<'' | 'active' | 'unsubscribed'>('');
  const [subscribers, setSubscribers] = useState<SubscriberDetail[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const query = useDebounced(
    useMemo(() => {
      const params = new URLSearchParams();
      if (search.trim()) params.set('search', search.trim());
      if (status) params.set('status', status);
      return params;
    }, [search, status]),
    250,
  );
  /**
   * How many are shown: a load reads as many again in one page (up to the route's 200); past
   * that, more are read by cursor and loads leave the list as it is.
   */
  const shown = useRef(PAGE);
  /** Loads overlap (typing, live refreshes): only the latest one's answer is shown. */
  const loads = useRef(0);

  const load = useCallback(async () => {
    if (shown.current > MAX_PAGE) return;
    const mine = ++loads.current;
    const params = new URLSearchParams(query);
    params.set('limit', String(shown.current));
    try {
      const page = await client.get<SubscriberPage>(`/subscribers?${params.toString()}`);
      if (mine !== loads.current) return;
      setSubscribers([...page.items]);
      setNext(page.next_cursor);
      setError(null);
    } catch (failure) {
      if (mine !== loads.current) return;
      setError(failure instanceof ApiProblem ? failure.problem.detail : String(failure));
    }
  }, [client, query]);
  useEffect(() => {
    // A new search starts from its first page.
    shown.current = PAGE;
    void load();
  }, [load]);
  useLiveRefresh(
    (event) => event.stream_id.startsWith('subscriber-'),
    () => void load(),
  );

  const more = async () => {
    if (!next) return;
    shown.current = (subscribers?.length ?? 0) + PAGE;
    if (shown.current <= MAX_PAGE) return load();
    const mine = loads.current;
    const params = new URLSearchParams(query);
    params.set('limit', String(PAGE));
    params.set('cursor', next);
    try {
      const page = await client.get<SubscriberPage>(`/subscribers?${params.toString()}`);
      // A new search meanwhile: this page was of the one before.
      if (mine !== loads.current) return;
      setSubscribers((before) => [...(before ?? []), ...page.items]);
      setNext(page.next_cursor);
    } catch (failure) {
      setError(failure instanceof ApiProblem ? failure.problem.detail : String(failure));
    }
  };

  return (
    <section aria-labelledby="subscribers-title">
      <h1 id="subscribers-title">Subscribers</h1>
      <div className="filters">
        <div>
          <label htmlFor="subscriber-search">Search</label>
          <input
            id="subscriber-search"
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            placeholder="Name, username, user id or chat id"
          />
        </div>
        <div>
          <label htmlFor="subscriber-status">Status</label>
          <select
            id="subscriber-status"
            value={status}
            onChange={(event) => setStatus(event.target.value as typeof status)}
          >
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="unsubscribed">Unsubscribed</option>
          </select>
        </div>
      </div>
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      {subscribers === null ? (
        !error && <p role="status">Loading…</p>
      ) : (
        <div className="table-scroll">
          <table>
            <caption className="muted">
              {subscribers.length}
              {next ? '+' : ''} shown
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
              {subscribers.map((subscriber) => (
                <tr key={subscriber.user_id}>
                  <td>
                    <Link to={`/subscribers/${subscriber.user_id}`}>
                      {subscriber.chat_name || '(no name)'}
                    </Link>
                  </td>
                  <td>{subscriber.user_id}</td>
                  <td>{subscriber.chat_id}</td>
                  <td>
                    <span className={`badge status-${subscriber.status}`}>
                      {subscriber.status}
                      {subscriber.unsubscribe_reason ? ` (${subscriber.unsubscribe_reason})` : ''}
                    </span>
                  </td>
                  <td>{localTime(subscriber.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" className="secondary" onClick={() => void more()}>
          More subscribers
        </button>
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
