/**
 * Real-time chat streaming (StartContactStreaming): the SNS topics a chat streams to, and the
 * outbox entries that carry each of its items there as Amazon Connect publishes them —
 * `Message` the item as JSON, `MessageAttributes` naming the contact, the sender's role, the
 * item's type and who it is meant for. An item's entries are added in the transaction that
 * writes the item, so a topic gets exactly the chat as committed, in its order, from the
 * moment streaming started until it stopped or the chat ended (chat.ended is the last entry).
 */
import { hash } from 'node:crypto';
import type { Clock } from '../../ports/clock.ts';
import type { ContactRecord, ContactStream, StoreTx } from '../../ports/store.ts';
import { LimitExceededException, ResourceNotFoundException } from '../../generated/connect/errors.ts';
import { contentTypes, type ChatItem } from '../chat/chat-item.ts';

/** Amazon Connect streams a chat to at most this many SNS topics at once. */
export const MAX_STREAMS_PER_CONTACT = 2;

/** The outbox destination of a topic's entries. */
export const snsDestination = (topicArn: string): string => `sns:${topicArn}`;

/** A stream's entry for an item: the item's own Id, unique per topic, is what consumers dedupe by. */
export const streamEntryId = (streamingId: string, itemId: string): string => `${streamingId}:${itemId}`;

/**
 * What is wrong with an ARN as a chat's streaming endpoint, which must be a standard (not FIFO)
 * SNS topic in the instance's Region; undefined when nothing is.
 */
export function snsTopicProblem(arn: string, region: string): string | undefined {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || !/^aws(-[a-z]+)*$/.test(parts[1])) {
    return `StreamingEndpointArn ${arn} is not an ARN`;
  }
  const [, , service, topicRegion, account, name] = parts;
  if (service !== 'sns') return `StreamingEndpointArn must be an SNS topic, not a ${service} resource`;
  if (!/^\d{12}$/.test(account)) return `StreamingEndpointArn ${arn} has no valid account id`;
  if (name.endsWith('.fifo')) return 'StreamingEndpointArn must be a standard SNS topic, not a FIFO topic';
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(name)) return `StreamingEndpointArn ${arn} is not an SNS topic ARN`;
  if (topicRegion !== region) {
    return `StreamingEndpointArn must be in the instance's Region ${region}, not ${topicRegion || 'none'}`;
  }
  return undefined;
}

/** The same for every start of one contact's streaming to one topic. */
export function streamingIdFor(contactId: string, endpointArn: string): string {
  const h = hash('sha256', `${contactId}\n${endpointArn}`, 'hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * Whether Amazon Connect streams an item: messages, attachments and events, typing included;
 * not read/delivered receipts, nor the deprecated connection acknowledgement.
 */
function streamed(item: ChatItem): boolean {
  return item.Type !== 'MESSAGEMETADATA' && item.ContentType !== contentTypes.acknowledged;
}

export interface ChatStreamsDeps {
  clock: Clock;
  /** Called once a transaction that added entries has committed (the delivery worker's wake-up). */
  onQueued?: () => void;
}

export class ChatStreams {
  readonly #d: ChatStreamsDeps;

  constructor(deps: ChatStreamsDeps) {
    this.#d = deps;
  }

  /**
   * The contact streaming to one more topic (unchanged if it already streams there), and the
   * stream's id. Callers check the topic (snsTopicProblem) and that the contact is an active chat.
   */
  start(contact: ContactRecord, endpointArn: string): { contact: ContactRecord; streamingId: string } {
    const streams = contact.streams ?? [];
    const streamingId = streamingIdFor(contact.id, endpointArn);
    if (streams.some((s) => s.streamingId === streamingId)) return { contact, streamingId };
    if (streams.length >= MAX_STREAMS_PER_CONTACT) {
      throw new LimitExceededException(
        `Contact ${contact.id} already streams to ${MAX_STREAMS_PER_CONTACT} endpoints, the most it can`,
      );
    }
    const stream: ContactStream = { streamingId, endpointArn, startedAt: this.#d.clock.now() };
    return { contact: { ...contact, streams: [...streams, stream] }, streamingId };
  }

  /** The contact without the stream; ResourceNotFoundException when it has no such stream. */
  stop(contact: ContactRecord, streamingId: string): ContactRecord {
    const streams = contact.streams ?? [];
    if (!streams.some((s) => s.streamingId === streamingId)) {
      throw new ResourceNotFoundException(`Contact ${contact.id} has no active stream ${streamingId}`);
    }
    const rest = streams.filter((s) => s.streamingId !== streamingId);
    return { ...contact, streams: rest.length > 0 ? rest : undefined };
  }

  /** Inside the transaction that writes the item: one outbox entry for each of the chat's streams. */
  async forward(tx: StoreTx, contact: ContactRecord, item: ChatItem): Promise<void> {
    if (!contact.streams?.length || !streamed(item)) return;
    const now = this.#d.clock.now();
    const message = JSON.stringify(item);
    const attributes: Record<string, string> = {
      InitialContactId: item.InitialContactId,
      ContactId: item.ContactId,
      ...(item.ParticipantRole && { ParticipantRole: item.ParticipantRole }),
      InstanceId: contact.instanceId,
      AccountId: contact.arn.split(':')[4],
      Type: item.Type,
      ContentType: item.ContentType,
      // Amazon Connect documents CUSTOMER and AGENT too, but no chat item it names as meant
      // for one side only: everything localconnect streams is for both.
      MessageVisibility: 'ALL',
    };
    for (const s of contact.streams) {
      await tx.outbox.add({
        id: streamEntryId(s.streamingId, item.Id),
        destination: snsDestination(s.endpointArn),
        orderKey: contact.initialContactId,
        payload: { topicArn: s.endpointArn, message, attributes },
        createdAt: now,
        notBefore: now,
      });
    }
    if (this.#d.onQueued) tx.onCommit(this.#d.onQueued);
  }
}
