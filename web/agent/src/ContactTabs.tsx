import type { ChatConnection } from './chat-connection.ts';
import { formatDuration } from './format.ts';
import { customerHasLeft } from './transcript.ts';
import type { AgentContact } from './types.ts';
import { useChatConnection } from './useChatConnection.ts';
import { useNow } from './useNow.ts';

export function ContactTabs({
  contacts,
  chats,
  selectedId,
  onSelect,
}: {
  contacts: AgentContact[];
  chats: ReadonlyMap<string, ChatConnection>;
  selectedId: string | undefined;
  onSelect: (contactId: string) => void;
}) {
  if (contacts.length === 0) return null;
  return (
    <nav className="contact-tabs" role="tablist" aria-label="Your contacts">
      {contacts.map((c) => (
        <ContactTab
          key={c.contactId}
          contact={c}
          chat={chats.get(c.contactId)}
          selected={c.contactId === selectedId}
          onSelect={() => onSelect(c.contactId)}
        />
      ))}
    </nav>
  );
}

function ContactTab({
  contact,
  chat,
  selected,
  onSelect,
}: {
  contact: AgentContact;
  chat: ChatConnection | undefined;
  selected: boolean;
  onSelect: () => void;
}) {
  const now = useNow();
  const snap = useChatConnection(chat);
  const ended = contact.state === 'ENDED';
  const left = !ended && snap !== undefined && customerHasLeft(snap.items);
  const unread = selected ? 0 : (snap?.unread ?? 0);
  return (
    <button
      type="button"
      role="tab"
      aria-selected={selected}
      className={`contact-tab${selected ? ' selected' : ''}${ended ? ' ended' : ''}`}
      data-testid="contact-tab"
      data-contact-id={contact.contactId}
      data-state={contact.state}
      data-customer-left={left || undefined}
      onClick={onSelect}
    >
      <span className="tab-top">
        <span className="tab-name">{contact.customerName}</span>
        {unread > 0 && (
          <span className="tab-unread" aria-label={`${unread} unread`}>
            {unread}
          </span>
        )}
      </span>
      <span className="tab-bottom">
        <span
          className={`tab-state ${ended ? 'state-acw' : left ? 'state-left' : 'state-chat'}`}
          data-testid="tab-state"
        >
          {ended
            ? 'After contact work'
            : left
              ? 'Customer left'
              : snap?.typing
                ? 'Typing…'
                : contact.channel === 'VOICE'
                  ? 'Call'
                  : 'Chat'}
        </span>
        <span className="tab-time">
          {formatDuration(now - (ended ? contact.since : (contact.connectedAt ?? contact.since)))}
        </span>
      </span>
    </button>
  );
}
