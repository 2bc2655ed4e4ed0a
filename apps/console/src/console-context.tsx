import { createContext, useContext, useEffect, useRef } from 'react';
import type { ApiClient, LogEvent } from './api';
import type { LiveState } from './live';

/** What every page of a signed-in console shares: the API with the key, and the live log. */
export interface ConsoleSession {
  readonly client: ApiClient;
  readonly liveState: LiveState;
  /** Calls `listener` with each event of the log as it is committed; returns what stops it. */
  readonly onLogEvent: (listener: (event: LogEvent) => void) => () => void;
}

export const ConsoleContext = createContext<ConsoleSession | null>(null);

export function useConsole(): ConsoleSession {
  const session = useContext(ConsoleContext);
  if (!session) throw new Error('useConsole outside a signed-in console');
  return session;
}

/**
 * Runs `refresh` whenever an event of the log matches, at most once per 250 ms (a message's
 * events come in bursts: its part sent, its outcome, MessageSent).
 */
export function useLiveRefresh(matches: (event: LogEvent) => boolean, refresh: () => void): void {
  const { onLogEvent } = useConsole();
  const latest = useRef({ matches, refresh });
  latest.current = { matches, refresh };
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = onLogEvent((event) => {
      if (!latest.current.matches(event) || timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        latest.current.refresh();
      }, 250);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [onLogEvent]);
}
