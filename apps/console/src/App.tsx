import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Navigate, NavLink, Route, Routes, useNavigate } from 'react-router-dom';
import { ApiClient, type LogEvent } from './api';
import { ConsoleContext, type ConsoleSession } from './console-context';
import { followLog, type LiveState } from './live';
import { CalendarPage } from './pages/CalendarPage';
import { ComposePage } from './pages/ComposePage';
import { HealthPage } from './pages/HealthPage';
import { MessagePage } from './pages/MessagePage';
import { SignInPage } from './pages/SignInPage';
import { SubscriberPage, SubscribersPage } from './pages/SubscribersPage';
import { forgetApiKey, storedApiKey, storeApiKey } from './session';

const LIVE_LABELS: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

export function App() {
  const [apiKey, setApiKey] = useState<string | null>(() => storedApiKey());
  const navigate = useNavigate();

  const signIn = useCallback(
    (key: string) => {
      storeApiKey(key);
      setApiKey(key);
      void navigate('/calendar');
    },
    [navigate],
  );
  const signOut = useCallback(() => {
    forgetApiKey();
    setApiKey(null);
    void navigate('/sign-in');
  }, [navigate]);

  if (apiKey === null) {
    return (
      <Routes>
        <Route path="/sign-in" element={<SignInPage onSignedIn={signIn} />} />
        <Route path="*" element={<Navigate to="/sign-in" replace />} />
      </Routes>
    );
  }
  return <SignedIn apiKey={apiKey} onSignOut={signOut} />;
}

function SignedIn({ apiKey, onSignOut }: { apiKey: string; onSignOut: () => void }) {
  const client = useMemo(() => new ApiClient(apiKey), [apiKey]);
  const [liveState, setLiveState] = useState<LiveState>('connecting');
  const listeners = useRef(new Set<(event: LogEvent) => void>());

  useEffect(
    () =>
      followLog(
        client,
        (event) => {
          // One page's failure must not keep the event from the others, nor stop the stream.
          for (const listener of listeners.current) {
            try {
              listener(event);
            } catch {
              // The page shows its own errors; the stream goes on.
            }
          }
        },
        setLiveState,
      ),
    [client],
  );

  const onLogEvent = useCallback((listener: (event: LogEvent) => void) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const session = useMemo<ConsoleSession>(
    () => ({ client, liveState, onLogEvent }),
    [client, liveState, onLogEvent],
  );

  return (
    <ConsoleContext.Provider value={session}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <span className="brand">Scheduled messages</span>
        <nav aria-label="Console">
          <NavLink to="/calendar">Calendar</NavLink>
          <NavLink to="/compose">New message</NavLink>
          <NavLink to="/subscribers">Subscribers</NavLink>
          <NavLink to="/health">Delivery health</NavLink>
        </nav>
        <span className={`live live-${liveState}`} role="status">
          {LIVE_LABELS[liveState]}
        </span>
        <button type="button" className="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/calendar" element={<CalendarPage />} />
          <Route path="/compose" element={<ComposePage />} />
          <Route path="/messages/:id" element={<MessagePage />} />
          <Route path="/subscribers" element={<SubscribersPage />} />
          <Route path="/subscribers/:id" element={<SubscriberPage />} />
          <Route path="/health" element={<HealthPage />} />
          <Route path="*" element={<Navigate to="/calendar" replace />} />
        </Routes>
      </main>
    </ConsoleContext.Provider>
  );
}
