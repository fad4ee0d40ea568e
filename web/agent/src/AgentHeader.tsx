import { useState } from 'react';
import { formatDuration } from './format.ts';
import { StatusPicker } from './StatusPicker.tsx';
import type { AgentState } from './types.ts';
import type { EventsStatus } from './useAgentEvents.ts';
import { useNow } from './useNow.ts';

export function AgentHeader({
  state,
  eventsStatus,
  onSignOut,
}: {
  state: AgentState;
  eventsStatus: EventsStatus;
  onSignOut: () => Promise<void>;
}) {
  const now = useNow();
  const [error, setError] = useState<string>();
  // Routing offers nothing to an Available agent with a missed offer not cleared: the header says
  // Missed, as Amazon Connect's CCP does, until it is cleared or a status is picked.
  const missed =
    state.status.type === 'ROUTABLE' ? state.contacts.filter((c) => c.state === 'MISSED').at(-1) : undefined;
  const name = `${state.user.firstName} ${state.user.lastName}`.trim() || state.user.username;

  const signOut = async () => {
    setError(undefined);
    try {
      await onSignOut();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">localconnect</span>
      </div>
      <div className="header-agent">
        <span className="agent-name" data-testid="agent-name" title={state.user.username}>
          {name}
        </span>
        <span className="routing-profile">{state.routingProfile.name}</span>
      </div>
      <div className="header-status">
        <StatusPicker current={state.status} statuses={state.statuses} missed={missed !== undefined} />
        <span className="status-time" title="Time in this status">
          {formatDuration(now - (missed?.since ?? state.status.since))}
        </span>
      </div>
      <div className="header-end">
        <span
          className={`events-status events-${eventsStatus}`}
          data-testid="events-status"
          title="Connection to the workspace's live updates"
        >
          {eventsStatus}
        </span>
        <button className="btn btn-quiet" type="button" data-testid="signout" onClick={signOut}>
          Sign out
        </button>
      </div>
      {error && (
        <p className="header-error" role="alert">
          {error}
        </p>
      )}
    </header>
  );
}
