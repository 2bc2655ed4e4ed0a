import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import {
  type ApiClient,
  ApiProblem,
  type LogEvent,
  type MessageDetails,
  type RecipientOutcome,
  type RecipientPage,
} from '../api';
import { audienceOf, localTime, toLocalInputValue } from '../calendar-entries';
import { useConsole, useLiveRefresh } from '../console-context';
import { Timeline } from '../components/Timeline';

const RECIPIENT_PAGE = 50;
/** GET /messages/:id/recipients answers at most this many at once. */
const MAX_RECIPIENT_PAGE = 1000;

/**
 * One message: its status, time, text and files, each recipient's outcome (paged), its events,
 * and what the API lets be done with it in its state. Follows the log: it changes as the message
 * does, without a reload.
 */
export function MessagePage() {
  const { id = '' } = useParams();
  const { client } = useConsole();
  const [message, setMessage] = useState<MessageDetails | null>(null);
  const [events, setEvents] = useState<LogEvent[]>([]);
  const [recipients, setRecipients] = useState<RecipientOutcome[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const path = `/messages/${encodeURIComponent(id)}`;
  /**
   * How many recipients are shown: a load reads as many again, in one page of the route (up to
   * its 1,000); past that, more are read by cursor and loads leave them as they are.
   */
  const shownRecipients = useRef(RECIPIENT_PAGE);
  /** Loads overlap (live refreshes): only the latest one's answer is shown. */
  const loads = useRef(0);

  const load = useCallback(async () => {
    const mine = ++loads.current;
    const limit = shownRecipients.current;
    try {
      const [details, timeline, page] = await Promise.all([
        client.get<MessageDetails>(path),
        client.get<LogEvent[]>(`${path}/events`),
        limit <= MAX_RECIPIENT_PAGE
          ? client.get<RecipientPage>(`${path}/recipients?limit=${limit}`)
          : Promise.resolve(null),
      ]);
      if (mine !== loads.current) return;
      setMessage(details);
      setEvents(timeline);
      if (page) {
        setRecipients([...page.items]);
        setNextCursor(page.next_cursor);
      }
      setError(null);
    } catch (failure) {
      if (mine !== loads.current) return;
      setError(failure instanceof ApiProblem ? failure.problem.detail : String(failure));
    }
  }, [client, path]);

  useEffect(() => {
    shownRecipients.current = RECIPIENT_PAGE;
    void load();
  }, [load]);
  useLiveRefresh(
    (event) => event.stream_id === `message-${id}` || event.stream_id.startsWith(`message-${id}-`),
    () => void load(),
  );

  const moreRecipients = async () => {
    if (!nextCursor) return;
    const wanted = recipients.length + RECIPIENT_PAGE;
    shownRecipients.current = wanted;
    if (wanted <= MAX_RECIPIENT_PAGE) {
      // Read again as one page: a refresh and this never undo each other.
      await load();
      return;
    }
    const page = await client.get<RecipientPage>(
      `${path}/recipients?limit=${RECIPIENT_PAGE}&cursor=${encodeURIComponent(nextCursor)}`,
    );
    setRecipients((shown) => [...shown, ...page.items]);
    setNextCursor(page.next_cursor);
  };

  const act = async (what: string, action: () => Promise<unknown>) => {
    setNotice(null);
    try {
      await action();
      setNotice(what);
      await load();
    } catch (failure) {
      setNotice(
        `Refused: ${failure instanceof ApiProblem ? `${failure.problem.detail} (${failure.problem.code})` : String(failure)}`,
      );
    }
  };

  if (error && !message) {
    return (
      <section>
        <h1>Message</h1>
        <p className="notice error" role="alert">
          {error}
        </p>
        <Link to="/calendar">Back to the calendar</Link>
      </section>
    );
  }
  if (!message) return <p role="status">Loading…</p>;

  const counts = message.recipient_counts;
  return (
    <article aria-labelledby="message-title" className="message-page">
      <div className="page-head">
        <h1 id="message-title">Message</h1>
        <span className={`badge status-${message.status}`} data-testid="message-status">
          {message.status}
        </span>
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <dl className="facts">
        <dt>Scheduled for</dt>
        <dd>
          <time dateTime={message.scheduled_timestamp}>
            {localTime(message.scheduled_timestamp)}
          </time>
        </dd>
        {message.sent_at && (
          <>
            <dt>Sent</dt>
            <dd>
              <time dateTime={message.sent_at}>{localTime(message.sent_at)}</time>
            </dd>
          </>
        )}
        <dt>To</dt>
        <dd>{audienceOf(message)}</dd>
        {message.series_id && (
          <>
            <dt>Repeats</dt>
            <dd>
              an occurrence of series <code>{message.series_id}</code>
            </dd>
          </>
        )}
        <dt>Outcomes</dt>
        <dd data-testid="recipient-counts">
          {counts.delivered} delivered, {counts.failed} failed, {counts.pending} pending
        </dd>
        {message.from_sender && (
          <>
            <dt>From</dt>
            <dd>{message.from_sender}</dd>
          </>
        )}
        <dt>Id</dt>
        <dd>
          <code>{message.id}</code>
        </dd>
      </dl>

      <h2>Text</h2>
      <pre className="message-text" data-testid="message-text">
        {message.message}
      </pre>

      {message.attachments.length > 0 && (
        <>
          <h2>Attachments</h2>
          <ul className="attachments">
            {message.attachments.map((attachment, index) => (
              <li key={`${index}-${attachment.file_name}`}>
                <button
                  type="button"
                  className="link"
                  onClick={() =>
                    void download(client, path, index + 1, attachment.file_name).catch(
                      (failure: unknown) => setNotice(`Could not download: ${String(failure)}`),
                    )
                  }
                >
                  {attachment.file_name}
                </button>{' '}
                <span className="muted">
                  {attachment.content_type}, {formatSize(attachment.size)}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}

      <Actions
        key={`${message.id} ${message.status} ${message.scheduled_timestamp} ${message.message}`}
        message={message}
        act={act}
      />

      <h2>Recipients</h2>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Outcome</th>
              <th scope="col">Failure</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {recipients.map((recipient) => (
              <tr key={recipient.user_id} data-testid="recipient-row">
                <td>
                  <Link to={`/subscribers/${recipient.user_id}`}>{recipient.user_id}</Link>
                </td>
                <td>
                  <span className={`badge outcome-${recipient.status}`}>{recipient.status}</span>
                </td>
                <td>
                  {recipient.failure_code
                    ? `${recipient.failure_code}: ${recipient.reason ?? ''}`
                    : '—'}
                </td>
                <td>{localTime(recipient.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {nextCursor && (
        <button type="button" className="secondary" onClick={() => void moreRecipients()}>
          More recipients
        </button>
      )}

      <h2>Timeline</h2>
      <Timeline events={events} />
    </article>
  );
}

function Actions({
  message,
  act,
}: {
  message: MessageDetails;
  act: (what: string, action: () => Promise<unknown>) => Promise<void>;
}) {
  const { client } = useConsole();
  const [when, setWhen] = useState(() => toLocalInputValue(new Date(message.scheduled_timestamp)));
  const [text, setText] = useState(message.message);
  const path = `/messages/${encodeURIComponent(message.id)}`;

  if (message.status === 'scheduled') {
    const reschedule = (event: FormEvent) => {
      event.preventDefault();
      void act('Rescheduled.', () =>
        client.send('PATCH', path, { scheduled_timestamp: new Date(when).toISOString() }),
      );
    };
    return (
      <section aria-labelledby="actions-title" className="actions">
        <h2 id="actions-title">Actions</h2>
        <form onSubmit={reschedule} className="inline-form">
          <label htmlFor="reschedule-at">New time</label>
          <input
            id="reschedule-at"
            type="datetime-local"
            step="1"
            value={when}
            onChange={(event) => setWhen(event.target.value)}
            required
          />
          <button type="submit">Reschedule</button>
        </form>
        <button
          type="button"
          className="danger"
          onClick={() => {
            if (window.confirm('Cancel this message? It will not be sent.'))
              void act('Cancelled.', () => client.send('DELETE', path));
          }}
        >
          Cancel message
        </button>
      </section>
    );
  }
  if (message.status === 'sent' && !message.recalled_at) {
    const edit = (event: FormEvent) => {
      event.preventDefault();
      void act('Edit sent to every chat that got it.', () =>
        client.send('PATCH', path, { message: text }),
      );
    };
    return (
      <section aria-labelledby="actions-title" className="actions">
        <h2 id="actions-title">Actions</h2>
        <form onSubmit={edit}>
          <label htmlFor="edit-text">Edit the sent text</label>
          <textarea
            id="edit-text"
            rows={3}
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
          <button type="submit">Edit in every chat</button>
        </form>
        <button
          type="button"
          className="danger"
          onClick={() => {
            if (window.confirm('Delete this message from every chat that got it?'))
              void act('Recall sent to every chat that got it.', () =>
                client.send('POST', `${path}/recall`),
              );
          }}
        >
          Recall from every chat
        </button>
      </section>
    );
  }
  return null;
}

/** The key goes as a header, so a file is fetched here and handed to the browser as a blob. */
async function download(
  client: ApiClient,
  messagePath: string,
  part: number,
  fileName: string,
): Promise<void> {
  const url = URL.createObjectURL(await client.blob(`${messagePath}/files/${part}`));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
