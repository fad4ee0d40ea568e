import { useState } from 'react';
import { api } from './api.ts';
import { describeDisconnect, formatDuration } from './format.ts';
import type { AgentContact } from './types.ts';
import { useNow } from './useNow.ts';

/** After-contact work: the chat has ended and the slot stays taken until the agent clears it. */
export function AfterContactWork({ contact }: { contact: AgentContact }) {
  const now = useNow();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const clear = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.clear(contact.contactId);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <section className="acw" data-testid="acw" aria-label="After contact work">
      <div className="acw-text">
        <strong>After contact work</strong>
        <span className="acw-time">{formatDuration(now - contact.since)}</span>
        <span className="acw-reason" data-reason={contact.disconnectReason ?? ''}>
          {describeDisconnect(contact.disconnectReason)}
          {contact.disconnectReason && <code>{contact.disconnectReason}</code>}
        </span>
      </div>
      <button
        className="btn btn-primary"
        type="button"
        data-testid="clear-contact"
        disabled={busy}
        onClick={() => void clear()}
      >
        {busy ? 'Clearing…' : 'Clear contact'}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
