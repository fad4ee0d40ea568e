import { ClearButton } from './ClearButton.tsx';
import { formatTime } from './format.ts';
import type { AgentContact } from './types.ts';

/** An offer that ran out: the agent gets nothing new until it is cleared (or a status is set). */
export function MissedCard({ contact, onClear }: { contact: AgentContact; onClear: () => Promise<void> }) {
  return (
    <section className="missed-card" data-testid="missed" data-contact-id={contact.contactId}>
      <div className="missed-head">
        <span className="missed-label">Missed</span>
        <span className="missed-time">{formatTime(contact.since)}</span>
      </div>
      <div className="missed-customer">{contact.customerName}</div>
      <div className="missed-queue">{contact.queue.name}</div>
      <p className="missed-hint">You will not be offered new chats until you clear this.</p>
      <ClearButton className="btn btn-secondary" label="Clear" onClear={onClear} />
    </section>
  );
}
