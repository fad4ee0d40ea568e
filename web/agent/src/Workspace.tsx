import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from './api.ts';
import { AgentHeader } from './AgentHeader.tsx';
import { AttributesPanel } from './AttributesPanel.tsx';
import { ContactTabs } from './ContactTabs.tsx';
import { ContactView } from './ContactView.tsx';
import { MissedCard } from './MissedCard.tsx';
import { OfferCard } from './OfferCard.tsx';
import { QueueStatsPanel } from './QueueStatsPanel.tsx';
import { useAgentEvents } from './useAgentEvents.ts';
import { useCallSessions } from './useCallSession.ts';
import { useChatConnections } from './useChatConnection.ts';
import { useOfferAlerts } from './useOfferAlerts.ts';
import type { AgentContact } from './types.ts';

export function Workspace({ onSignedOut }: { onSignedOut: (notice?: string) => void }) {
  const events = useAgentEvents(useCallback(() => onSignedOut('You have been signed out.'), [onSignedOut]));
  const state = events.state;
  const { manager, chats } = useChatConnections(state?.contacts);
  const { manager: callManager, calls } = useCallSessions(state?.contacts);
  const [selectedId, setSelectedId] = useState<string>();

  const contacts = state?.contacts ?? [];
  const offers = contacts.filter((c) => c.state === 'CONNECTING');
  const missed = contacts.filter((c) => c.state === 'MISSED');
  const tabs = contacts.filter((c) => c.state === 'CONNECTED' || c.state === 'ENDED');
  // The chosen tab while it exists; otherwise the latest in after-contact work (the one waiting
  // for the agent, as after a reload), else the oldest contact, so there is always one on screen.
  const selected =
    tabs.find((c) => c.contactId === selectedId) ??
    tabs.filter((c) => c.state === 'ENDED').sort((a, b) => b.since - a.since)[0] ??
    tabs[0];
  useOfferAlerts(offers);

  useEffect(() => {
    const base = 'Agent workspace · localconnect';
    document.title = offers.length > 0 ? `(${offers.length}) Incoming chat · ${base}` : base;
  }, [offers.length]);

  const accept = async (contact: AgentContact) => {
    const connections = contact.channel === 'VOICE' ? callManager : manager;
    connections.accepting(contact.contactId);
    try {
      const connection = await api.accept(contact.contactId);
      connections.accepted(contact.contactId, connection);
      setSelectedId(contact.contactId);
    } catch (err) {
      connections.accepted(contact.contactId);
      throw err;
    }
  };

  const signOut = async () => {
    try {
      await api.signOut();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) throw err;
    }
    onSignedOut();
  };

  if (!state) {
    return (
      <div className="splash">
        <span data-testid="events-status">{events.status}</span>
        <span>Connecting to the workspace…</span>
      </div>
    );
  }

  return (
    <div className="workspace">
      <AgentHeader state={state} eventsStatus={events.status} onSignOut={signOut} />
      <main className="layout">
        <aside className="column contacts-column" aria-label="Contacts">
          {offers.map((c) => (
            <OfferCard
              // A new offer of the same contact (after a reject, with nobody else to take it) is a new card.
              key={`${c.contactId}:${c.since}`}
              contact={c}
              onAccept={() => accept(c)}
              onReject={() => api.reject(c.contactId)}
            />
          ))}
          {missed.map((c) => (
            <MissedCard key={c.contactId} contact={c} onClear={() => api.clear(c.contactId)} />
          ))}
          <ContactTabs
            contacts={tabs}
            chats={chats}
            selectedId={selected?.contactId}
            onSelect={setSelectedId}
          />
        </aside>
        <section className="work-area" aria-label="Selected contact">
          {selected ? (
            <ContactView
              key={selected.contactId}
              contact={selected}
              chat={chats.get(selected.contactId)}
              call={calls.get(selected.contactId)}
            />
          ) : (
            <div className="empty-state">
              <h2>No active contacts</h2>
              <p>
                {missed.length > 0
                  ? 'You missed a chat, so no more are offered to you. Set your status to Available to receive chats.'
                  : state.status.type === 'ROUTABLE'
                    ? 'You are available. New chats will be offered to you here.'
                    : `You are ${state.status.name}. Set your status to Available to receive chats.`}
              </p>
            </div>
          )}
        </section>
        <aside className="column info-column" aria-label="Details">
          <AttributesPanel contact={selected} />
          <QueueStatsPanel queues={state.queues} receivedAt={events.receivedAt} />
        </aside>
      </main>
    </div>
  );
}
