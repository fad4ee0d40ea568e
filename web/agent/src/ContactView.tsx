import { useEffect, useState } from 'react';
import { api } from './api.ts';
import { AfterContactWork } from './AfterContactWork.tsx';
import type { CallSession } from './call-session.ts';
import { CallPanel } from './CallPanel.tsx';
import type { ChatConnection } from './chat-connection.ts';
import { ChatPanel } from './ChatPanel.tsx';
import { formatDuration } from './format.ts';
import type { AgentContact } from './types.ts';
import { useChatConnection } from './useChatConnection.ts';
import { useDocumentVisible } from './useDocumentVisible.ts';
import { useNow } from './useNow.ts';

/** The contact on screen: its header, the chat or the call, and after-contact work once it has ended. */
export function ContactView({
  contact,
  chat,
  call,
}: {
  contact: AgentContact;
  chat: ChatConnection | undefined;
  call: CallSession | undefined;
}) {
  const isCall = contact.channel === 'VOICE';
  const now = useNow();
  const snap = useChatConnection(chat);
  const visible = useDocumentVisible();
  const [ending, setEnding] = useState(false);
  const [error, setError] = useState<string>();
  const connected = contact.state === 'CONNECTED';

  // On screen and in view: what the customer said has been read.
  const items = snap?.items;
  useEffect(() => {
    if (visible && items) chat?.markRead();
  }, [chat, visible, items]);

  const end = async () => {
    setEnding(true);
    setError(undefined);
    try {
      await api.end(contact.contactId);
      call?.stop();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setEnding(false);
    }
  };

  return (
    <div className="contact-view">
      <div className="contact-header">
        <div className="contact-title">
          <h2>{contact.customerName}</h2>
          <span className="contact-sub">
            {isCall ? 'Call' : 'Chat'} · {contact.queue.name}
            {connected && contact.connectedAt !== undefined && (
              <> · {formatDuration(now - contact.connectedAt)}</>
            )}
          </span>
        </div>
        {connected && (
          <button
            className="btn btn-danger"
            type="button"
            data-testid={isCall ? 'hang-up' : 'end-chat'}
            disabled={ending}
            onClick={() => void end()}
          >
            {ending ? 'Ending…' : isCall ? 'Hang up' : 'End chat'}
          </button>
        )}
      </div>
      {error && (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      )}
      {contact.state === 'ENDED' && <AfterContactWork contact={contact} />}
      {isCall ? (
        <CallPanel call={call} connected={connected} agentVideo={contact.agentVideo === true} />
      ) : snap ? (
        <ChatPanel chat={chat!} snap={snap} canSend={connected && !snap.ended} />
      ) : (
        <div className="chat-panel">
          <p className="chat-placeholder">
            {connected
              ? 'Connecting to the chat…'
              : 'The chat ended before this page was loaded; its transcript is not available here.'}
          </p>
        </div>
      )}
    </div>
  );
}
