import { useEffect, useState, useSyncExternalStore } from 'react';
import { api } from './api.ts';
import { CallSession, type CallSnapshot } from './call-session.ts';
import { ContactConnections } from './contact-connections.ts';
import type { AgentContact, CallConnectionData } from './types.ts';

const nothing = () => () => {};
const none = () => undefined;

/** One call session per connected call, joined and left as the agent state says. */
export function useCallSessions(contacts: AgentContact[] | undefined): {
  manager: ContactConnections<CallSession>;
  calls: ReadonlyMap<string, CallSession>;
} {
  const [manager] = useState(
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
  const calls = useSyncExternalStore(manager.subscribe, manager.getSnapshot);
  useEffect(() => {
    if (contacts) manager.sync(contacts);
  }, [manager, contacts]);
  useEffect(() => () => manager.disposeAll(), [manager]);
  return { manager, calls };
}

/** What a call session is now, re-rendering as it changes. */
export function useCallSession(call: CallSession | undefined): CallSnapshot | undefined {
  return useSyncExternalStore(call?.subscribe ?? nothing, call?.getSnapshot ?? none);
}
