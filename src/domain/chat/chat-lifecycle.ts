/**
 * A chat's part of its contact's life (ContactLifecycle's ChannelLifecycle for CHAT): the
 * agent's participant.joined; at the end, the leaving participant's participant.left, then
 * chat.ended, the last item its sockets and streams get, and once the record is ENDED, its
 * transcript on the outbox (TranscriptArchive), its expiry timer gone, and its place in the
 * instance's active-chats quota given back.
 */
import type { ContactRecord, ParticipantRecord, StoreTx } from '../../ports/store.ts';
import type { ChannelLifecycle } from '../contacts/contact-lifecycle.ts';
import { contentTypes } from './chat-item.ts';
import type { ChatItems } from './chat-items.ts';
import { ACTIVE_CHATS, expiryId } from './chat-service.ts';
import type { TranscriptArchive } from './transcript-archive.ts';

export class ChatLifecycle implements ChannelLifecycle {
  readonly #items: ChatItems;
  readonly #transcripts: TranscriptArchive;

  constructor(items: ChatItems, transcripts: TranscriptArchive) {
    this.#items = items;
    this.#transcripts = transcripts;
  }

  async queued(): Promise<void> {
    // A chat's customer waits with the chat open; the flow says whatever it is told.
  }

  async agentJoined(tx: StoreTx, contact: ContactRecord, agent: ParticipantRecord): Promise<void> {
    await this.#items.append(tx, contact, { type: 'EVENT', contentType: contentTypes.joined, from: agent });
  }

  async leaving(
    tx: StoreTx,
    contact: ContactRecord,
    leaving: ParticipantRecord,
    revoked: boolean,
  ): Promise<void> {
    await this.#items.append(tx, contact, {
      type: 'EVENT',
      contentType: contentTypes.left,
      from: leaving,
      ...(revoked && { revokes: leaving.id }),
    });
  }

  async closing(tx: StoreTx, contact: ContactRecord): Promise<void> {
    await this.#items.append(tx, contact, { type: 'EVENT', contentType: contentTypes.ended, ends: true });
  }

  async closed(tx: StoreTx, ended: ContactRecord): Promise<void> {
    await this.#transcripts.queue(tx, ended);
    await tx.due.cancel(expiryId(ended.id));
    await tx.counters.add(ended.instanceId, ACTIVE_CHATS, -1);
  }
}
