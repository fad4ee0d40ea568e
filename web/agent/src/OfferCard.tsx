import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError } from './api.ts';
import type { AgentContact } from './types.ts';
import { useNow } from './useNow.ts';

/**
 * An incoming chat, offered until offerExpiresAt. From the keyboard: Accept takes the focus when
 * the offer comes (unless the agent is typing somewhere), Enter accepts, Escape rejects.
 */
export function OfferCard({
  contact,
  onAccept,
  onReject,
}: {
  contact: AgentContact;
  onAccept: () => Promise<void>;
  onReject: () => Promise<void>;
}) {
  const now = useNow();
  const [busy, setBusy] = useState<'accept' | 'reject'>();
  const [error, setError] = useState<string>();
  const total = contact.offerExpiresAt !== undefined ? contact.offerExpiresAt - contact.since : 0;
  const left = contact.offerExpiresAt !== undefined ? Math.max(0, contact.offerExpiresAt - now) : 0;
  const seconds = Math.ceil(left / 1000);
  const acceptButton = useRef<HTMLButtonElement>(null);
  const kind = contact.channel === 'VOICE' ? 'call' : 'chat';

  useEffect(() => {
    // Not while the agent writes, nor away from an offer they are answering already.
    const focused = document.activeElement;
    if (!writing(focused) && !focused?.closest('.offer-card')) acceptButton.current?.focus();
  }, []);

  const act = async (what: 'accept' | 'reject', call: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await call();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 409
          ? `This ${kind} is no longer offered to you.`
          : err instanceof Error
            ? err.message
            : String(err),
      );
      setBusy(undefined);
    }
  };

  const keyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || busy !== undefined) return;
    e.preventDefault();
    void act('reject', onReject);
  };

  return (
    <section
      className="offer-card"
      data-testid="offer"
      data-contact-id={contact.contactId}
      data-since={contact.since}
      aria-label={`Incoming ${kind} from ${contact.customerName}`}
      onKeyDown={keyDown}
    >
      <div className="offer-head">
        <span className="offer-kind">Incoming {kind}</span>
        {contact.offerExpiresAt !== undefined && (
          <span className="offer-countdown" aria-label={`${seconds} seconds left`}>
            {seconds}s
          </span>
        )}
      </div>
      <div className="offer-customer" data-testid="offer-customer">
        {contact.customerName}
      </div>
      <div className="offer-queue">{contact.queue.name}</div>
      {total > 0 && (
        <div className="offer-timer" aria-hidden="true">
          <div className="offer-timer-fill" style={{ width: `${Math.min(100, (left / total) * 100)}%` }} />
        </div>
      )}
      <div className="offer-actions">
        <button
          className="btn btn-accept"
          type="button"
          data-testid="offer-accept"
          ref={acceptButton}
          aria-keyshortcuts="Enter"
          disabled={busy !== undefined}
          onClick={() => void act('accept', onAccept)}
        >
          {busy === 'accept' ? 'Accepting…' : 'Accept'}
          <kbd>Enter</kbd>
        </button>
        <button
          className="btn btn-reject"
          type="button"
          data-testid="offer-reject"
          aria-keyshortcuts="Escape"
          disabled={busy !== undefined}
          onClick={() => void act('reject', onReject)}
        >
          {busy === 'reject' ? 'Rejecting…' : 'Reject'}
          <kbd>Esc</kbd>
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/**
 * Whether the focus is where the agent writes (a message, a field), so keys are not theirs to
 * take. Anywhere else, such as the status list just picked from, an offer may take the focus.
 */
function writing(focused: Element | null): boolean {
  return (
    focused instanceof HTMLTextAreaElement ||
    focused instanceof HTMLInputElement ||
    (focused instanceof HTMLElement && focused.isContentEditable)
  );
}
