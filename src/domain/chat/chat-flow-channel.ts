/**
 * What a chat's flow says and how it disconnects (FlowRunner's FlowChannel for CHAT): its
 * messages are the chat's system messages, and disconnecting ends the chat.
 */
import type { ContactRecord, StoreTx } from '../../ports/store.ts';
import type { FlowChannel } from '../flows/flow-runner.ts';
import type { ChatService } from './chat-service.ts';

/** The name flow messages carry, as Amazon Connect shows system messages. */
export const SYSTEM_NAME = 'SYSTEM_MESSAGE';

export class ChatFlowChannel implements FlowChannel {
  readonly #chats: ChatService;

  constructor(chats: ChatService) {
    this.#chats = chats;
  }

  async say(tx: StoreTx, contact: ContactRecord, text: string): Promise<void> {
    await this.#chats.append(tx, contact, {
      type: 'MESSAGE',
      contentType: 'text/plain',
      content: text,
      systemName: SYSTEM_NAME,
    });
  }

  disconnect(tx: StoreTx, contact: ContactRecord): Promise<void> {
    return this.#chats.end(tx, contact, 'CONTACT_FLOW_DISCONNECT');
  }
}
