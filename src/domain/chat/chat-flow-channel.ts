/**
 * What a chat's flow says and how it disconnects (FlowRunner's FlowChannel for CHAT): its
 * messages are the chat's system messages, and disconnecting ends the chat.
 */
import type { ContactRecord, StoreTx } from '../../ports/store.ts';
import type { FlowChannel } from '../flows/flow-runner.ts';
import type { ContactLifecycle } from '../contacts/contact-lifecycle.ts';
import type { ChatItems } from './chat-items.ts';

/** The name flow messages carry, as Amazon Connect shows system messages. */
export const SYSTEM_NAME = 'SYSTEM_MESSAGE';

export class ChatFlowChannel implements FlowChannel {
  readonly #items: ChatItems;
  readonly #lifecycle: ContactLifecycle;

  constructor(items: ChatItems, lifecycle: ContactLifecycle) {
    this.#items = items;
    this.#lifecycle = lifecycle;
  }

  async say(tx: StoreTx, contact: ContactRecord, text: string): Promise<void> {
    await this.#items.append(tx, contact, {
      type: 'MESSAGE',
      contentType: 'text/plain',
      content: text,
      systemName: SYSTEM_NAME,
    });
  }

  disconnect(tx: StoreTx, contact: ContactRecord): Promise<void> {
    return this.#lifecycle.end(tx, contact, 'CONTACT_FLOW_DISCONNECT');
  }
}
