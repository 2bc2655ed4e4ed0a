import { type FormEvent, useState } from 'react';
import { ApiClient, ApiProblem } from '../api';

/** Asks for an API key and tries it on the API before keeping it. */
export function SignInPage({ onSignedIn }: { onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setChecking(true);
    setError(null);
    try {
      await new ApiClient(key.trim()).get('/messages?limit=1');
      onSignedIn(key.trim());
    } catch (failure) {
      setError(
        failure instanceof ApiProblem && failure.problem.status === 401
          ? 'That API key was not accepted. Check it and try again.'
          : `Could not sign in: ${failure instanceof Error ? failure.message : String(failure)}`,
      );
      setChecking(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>Scheduled messages</h1>
      <form onSubmit={(event) => void submit(event)} aria-describedby="sign-in-help">
        <p id="sign-in-help">
          Sign in with an API key of this system (one of <code>API_KEYS</code>). It is kept in this
          tab only, until you sign out or close it.
        </p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          required
          value={key}
          onChange={(event) => setKey(event.target.value)}
          aria-invalid={error !== null}
          aria-describedby={error ? 'sign-in-error' : undefined}
        />
        {error && (
          <p id="sign-in-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={checking || key.trim() === ''}>
          {checking ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
