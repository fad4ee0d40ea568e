import type { Channel } from '../../../src/ports/store.ts';
import type { AgentContact, Connection } from './types.ts';

/** What the workspace keeps open for a connected contact of one channel: a chat's connection, a call. */
export interface ContactConnection {
  readonly contactId: string;
  start(): void;
  /** The contact has ended: nothing more comes, what is on screen stays. */
  stop(): void;
  /** Gone from the workspace. */
  dispose(): void;
}

/**
 * The connections of the agent's contacts of one channel, kept in step with the agent state: one
 * per connected contact, made with the accept's answer, or (after a reload) with a fresh one.
 */
export class ContactConnections<T extends ContactConnection> {
  readonly #channel: Channel;
  readonly #make: (contactId: string, fresh?: Connection) => T;
  #byContact: ReadonlyMap<string, T> = new Map();
  /** Contacts being accepted: their connection comes with the accept answer. */
  readonly #accepting = new Set<string>();
  readonly #listeners = new Set<() => void>();

  constructor(channel: Channel, make: (contactId: string, fresh?: Connection) => T) {
    this.#channel = channel;
    this.#make = make;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): ReadonlyMap<string, T> => this.#byContact;

  accepting(contactId: string): void {
    this.#accepting.add(contactId);
  }

  /** The accept answered (with a connection) or failed (without one). */
  accepted(contactId: string, connection?: Connection): void {
    this.#accepting.delete(contactId);
    if (!connection || this.#byContact.has(contactId)) return;
    this.#add(this.#make(contactId, connection));
  }

  sync(contacts: AgentContact[]): void {
    const mine = contacts.filter((c) => c.channel === this.#channel);
    const byId = new Map(mine.map((c) => [c.contactId, c]));
    const next = new Map(this.#byContact);
    let changed = false;
    for (const [id, connection] of this.#byContact) {
      const contact = byId.get(id);
      if (!contact || contact.state === 'MISSED') {
        connection.dispose();
        next.delete(id);
        changed = true;
      } else if (contact.state === 'ENDED') connection.stop();
    }
    for (const contact of mine) {
      if (contact.state !== 'CONNECTED' || next.has(contact.contactId)) continue;
      if (this.#accepting.has(contact.contactId)) continue;
      const connection = this.#make(contact.contactId);
      next.set(contact.contactId, connection);
      connection.start();
      changed = true;
    }
    if (changed) this.#publish(next);
  }

  disposeAll(): void {
    for (const connection of this.#byContact.values()) connection.dispose();
    this.#accepting.clear();
    this.#publish(new Map());
  }

  #add(connection: T): void {
    this.#publish(new Map(this.#byContact).set(connection.contactId, connection));
    connection.start();
  }

  #publish(next: ReadonlyMap<string, T>): void {
    this.#byContact = next;
    for (const listener of this.#listeners) listener();
  }
}
