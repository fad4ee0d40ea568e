import { useEffect, useState, useSyncExternalStore } from 'react';
import { api } from './api.ts';
import { ChatConnections, type ChatConnection, type ChatSnapshot } from './chat-connection.ts';
import type { AgentContact } from './types.ts';

const nothing = () => () => {};
const none = () => undefined;

/** One chat connection per connected contact, opened and closed as the agent state says. */
export function useChatConnections(contacts: AgentContact[] | undefined): {
  manager: ChatConnections;
  chats: ReadonlyMap<string, ChatConnection>;
} {
  const [manager] = useState(() => new ChatConnections((contactId) => api.connection(contactId)));
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
