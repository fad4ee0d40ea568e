/**
 * A chat's items as they are written: each transcript item stored in the contact's order,
 * forwarded to the chat's streams (ChatStreams) in the same transaction, and published on the
 * EventBus once it commits (tx.onCommit), in transcript order. Ephemeral items (typing) and
 * receipts are published the same way, without a place in the transcript.
 */
import type { Clock } from '../../ports/clock.ts';
import type { IdGenerator } from '../../ports/ids.ts';
import { topics, type EventBus } from '../../ports/event-bus.ts';
import type { ContactRecord, ParticipantRecord, StoreTx } from '../../ports/store.ts';
import type { ChatStreams } from '../streaming/chat-streams.ts';
import type { ChatEvent, ChatItem, ChatItemType } from './chat-item.ts';

export interface ChatItemsDeps {
  clock: Clock;
  ids: IdGenerator;
  bus: EventBus;
  /** The SNS topics chats stream to (StartContactStreaming). */
  streams: ChatStreams;
}

/** An item's Id and time. */
export type Stamp = { Id: string; AbsoluteTime: string };

export interface AppendSpec {
  type: ChatItemType;
  contentType: string;
  content?: string;
  from?: ParticipantRecord;
  systemName?: string;
  /** Id and time decided beforehand (an idempotent send answers them before appending). */
  stamp?: Stamp;
  /** The sender's right to the chat ends with this item (see ChatEvent). */
  revokes?: string;
  /** The chat ends with this item. */
  ends?: boolean;
}

export class ChatItems {
  readonly #d: ChatItemsDeps;

  constructor(deps: ChatItemsDeps) {
    this.#d = deps;
  }

  /** A new item's Id and time. */
  stamp(): Stamp {
    return { Id: this.#d.ids.uuid(), AbsoluteTime: new Date(this.#d.clock.now()).toISOString() };
  }

  /** Appends an item to a chat, published once the transaction commits; returns its event. */
  async append(tx: StoreTx, contact: ContactRecord, spec: AppendSpec): Promise<ChatEvent> {
    const stamp = spec.stamp ?? this.stamp();
    const item: ChatItem = {
      Id: stamp.Id,
      AbsoluteTime: stamp.AbsoluteTime,
      Type: spec.type,
      ContentType: spec.contentType,
      ...(spec.content !== undefined ? { Content: spec.content } : {}),
      ...(spec.from
        ? { ParticipantId: spec.from.id, DisplayName: spec.from.displayName, ParticipantRole: spec.from.role }
        : spec.systemName
          ? { DisplayName: spec.systemName, ParticipantRole: 'SYSTEM' as const }
          : {}),
      ContactId: contact.id,
      InitialContactId: contact.initialContactId,
    };
    const seq = await tx.chatItems.append(
      contact.initialContactId,
      item.Id,
      item as unknown as Record<string, unknown>,
    );
    await this.#d.streams.forward(tx, contact, item);
    const event: ChatEvent = {
      seq,
      item,
      ...(spec.revokes !== undefined && { revokes: spec.revokes }),
      ...(spec.ends && { ended: true }),
    };
    this.publishOnCommit(tx, event);
    return event;
  }

  /** An item that is not kept in the transcript (typing), to the chat's streams and sockets. */
  async ephemeral(tx: StoreTx, contact: ContactRecord, item: ChatItem): Promise<void> {
    await this.#d.streams.forward(tx, contact, item);
    this.publishOnCommit(tx, { item });
  }

  /** Publishes the event once tx commits. */
  publishOnCommit(tx: StoreTx, e: ChatEvent): void {
    tx.onCommit(() => this.#d.bus.publish(topics.chat(e.item.InitialContactId), e));
  }
}
