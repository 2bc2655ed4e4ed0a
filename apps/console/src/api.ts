/** The API the console is a client of, with the key the user signed in with. */

export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** An answer of the API that was not a success: its problem details. */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'ApiProblem';
  }
}

export type MessageStatus = 'scheduled' | 'due' | 'sent' | 'cancelled' | 'missed';

/** A message as GET /messages lists it. */
export interface MessageSummary {
  readonly id: string;
  readonly status: MessageStatus;
  readonly message: string;
  readonly scheduled_timestamp: string;
  readonly target_user_id: readonly string[];
  readonly target_topic: readonly string[] | null;
  readonly target_all: boolean;
  readonly file_paths: readonly string[] | null;
  readonly from_sender: string | null;
  readonly created_at: string;
  /** The recurring series it is an occurrence of, if any. */
  readonly series_id: string | null;
}

export interface RecipientOutcome {
  readonly user_id: string;
  readonly status: string;
  readonly chat_id: string | null;
  readonly failure_code: string | null;
  readonly reason: string | null;
  readonly updated_at: string;
}

export interface Attachment {
  readonly file_name: string;
  readonly content_type: string;
  readonly size: number;
}

/** A message as GET /messages/:id answers it. */
export interface MessageDetails extends MessageSummary {
  readonly due_at: string | null;
  readonly sent_at: string | null;
  readonly edited_at: string | null;
  readonly recalled_at: string | null;
  readonly attachments: readonly Attachment[];
  readonly recipients: readonly RecipientOutcome[];
  readonly recipient_counts: { pending: number; delivered: number; failed: number };
  readonly recipients_next_cursor: string | null;
}

export interface RecipientPage {
  readonly items: readonly RecipientOutcome[];
  readonly next_cursor: string | null;
}

/** An event as the audit routes and the live stream show it. */
export interface LogEvent {
  readonly position: number;
  readonly stream_id: string;
  readonly stream_version: number;
  readonly event_id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly recorded_at: string;
}

export interface Subscriber {
  readonly user_id: string;
  readonly chat_id: string;
  readonly chat_name: string;
  readonly created_at: string;
}

export class ApiClient {
  constructor(private readonly key: string) {}

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.call<T>('GET', path, undefined, signal);
  }

  /** A JSON body, or none. */
  send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return this.call<T>(method, path, body);
  }

  /**
   * A multipart form, reporting the upload's progress (0 to 1) as it goes: fetch cannot tell
   * how much of a body has been sent, XMLHttpRequest can.
   */
  upload<T>(
    path: string,
    form: FormData,
    headers: Readonly<Record<string, string>>,
    onProgress: (fraction: number) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open('POST', path);
      request.setRequestHeader('X-API-Key', this.key);
      for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
      request.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
      request.onerror = () => reject(new Error('The API could not be reached'));
      request.onload = () => {
        const body = parseJson(request.responseText);
        if (request.status >= 200 && request.status < 300) resolve(body as T);
        else reject(new ApiProblem(problemOf(request.status, body)));
      };
      request.send(form);
    });
  }

  /** A file, as the browser saves it. */
  async blob(path: string): Promise<Blob> {
    const response = await fetch(path, { headers: { 'X-API-Key': this.key } });
    if (!response.ok) {
      throw new ApiProblem(problemOf(response.status, parseJson(await response.text())));
    }
    return response.blob();
  }

  /** An open GET whose body is read as it comes (the live stream), with the key as a header. */
  async stream(path: string, headers: Readonly<Record<string, string>>, signal: AbortSignal) {
    const response = await fetch(path, {
      headers: { 'X-API-Key': this.key, Accept: 'text/event-stream', ...headers },
      signal,
      cache: 'no-store',
    });
    if (!response.ok || !response.body) {
      throw new ApiProblem(problemOf(response.status, parseJson(await response.text())));
    }
    return response.body;
  }

  private async call<T>(
    method: string,
    path: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          'X-API-Key': this.key,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
        cache: 'no-store',
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new Error('The API could not be reached');
    }
    const parsed = parseJson(await response.text());
    if (!response.ok) throw new ApiProblem(problemOf(response.status, parsed));
    return parsed as T;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function problemOf(status: number, body: unknown): Problem {
  if (typeof body === 'object' && body !== null && 'code' in body) {
    const problem = body as Partial<Problem>;
    return {
      status,
      code: String(problem.code),
      detail: String(problem.detail ?? ''),
      ...(problem.details ? { details: problem.details } : {}),
    };
  }
  return { status, code: `HTTP_${status}`, detail: typeof body === 'string' ? body : '' };
}
