import { type DragEvent, type FormEvent, useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiProblem, type Subscriber } from '../api';
import { toLocalInputValue, zoneLabel } from '../calendar-entries';
import { FormattedPreview } from '../components/FormattedPreview';
import { useConsole } from '../console-context';
import { newIdempotencyKey } from '../idempotency-key';
import { useDebounced } from '../use-debounced';
import { type ComposerField, composerFieldOf } from '../problem-fields';

/** Subscribers listed to pick from at once: a search narrows them. */
const PICK_PAGE = 50;

interface Topic {
  readonly name: string;
  readonly member_count: number;
}

type Audience = 'users' | 'topics' | 'all';

/**
 * Writes a message: text (with a preview of its formatting), recipients picked from the
 * subscribers (or topics, or everyone), files dropped on it, and its time. One Idempotency-Key
 * per message written, so that a second click, or a retry after a lost answer, never schedules
 * it twice; a refusal is shown next to the field it is about.
 */
export function ComposePage() {
  const { client } = useConsole();
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [parseMode, setParseMode] = useState('plain');
  const [audience, setAudience] = useState<Audience>('users');
  const [subscribers, setSubscribers] = useState<Subscriber[]>([]);
  const [topics, setTopics] = useState<Topic[]>([]);
  const [search, setSearch] = useState('');
  const [pickedUsers, setPickedUsers] = useState<ReadonlySet<string>>(new Set());
  const [pickedTopics, setPickedTopics] = useState<ReadonlySet<string>>(new Set());
  const [files, setFiles] = useState<File[]>([]);
  const [dragging, setDragging] = useState(false);
  const [when, setWhen] = useState(() => toLocalInputValue(new Date(Date.now() + 60_000)));
  const [errors, setErrors] = useState<Partial<Record<ComposerField, string>>>({});
  const [progress, setProgress] = useState<number | null>(null);
  const idempotencyKey = useRef<string | null>(null);
  const submitting = useRef(false);

  const searched = useDebounced(search.trim(), 250);
  useEffect(() => {
    void client.get<Topic[]>('/topics').then(setTopics, () => undefined);
  }, [client]);
  // The first page of the active subscribers the search finds (on the server: there may be
  // 100,000 of them); those picked stay picked while the search changes.
  useEffect(() => {
    const query = new URLSearchParams({ status: 'active', limit: String(PICK_PAGE) });
    if (searched) query.set('search', searched);
    // An answer to a search typed over since is not shown.
    let current = true;
    void client.get<{ items: Subscriber[] }>(`/subscribers?${query.toString()}`).then(
      (page) => {
        if (current) setSubscribers(page.items);
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, searched]);

  const toggle = (set: ReadonlySet<string>, value: string) => {
    const next = new Set(set);
    if (next.has(value)) next.delete(value);
    else next.add(value);
    return next;
  };

  const addFiles = (list: FileList | null) => {
    // Copied now: the input's FileList is live, and emptied when the input is cleared.
    const added = list ? Array.from(list) : [];
    if (added.length > 0) setFiles((current) => [...current, ...added]);
  };
  const dropped = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    addFiles(event.dataTransfer.files);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // A ref, not the state: a second click may come before the first one's render.
    if (submitting.current) return;
    submitting.current = true;
    // The same key for every try of this message, until it is accepted.
    idempotencyKey.current ??= newIdempotencyKey();
    const form = new FormData();
    form.set('message', text);
    if (parseMode !== 'plain') form.set('parse_mode', parseMode);
    if (audience === 'all') form.set('target_all', 'true');
    else if (audience === 'topics') form.set('target_topic', [...pickedTopics].join(','));
    else form.set('target_user_id', [...pickedUsers].join(','));
    const at = new Date(when);
    form.set('scheduled_timestamp', Number.isNaN(at.getTime()) ? when : at.toISOString());
    for (const file of files) form.append('files', file, file.name);
    setErrors({});
    setProgress(0);
    try {
      const scheduled = await client.upload<{ id: string }>(
        '/schedule-message',
        form,
        { 'Idempotency-Key': idempotencyKey.current },
        setProgress,
      );
      idempotencyKey.current = null;
      void navigate(`/messages/${scheduled.id}`);
    } catch (failure) {
      submitting.current = false;
      setProgress(null);
      if (failure instanceof ApiProblem) {
        setErrors({ [composerFieldOf(failure.problem)]: failure.problem.detail });
      } else {
        setErrors({ form: String(failure) });
      }
    }
  };

  const errorOf = (field: ComposerField) =>
    errors[field] ? (
      <p id={`${field}-error`} className="field-error" role="alert">
        {errors[field]}
      </p>
    ) : null;
  const describedBy = (field: ComposerField) => (errors[field] ? `${field}-error` : undefined);

  return (
    <section aria-labelledby="compose-title">
      <h1 id="compose-title">New message</h1>
      <form className="composer" onSubmit={(event) => void submit(event)} noValidate>
        <div className="field">
          <label htmlFor="message">Text</label>
          <textarea
            id="message"
            rows={6}
            value={text}
            onChange={(event) => setText(event.target.value)}
            aria-invalid={errors.message !== undefined}
            aria-describedby={describedBy('message')}
          />
          {errorOf('message')}
          <label htmlFor="parse-mode">Formatting</label>
          <select
            id="parse-mode"
            value={parseMode}
            onChange={(event) => setParseMode(event.target.value)}
          >
            <option value="plain">Plain text</option>
            <option value="HTML">HTML</option>
            <option value="MarkdownV2">MarkdownV2</option>
          </select>
          {text !== '' && (
            <div className="preview-box" aria-label="Preview">
              <FormattedPreview text={text} parseMode={parseMode} />
            </div>
          )}
        </div>

        <fieldset className="field" aria-describedby={describedBy('recipients')}>
          <legend>Recipients</legend>
          <div className="choices" role="radiogroup" aria-label="Send to">
            {(
              [
                ['users', 'Chosen subscribers'],
                ['topics', 'Topics'],
                ['all', 'Everyone subscribed'],
              ] as const
            ).map(([value, label]) => (
              <label key={value} className="choice">
                <input
                  type="radio"
                  name="audience"
                  value={value}
                  checked={audience === value}
                  onChange={() => setAudience(value)}
                />
                {label}
              </label>
            ))}
          </div>
          {audience === 'users' && (
            <>
              <label htmlFor="recipient-search">Search subscribers</label>
              <input
                id="recipient-search"
                type="search"
                value={search}
                onChange={(event) => setSearch(event.target.value)}
                placeholder="Name, username or user id"
              />
              <ul className="pick-list" aria-label="Subscribers">
                {subscribers.map((subscriber) => (
                  <li key={subscriber.user_id}>
                    <label>
                      <input
                        type="checkbox"
                        checked={pickedUsers.has(subscriber.user_id)}
                        onChange={() => setPickedUsers(toggle(pickedUsers, subscriber.user_id))}
                      />
                      {subscriber.chat_name || '(no name)'}{' '}
                      <span className="muted">{subscriber.user_id}</span>
                    </label>
                  </li>
                ))}
                {subscribers.length === 0 && <li className="muted">No subscriber matches.</li>}
              </ul>
              <p className="muted">{pickedUsers.size} chosen</p>
            </>
          )}
          {audience === 'topics' && (
            <ul className="pick-list" aria-label="Topics">
              {topics.map((topic) => (
                <li key={topic.name}>
                  <label>
                    <input
                      type="checkbox"
                      checked={pickedTopics.has(topic.name)}
                      onChange={() => setPickedTopics(toggle(pickedTopics, topic.name))}
                    />
                    {topic.name} <span className="muted">{topic.member_count} members</span>
                  </label>
                </li>
              ))}
              {topics.length === 0 && <li className="muted">No topics yet.</li>}
            </ul>
          )}
          {errorOf('recipients')}
        </fieldset>

        <div
          className={dragging ? 'field drop-zone dragging' : 'field drop-zone'}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={dropped}
          data-testid="drop-zone"
        >
          <label htmlFor="files">Files</label>
          <p className="muted">Drop files here, or choose them.</p>
          <input
            id="files"
            type="file"
            multiple
            onChange={(event) => {
              addFiles(event.target.files);
              event.target.value = '';
            }}
            aria-invalid={errors.files !== undefined}
            aria-describedby={describedBy('files')}
          />
          {files.length > 0 && (
            <ul className="file-list" aria-label="Files to send">
              {files.map((file, index) => (
                <li key={`${index}-${file.name}`}>
                  {file.name} <span className="muted">{file.size} bytes</span>{' '}
                  <button
                    type="button"
                    className="link"
                    aria-label={`Remove ${file.name}`}
                    onClick={() => setFiles(files.filter((_, at) => at !== index))}
                  >
                    remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          {errorOf('files')}
        </div>

        <div className="field">
          <label htmlFor="scheduled-at">Send at ({zoneLabel()})</label>
          <input
            id="scheduled-at"
            type="datetime-local"
            step="1"
            value={when}
            onChange={(event) => setWhen(event.target.value)}
            aria-invalid={errors.scheduled_timestamp !== undefined}
            aria-describedby={describedBy('scheduled_timestamp')}
          />
          {errorOf('scheduled_timestamp')}
        </div>

        {errorOf('form')}
        {progress !== null && (
          <div className="field">
            <label htmlFor="upload-progress">Uploading</label>
            <progress id="upload-progress" max={1} value={progress} />
          </div>
        )}
        <button type="submit" disabled={progress !== null}>
          {progress !== null ? 'Scheduling…' : 'Schedule'}
        </button>
      </form>
    </section>
  );
}
