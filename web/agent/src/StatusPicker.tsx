import { useState } from 'react';
import { api } from './api.ts';
import type { AgentState } from './types.ts';

/**
 * The agent's status. The server's answer is not used: the change shows when the events socket
 * pushes it, and until then the picker holds the choice so it does not flick back.
 */
export function StatusPicker({
  current,
  statuses,
}: {
  current: AgentState['status'];
  statuses: AgentState['statuses'];
}) {
  const [pending, setPending] = useState<{ id: string; from: number }>();
  const [error, setError] = useState<string>();
  // The pending choice gives way to the pushed status as soon as one newer than it arrives.
  const shownId = pending && pending.from === current.since ? pending.id : current.id;
  const shown = statuses.find((s) => s.id === shownId) ?? current;

  const choose = async (statusId: string) => {
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
    <span className="status-picker">
      <span className={`status-dot status-${shown.type.toLowerCase()}`} aria-hidden="true" />
      <select
        data-testid="status-select"
        aria-label="Status"
        value={shownId}
        onChange={(e) => void choose(e.target.value)}
      >
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
