import { useState } from 'react';
import { api } from './api.ts';
import { askForNotifications } from './offer-alert.ts';
import type { AgentState } from './types.ts';

/** Stands for the routing state Missed in the list; no status has this id. */
const MISSED = 'missed';

/**
 * The agent's status. The server's answer is not used: the change shows when the events socket
 * pushes it, and until then the picker holds the choice so it does not flick back.
 */
export function StatusPicker({
  current,
  statuses,
  missed,
}: {
  current: AgentState['status'];
  statuses: AgentState['statuses'];
  missed: boolean;
}) {
  const [pending, setPending] = useState<{ id: string; from: number }>();
  const [error, setError] = useState<string>();
  // The pending choice gives way to the pushed status as soon as one newer than it arrives.
  const shownId = pending && pending.from === current.since ? pending.id : missed ? MISSED : current.id;
  const shown =
    shownId === MISSED
      ? { type: 'missed', name: 'Missed' }
      : (statuses.find((s) => s.id === shownId) ?? current);

  const choose = async (statusId: string) => {
    // Picking a status is the agent's first click in the workspace: the one a browser lets ask.
    askForNotifications();
    setError(undefined);
    setPending({ id: statusId, from: current.since });
    try {
      await api.setStatus(statusId);
    } catch (err) {
      setPending(undefined);
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <span className="status-picker" data-testid="status" data-status={shown.name}>
      <span className={`status-dot status-${shown.type.toLowerCase()}`} aria-hidden="true" />
      <select
        data-testid="status-select"
        aria-label="Status"
        value={shownId}
        onChange={(e) => void choose(e.target.value)}
      >
        {shownId === MISSED && (
          <option value={MISSED} disabled>
            Missed
          </option>
        )}
        {!statuses.some((s) => s.id === current.id) && <option value={current.id}>{current.name}</option>}
        {statuses.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
      {error && (
        <span className="status-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
