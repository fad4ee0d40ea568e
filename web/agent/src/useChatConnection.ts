import { useEffect, useState, useSyncExternalStore } from 'react';
import { api } from './api.ts';
import { ChatConnection, type ChatSnapshot } from './chat-connection.ts';
import { ContactConnections } from './contact-connections.ts';
import type { AgentContact, ChatConnectionData } from './types.ts';

const nothing = () => () => {};
const none = () => undefined;

/** One chat connection per connected contact, opened and closed as the agent state says. */
export function useChatConnections(contacts: AgentContact[] | undefined): {
  manager: ContactConnections<ChatConnection>;
  chats: ReadonlyMap<string, ChatConnection>;
} {
  const [manager] = useState(
    () =>
      new ContactConnections(
        'CHAT',
        (contactId, fresh) =>
          new ChatConnection(
            contactId,
            async () => (await api.connection(contactId)) as ChatConnectionData,
            fresh as ChatConnectionData | undefined,
          ),
      ),
  );
  const chats = useSyncExternalStore(manager.subscribe, manager.getSnapshot);
  useEffect(() => {
    if (contacts) manager.sync(contacts);
  }, [manager, contacts]);
  useEffect(() => () => manager.disposeAll(), [manager]);
  return { manager, chats };
}

/** What a chat connection holds now, re-rendering as it changes. */
export function useChatConnection(chat: ChatConnection | undefined): ChatSnapshot | undefined {
  return useSyncExternalStore(chat?.subscribe ?? nothing, chat?.getSnapshot ?? none);
}
