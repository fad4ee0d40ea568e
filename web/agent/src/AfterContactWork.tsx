import { api } from './api.ts';
import { ClearButton } from './ClearButton.tsx';
import { describeDisconnect, formatDuration } from './format.ts';
import type { AgentContact } from './types.ts';
import { useNow } from './useNow.ts';

/** After-contact work: the chat has ended and the slot stays taken until the agent clears it. */
export function AfterContactWork({ contact }: { contact: AgentContact }) {
  const now = useNow();
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
      <ClearButton
        className="btn btn-primary"
        label="Clear contact"
        onClear={() => api.clear(contact.contactId)}
      />
    </section>
  );
}
