import { createParser } from 'eventsource-parser';
import type { ApiClient, LogEvent } from './api';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/**
 * Follows the log as server-sent events (GET /events/live), read through fetch so that the key
 * goes as a header (EventSource cannot send one, and the key must never be in a URL). After a
 * drop it reconnects with the id of the last event it saw (Last-Event-ID), so nothing is missed
 * and nothing is seen twice. Returns what stops it.
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

  const run = async () => {
    onState('connecting');
    while (!signal.aborted) {
      try {
        const body = await client.stream(
          '/events/live',
          lastId === undefined ? {} : { 'Last-Event-ID': lastId },
          signal,
        );
        onState('live');
        const parser = createParser({
          onEvent: (message) => {
            if (message.id !== undefined) lastId = message.id;
            onEvent(JSON.parse(message.data) as LogEvent);
          },
          onRetry: (ms) => {
            retryMs = ms;
          },
        });
        const reader = body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch {
        if (signal.aborted) return;
      }
      if (signal.aborted) return;
      onState('reconnecting');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  void run();
  return () => controller.abort();
}
