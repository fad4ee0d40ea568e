/**
 * Chats: the participants' side of a chat contact — connections, messages, events, the
 * transcript read back, leaving — and its duration. Items are written through ChatItems; a chat
 * that ends, ends through the ContactLifecycle (its chat part is ChatLifecycle).
 */
import { hash } from 'node:crypto';
import type { Clock } from '../../ports/clock.ts';
import type { ContactRecord, DueItem, ParticipantRecord, Store, StoreTx } from '../../ports/store.ts';
import { AccessDeniedException, ValidationException } from '../../generated/connectparticipant/errors.ts';
import { tokenMatches, tokenParticipantId } from '../participant-token.ts';
import type { ContactLifecycle } from '../contacts/contact-lifecycle.ts';
import type { FlowRunner } from '../flows/flow-runner.ts';
import type { ConnectionTokens, TokenClaims } from './connection-tokens.ts';
import { contentTypes, type ChatEvent, type ChatItem } from './chat-item.ts';
import type { ChatItems, Stamp } from './chat-items.ts';
import { DEFAULT_SUPPORTED_TYPES, messageProblem } from './content-types.ts';
import { readTranscript, type TranscriptQuery } from './transcript.ts';
import { claimOnce } from '../idempotency.ts';

/** A customer must connect this soon after StartChatContact, or the chat ends. */
export const FIRST_CONNECTION_WINDOW_MS = 5 * 60_000;
/** How long a websocket URL may be used to open a connection. */
export const WEBSOCKET_URL_TTL_MS = 100_000;
/** How long a ConnectionToken lasts, whatever the chat's duration. */
export const CONNECTION_TOKEN_TTL_MS = 24 * 3600_000;
/** The per-instance counter of chats not yet ended (the concurrent-active-chats quota). */
export const ACTIVE_CHATS = 'activeChats';
/** The due work that ends a chat whose ChatDurationInMinutes has run out. */
export const CHAT_EXPIRY = 'chat-expiry';

const EVENT_TYPES = new Set([
  contentTypes.typing,
  contentTypes.delivered,
  contentTypes.read,
  contentTypes.acknowledged,
]);

export interface ChatServiceDeps {
  store: Store;
  clock: Clock;
  tokens: ConnectionTokens;
  items: ChatItems;
  /** How a chat ends: a participant leaves, its customer never connects, its duration runs out. */
  lifecycle: ContactLifecycle;
  /** The chat's flow, which may wait for the customer's messages. */
  flows: Pick<FlowRunner, 'customerWrote'>;
  /** The URL a websocket token is used at. */
  websocketUrl: (token: string) => string;
}

export interface Connection {
  Websocket?: { Url: string; ConnectionExpiry: string };
  ConnectionCredentials?: { ConnectionToken: string; Expiry: string };
}

type Caller = { participant: ParticipantRecord; contact: ContactRecord; claims?: TokenClaims };

const iso = (ms: number) => new Date(ms).toISOString();
const denied = (why: string) => new AccessDeniedException(why);

export class ChatService {
  readonly #d: ChatServiceDeps;

  constructor(deps: ChatServiceDeps) {
    this.#d = deps;
  }

  // ------------------------------------------------------------ inside other transactions

  /** Inside the transaction that starts a chat: it ends (EXPIRED) at its expiresAt, whichever node is alive then. */
  async expireAt(tx: StoreTx, contact: ContactRecord): Promise<void> {
    if (contact.expiresAt === undefined) return;
    await tx.due.schedule({
      id: expiryId(contact.id),
      kind: CHAT_EXPIRY,
      dueAt: contact.expiresAt,
      payload: { instanceId: contact.instanceId, contactId: contact.id },
    });
  }

  /** Ends the chat of a due chat-expiry item, if it is still active and its time has come. */
  async expire(item: DueItem): Promise<void> {
    const { instanceId, contactId } = item.payload as { instanceId: string; contactId: string };
    await this.#d.store.transaction(async (tx) => {
      const contact = await tx.contacts.get(instanceId, contactId);
      if (contact?.state !== 'ACTIVE' || contact.expiresAt === undefined) return;
      if (contact.expiresAt <= this.#d.clock.now()) await this.#d.lifecycle.end(tx, contact, 'EXPIRED');
      else await this.expireAt(tx, contact); // an early item: due again at the contact's time
    });
  }

  // ------------------------------------------------------------ the Participant API

  async createConnection(
    participantToken: string,
    input: { Type?: string[]; ConnectParticipant?: boolean },
  ): Promise<Connection> {
    const { store, clock } = this.#d;
    const types = input.Type ?? [];
    if (types.includes('WEBRTC_CONNECTION')) {
      throw new ValidationException('WEBRTC_CONNECTION applies to web calls, not to chats');
    }
    const outcome = await store.transaction<{ expired: true } | { caller: Caller; fromSeq: number }>(
      async (tx) => {
        const caller = await this.#byParticipantToken(tx, participantToken);
        const { participant, contact } = caller;
        if (contact.channel !== 'CHAT') {
          // WEBRTC_CONNECTION (a new attendee for a web call's participant) comes with the media plane.
          throw new ValidationException(
            "This participant is in a web call: it joins the call's meeting with the ConnectionData StartWebRTCContact answered",
          );
        }
        if (input.ConnectParticipant && participant.role === 'CUSTOMER' && !contact.streams?.length) {
          // Amazon Connect marks a customer connected without a websocket only on a streaming chat.
          throw new ValidationException(
            'ConnectParticipant connects a customer only on a chat that streams (StartContactStreaming)',
          );
        }
        const now = clock.now();
        // A participant's first socket gets the chat from its start (the flow may have greeted
        // before the customer connected); later ones continue from where the chat is now.
        const last = await tx.chatItems.list(contact.initialContactId, { order: 'desc', limit: 1 });
        const fromSeq = participant.connectedAt === undefined ? 0 : (last[0]?.seq ?? 0);
        if (participant.connectedAt === undefined) {
          if (
            participant.role === 'CUSTOMER' &&
            now > contact.initiationTimestamp + FIRST_CONNECTION_WINDOW_MS
          ) {
            // Amazon Connect ends a chat whose customer never connected within 5 minutes.
            await this.#d.lifecycle.end(tx, contact, 'EXPIRED');
            return { expired: true };
          }
          await tx.participants.update({ ...participant, connectedAt: now });
        }
        return { caller, fromSeq };
      },
    );
    if ('expired' in outcome) {
      throw denied('The chat has ended: its participant did not connect within 5 minutes of its start');
    }
    const { participant, contact } = outcome.caller;
    const now = clock.now();
    const claims = (expiresAt: number): TokenClaims => ({
      participantId: participant.id,
      instanceId: contact.instanceId,
      contactId: contact.id,
      expiresAt,
    });
    const out: Connection = {};
    if (types.includes('WEBSOCKET')) {
      out.Websocket = {
        Url: this.#d.websocketUrl(
          this.#d.tokens.issue('websocket', {
            ...claims(now + WEBSOCKET_URL_TTL_MS),
            fromSeq: outcome.fromSeq,
          }),
        ),
        // When the URL stops opening connections (chatjs reads nothing from it but its presence).
        ConnectionExpiry: iso(now + WEBSOCKET_URL_TTL_MS),
      };
    }
    if (types.includes('CONNECTION_CREDENTIALS')) {
      const expiresAt = now + CONNECTION_TOKEN_TTL_MS;
      out.ConnectionCredentials = {
        ConnectionToken: this.#d.tokens.issue('connection', claims(expiresAt)),
        Expiry: iso(expiresAt),
      };
    }
    return out;
  }

  async sendMessage(
    connectionToken: string,
    input: { ContentType: string; Content: string; ClientToken?: string },
  ): Promise<{ Id: string; AbsoluteTime: string }> {
    return this.#d.store.transaction(async (tx) => {
      const { participant, contact } = await this.#byConnectionToken(tx, connectionToken);
      const supported = contact.details.supportedMessagingContentTypes ?? DEFAULT_SUPPORTED_TYPES;
      const problem = messageProblem(input.ContentType, input.Content, supported);
      if (problem) throw new ValidationException(problem);
      return this.#once(tx, `SendMessage/${participant.id}`, input.ClientToken, async (stamp) => {
        await this.#d.items.append(tx, contact, {
          type: 'MESSAGE',
          contentType: input.ContentType,
          content: input.Content,
          from: participant,
          stamp,
        });
        if (participant.role === 'CUSTOMER') await this.#d.flows.customerWrote(tx, contact, input.Content);
      });
    });
  }

  async sendEvent(
    connectionToken: string,
    input: { ContentType: string; Content?: string; ClientToken?: string },
  ): Promise<{ Id: string; AbsoluteTime: string }> {
    if (!EVENT_TYPES.has(input.ContentType)) {
      throw new ValidationException(`Unsupported event content type: ${input.ContentType}`);
    }
    return this.#d.store.transaction(async (tx) => {
      const { participant, contact } = await this.#byConnectionToken(tx, connectionToken);
      // chatjs sends every receipt with the same ClientToken (INCOMING_READ_RECEIPT): an event is
      // a repeat only if its content is the same too.
      const scope = `SendEvent/${participant.id}/${hash('sha256', `${input.ContentType}\n${input.Content ?? ''}`, 'base64url')}`;
      return this.#once(tx, scope, input.ClientToken, async (stamp) => {
        if (input.ContentType === contentTypes.delivered || input.ContentType === contentTypes.read) {
          const receipt = await this.#receipt(
            tx,
            contact,
            participant,
            input.ContentType,
            input.Content,
            stamp,
          );
          return this.#d.items.publishOnCommit(tx, receipt);
        }
        // Typing and the (deprecated) connection acknowledgement are not kept in the transcript.
        const item: ChatItem = {
          ...stamp,
          Type: 'EVENT',
          ContentType: input.ContentType,
          ParticipantId: participant.id,
          DisplayName: participant.displayName,
          ParticipantRole: participant.role,
          ContactId: contact.id,
          InitialContactId: contact.initialContactId,
        };
        await this.#d.items.ephemeral(tx, contact, item);
      });
    });
  }

  /**
   * A participant leaves. A custom bot only leaves: Amazon Connect adds one per chat segment
   * (CreateParticipant) and takes it out with DisconnectParticipant while the chat goes on.
   * Otherwise the chat ends — unless the customer leaves a chat an agent is in and the contact
   * did not ask for DisconnectOnCustomerExit: then, as in Amazon Connect, the agent stays (and
   * sees the customer leave) until they end the chat themselves.
   */
  async disconnect(connectionToken: string): Promise<void> {
    await this.#d.store.transaction(async (tx) => {
      const { participant, contact } = await this.#byConnectionToken(tx, connectionToken);
      if (participant.role === 'CUSTOM_BOT') return this.#leave(tx, contact, participant);
      if (participant.role !== 'CUSTOMER')
        return this.#d.lifecycle.end(tx, contact, 'AGENT_DISCONNECT', { leaving: participant });
      const agentStays =
        !contact.details.disconnectOnCustomerExit?.includes('AGENT') &&
        (await tx.participants.listByContact(contact.id)).some(
          (p) => p.role === 'AGENT' && p.leftAt === undefined,
        );
      if (!agentStays)
        return this.#d.lifecycle.end(tx, contact, 'CUSTOMER_DISCONNECT', { leaving: participant });
      return this.#leave(
        tx,
        { ...contact, details: { ...contact.details, customerLeftAt: this.#d.clock.now() } },
        participant,
      );
    });
  }

  /** One participant leaves a chat that goes on: marked gone, and participant.left for the others. */
  async #leave(tx: StoreTx, contact: ContactRecord, participant: ParticipantRecord): Promise<void> {
    const now = this.#d.clock.now();
    await tx.participants.update({ ...participant, leftAt: now });
    await tx.contacts.update({ ...contact, lastUpdateTimestamp: now });
    await this.#d.items.append(tx, contact, {
      type: 'EVENT',
      contentType: contentTypes.left,
      from: participant,
      revokes: participant.id,
    });
  }

  async getTranscript(
    connectionToken: string,
    input: TranscriptQuery & { ContactId?: string },
  ): Promise<{ InitialContactId: string; Transcript: ChatItem[]; NextToken?: string }> {
    return this.#d.store.transaction(async (tx) => {
      const { contact } = await this.#byConnectionToken(tx, connectionToken);
      if (
        input.ContactId !== undefined &&
        input.ContactId !== contact.id &&
        input.ContactId !== contact.initialContactId
      ) {
        throw denied(`Contact ${input.ContactId} is not part of this chat`);
      }
      return {
        InitialContactId: contact.initialContactId,
        ...(await readTranscript(tx, contact.initialContactId, input)),
      };
    });
  }

  /** Transcript items after a position, in order, for a socket catching up. */
  async itemsAfter(chatId: string, after: number): Promise<ChatEvent[]> {
    return this.#d.store.transaction(async (tx) => {
      const out: ChatEvent[] = [];
      for (;;) {
        const page = await tx.chatItems.list(chatId, { order: 'asc', after, limit: 500 });
        out.push(...page.map((s) => ({ seq: s.seq, item: s.item as unknown as ChatItem })));
        if (page.length < 500) return out;
        after = page[page.length - 1].seq;
      }
    });
  }

  /** The caller of a ConnectionToken, for the transcript reader and the websocket gateway. */
  async callerOf(connectionToken: string, kind: 'connection' | 'websocket' = 'connection'): Promise<Caller> {
    return this.#d.store.transaction((tx) => this.#byConnectionToken(tx, connectionToken, kind));
  }

  // ------------------------------------------------------------ internals

  /** Runs create once per ClientToken: a repeat answers the first response and publishes nothing. */
  async #once(
    tx: StoreTx,
    scope: string,
    clientToken: string | undefined,
    create: (stamp: Stamp) => Promise<unknown>,
  ): Promise<Stamp> {
    const stamp = this.#d.items.stamp();
    const first = await claimOnce(tx, scope, { ClientToken: clientToken }, stamp, this.#d.clock.now());
    if (first) return first;
    await create(stamp);
    return stamp;
  }

  async #receipt(
    tx: StoreTx,
    contact: ContactRecord,
    reader: ParticipantRecord,
    contentType: string,
    content: string | undefined,
    stamp: Stamp,
  ): Promise<ChatEvent> {
    let messageId: unknown;
    try {
      messageId = (JSON.parse(content ?? '') as { messageId?: unknown }).messageId;
    } catch {
      messageId = undefined;
    }
    if (typeof messageId !== 'string') {
      throw new ValidationException('A receipt needs Content {"messageId": "<Id of the message>"}');
    }
    const stored = await tx.chatItems.get(contact.initialContactId, messageId);
    if (!stored || stored.item.Type !== 'MESSAGE')
      throw new ValidationException(`No message ${messageId} in this chat`);
    const now = stamp.AbsoluteTime;
    const field = contentType === contentTypes.read ? 'ReadTimestamp' : 'DeliveredTimestamp';
    const message = stored.item as unknown as ChatItem;
    const receipts = [...(message.MessageMetadata?.Receipts ?? [])];
    const mine = receipts.findIndex((r) => r.RecipientParticipantId === reader.id);
    const receipt = { ...(mine >= 0 ? receipts[mine] : { RecipientParticipantId: reader.id }), [field]: now };
    if (mine >= 0) receipts[mine] = receipt;
    else receipts.push(receipt);
    await tx.chatItems.replace(contact.initialContactId, stored.seq, {
      ...message,
      MessageMetadata: { MessageId: message.Id, Receipts: receipts },
    });
    return {
      item: {
        ...stamp,
        Type: 'MESSAGEMETADATA',
        ContentType: contentType,
        MessageMetadata: { MessageId: message.Id, Receipts: [receipt] },
        ContactId: contact.id,
        InitialContactId: contact.initialContactId,
      },
    };
  }

  async #byParticipantToken(tx: StoreTx, token: string): Promise<Caller> {
    const id = tokenParticipantId(token);
    const participant = id === undefined ? undefined : await tx.participants.get(id);
    if (!participant || !tokenMatches(token, participant.tokenDigest))
      throw denied('Invalid participant token');
    return this.#live(tx, participant);
  }

  async #byConnectionToken(
    tx: StoreTx,
    token: string,
    kind: 'connection' | 'websocket' = 'connection',
  ): Promise<Caller> {
    const claims = this.#d.tokens.verify(kind, token, this.#d.clock.now());
    if (!claims) throw denied('Invalid or expired connection token');
    const participant = await tx.participants.get(claims.participantId);
    if (!participant) throw denied('Invalid or expired connection token');
    return { ...(await this.#live(tx, participant)), claims };
  }

  async #live(tx: StoreTx, participant: ParticipantRecord): Promise<Caller> {
    const contact = await tx.contacts.get(participant.instanceId, participant.contactId);
    if (!contact || contact.state !== 'ACTIVE' || participant.leftAt !== undefined) {
      throw denied('The participant is no longer part of an active chat');
    }
    return { participant, contact };
  }
}

/** The id of a chat's expiry timer. */
export const expiryId = (contactId: string) => `${CHAT_EXPIRY}:${contactId}`;
