import { createParser } from 'eventsource-parser';
import type { ApiClient, LogEvent } from './api';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/**
 * Follows the log as server-sent events (GET /events/live), read through fetch so that the key
 * goes as a header (EventSource cannot send one, and the key must never be in a URL). The server
 * names the place it starts from as the first id; after a drop the client reconnects with the
 * last id it saw (Last-Event-ID), so nothing is missed and nothing is seen twice. Returns what
 * stops it.
 */
export function followLog(
  client: ApiClient,
  onEvent: (event: LogEvent) => void,
  onState: (state: LiveState) => void,
): () => void {
  const controller = new AbortController();
  const { signal } = controller;
  let lastId: string | undefined;
  let retryMs = 2000;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });

  const run = async () => {
    onState('connecting');
    while (!signal.aborted) {
      let reader: ReadableStreamDefaultReader<string> | undefined;
      try {
        const body = await client.stream(
          '/events/live',
          lastId === undefined ? {} : { 'Last-Event-ID': lastId },
          signal,
        );
        onState('live');
        const parser = createParser({
          onId: (id) => {
            lastId = id;
          },
          onEvent: (message) => {
            let event: LogEvent;
            try {
              event = JSON.parse(message.data) as LogEvent;
            } catch {
              return;
            }
            onEvent(event);
          },
          onRetry: (ms) => {
            retryMs = ms;
          },
        });
        reader = body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch {
        // Dropped, or refused: tried again below, from the last id seen.
      } finally {
        await reader?.cancel().catch(() => undefined);
      }
      if (signal.aborted) return;
      onState('reconnecting');
      await pause(retryMs);
    }
  };
  void run();
  return () => controller.abort();
}
