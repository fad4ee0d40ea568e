import { api } from './api.ts';
import { ChatConnection, type ChatSnapshot } from './chat-connection.ts';
import { ContactConnections } from './contact-connections.ts';
import type { AgentContact, ChatConnectionData } from './types.ts';
import { useContactConnections, useSnapshot } from './useContactConnections.ts';

/** One chat connection per connected chat, opened and closed as the agent state says. */
export function useChatConnections(contacts: AgentContact[] | undefined) {
  const { manager, connections } = useContactConnections(
    contacts,
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
  return { manager, chats: connections };
}

/** What a chat connection holds now, re-rendering as it changes. */
export function useChatConnection(chat: ChatConnection | undefined): ChatSnapshot | undefined {
  return useSnapshot(chat);
}
