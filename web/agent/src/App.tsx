import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, whenNotSignedIn } from './api.ts';
import { SignIn } from './SignIn.tsx';
import { Workspace } from './Workspace.tsx';

type Phase = { kind: 'loading' } | { kind: 'signedOut'; notice?: string } | { kind: 'signedIn' };

export function App() {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });

  const signedOut = useCallback((notice?: string) => setPhase({ kind: 'signedOut', notice }), []);

  useEffect(() => {
    whenNotSignedIn(() => signedOut('Your session has ended. Please sign in again.'));
    let cancelled = false;
    // A session cookie from before a reload picks up where it was.
    api.state().then(
      () => !cancelled && setPhase({ kind: 'signedIn' }),
      (err: unknown) => {
        if (cancelled) return;
        const unreachable = err instanceof ApiError && err.status !== 401;
        setPhase({ kind: 'signedOut', notice: unreachable ? err.message : undefined });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [signedOut]);

  switch (phase.kind) {
    case 'loading':
      return <div className="splash">Loading…</div>;
    case 'signedOut':
      return <SignIn notice={phase.notice} onSignedIn={() => setPhase({ kind: 'signedIn' })} />;
    case 'signedIn':
      return <Workspace onSignedOut={signedOut} />;
  }
}
