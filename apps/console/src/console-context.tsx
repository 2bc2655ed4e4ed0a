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

/** A page refreshes at most this often from the live log: its key's rate limit is shared. */
const REFRESH_EVERY_MS = 1500;

/**
 * Runs `refresh` when an event of the log matches: at once, or, within REFRESH_EVERY_MS of the
 * last refresh, once at its end (a message's events come in bursts); not while the tab is hidden
 * (once when it shows again); and after the live stream reconnects (what happened meanwhile).
 */
export function useLiveRefresh(matches: (event: LogEvent) => boolean, refresh: () => void): void {
  const { onLogEvent, liveState } = useConsole();
  const latest = useRef({ matches, refresh });
  latest.current = { matches, refresh };
  const throttle = useRef({
    last: 0,
    timer: undefined as ReturnType<typeof setTimeout> | undefined,
    missed: false,
  });

  const request = useRef(() => {
    const state = throttle.current;
    if (document.hidden) {
      state.missed = true;
      return;
    }
    if (state.timer !== undefined) return;
    const wait = state.last + REFRESH_EVERY_MS - Date.now();
    const run = () => {
      state.timer = undefined;
      state.last = Date.now();
      latest.current.refresh();
    };
    if (wait <= 0) run();
    else state.timer = setTimeout(run, wait);
  });

  useEffect(() => {
    const stop = onLogEvent((event) => {
      if (latest.current.matches(event)) request.current();
    });
    const shown = () => {
      if (!document.hidden && throttle.current.missed) {
        throttle.current.missed = false;
        request.current();
      }
    };
    document.addEventListener('visibilitychange', shown);
    const state = throttle.current;
    return () => {
      stop();
      document.removeEventListener('visibilitychange', shown);
      clearTimeout(state.timer);
      state.timer = undefined;
    };
  }, [onLogEvent]);

  const previous = useRef(liveState);
  useEffect(() => {
    if (previous.current === 'reconnecting' && liveState === 'live') request.current();
    previous.current = liveState;
  }, [liveState]);
}
