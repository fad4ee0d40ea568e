import { useState, type FormEvent } from 'react';
import { api, ApiError } from './api.ts';

export function SignIn({ notice, onSignedIn }: { notice?: string; onSignedIn: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.signIn(username, password);
      onSignedIn();
    } catch (err) {
      if (err instanceof ApiError && err.retryAfterSeconds !== undefined) {
        setError(`${err.message} Try again in ${err.retryAfterSeconds} s.`);
      } else setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit}>
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          localconnect
        </div>
        <h1>Agent workspace</h1>
        {notice && <p className="signin-notice">{notice}</p>}
        <label>
          Username
          <input
            data-testid="signin-username"
            name="username"
            autoComplete="username"
            autoFocus
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            data-testid="signin-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="form-error" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
        <button className="btn btn-primary" type="submit" data-testid="signin-submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
