import { useEffect, useState, useSyncExternalStore } from 'react';
import type { ContactConnection, ContactConnections } from './contact-connections.ts';
import type { AgentContact } from './types.ts';

const nothing = () => () => {};
const none = () => undefined;

/** A channel's connections, one per connected contact, kept in step with the agent state. */
export function useContactConnections<T extends ContactConnection>(
  contacts: AgentContact[] | undefined,
  create: () => ContactConnections<T>,
): { manager: ContactConnections<T>; connections: ReadonlyMap<string, T> } {
  const [manager] = useState(create);
  const connections = useSyncExternalStore(manager.subscribe, manager.getSnapshot);
  useEffect(() => {
    if (contacts) manager.sync(contacts);
  }, [manager, contacts]);
  useEffect(() => () => manager.disposeAll(), [manager]);
  return { manager, connections };
}

/** What a connection holds now (its own snapshot), re-rendering as it changes. */
export function useSnapshot<S>(
  source: { subscribe: (listener: () => void) => () => void; getSnapshot: () => S } | undefined,
): S | undefined {
  return useSyncExternalStore(source?.subscribe ?? nothing, source?.getSnapshot ?? none);
}
