import { api } from './api.ts';
import { CallSession, type CallSnapshot } from './call-session.ts';
import { ContactConnections } from './contact-connections.ts';
import type { AgentContact, CallConnectionData } from './types.ts';
import { useContactConnections, useSnapshot } from './useContactConnections.ts';

/** One call session per connected call, joined and left as the agent state says. */
export function useCallSessions(contacts: AgentContact[] | undefined) {
  const { manager, connections } = useContactConnections(
    contacts,
    () =>
      new ContactConnections(
        'VOICE',
        (contactId, fresh) =>
          new CallSession(
            contactId,
            async () => (await api.connection(contactId)) as CallConnectionData,
            fresh as CallConnectionData | undefined,
          ),
      ),
  );
  return { manager, calls: connections };
}

/** What a call session is now, re-rendering as it changes. */
export function useCallSession(call: CallSession | undefined): CallSnapshot | undefined {
  return useSnapshot(call);
}
