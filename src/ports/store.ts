/**
 * Store: durable state, the source of truth. Default implementation: SQLite
 * (src/adapters/store/sqlite); scale-out: PostgreSQL. Both must pass the contract suite in
 * store.contract.ts.
 *
 * Every read and write happens inside `transaction`; a transaction's writes are durable
 * (survive kill -9 of the process) once its promise resolves, so a caller acknowledges a
 * request only after that. Times are epoch milliseconds. JSON-valued fields are stored as
 * given and returned as equal plain objects.
 */
import type { ContactDetails } from '../domain/contacts/contact-details.ts';

export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  createdAt: number;
}

export interface InstanceRecord {
  id: string;
  arn: string;
  accountId: string;
  region: string;
  alias: string;
  identityManagementType: string;
  inboundCallsEnabled: boolean;
  outboundCallsEnabled: boolean;
  status: string;
  createdAt: number;
  tags: Record<string, string>;
}

/**
 * Admin resources that live inside an instance and are read and written whole. A storage
 * config's name is its resource type (one association per type).
 */
export type ResourceKind =
  | 'hours-of-operation'
  | 'queue'
  | 'routing-profile'
  | 'contact-flow'
  | 'security-profile'
  | 'user'
  | 'agent-status'
  | 'storage-config';

export interface ResourceRecord<Body = Record<string, unknown>> {
  instanceId: string;
  kind: ResourceKind;
  id: string;
  arn: string;
  /** Unique per instance and kind (the username for users). */
  name: string;
  body: Body;
  createdAt: number;
  updatedAt: number;
  /** Store-assigned, increasing in creation order; the pagination key. */
  seq?: number;
}

export type Channel = 'CHAT' | 'VOICE' | 'TASK' | 'EMAIL';
export type ContactState = 'ACTIVE' | 'ENDED';

export interface ContactRecord {
  id: string;
  arn: string;
  instanceId: string;
  initialContactId: string;
  previousContactId?: string;
  relatedContactId?: string;
  channel: Channel;
  initiationMethod: string;
  state: ContactState;
  flowId: string;
  initiationTimestamp: number;
  lastUpdateTimestamp: number;
  disconnectTimestamp?: number;
  disconnectReason?: string;
  /** When an active chat ends by itself (ChatDurationInMinutes); cleared when it ends. */
  expiresAt?: number;
  attributes: Record<string, string>;
  /** What routing, the flow and the channel keep of it (domain/contacts/contact-details.ts). */
  details: ContactDetails;
  /** A chat's active real-time streams (StartContactStreaming), in the order started; absent when none. */
  streams?: ContactStream[];
}

/** One SNS topic a chat's items go to as they happen (domain/streaming/chat-streams.ts). */
export interface ContactStream {
  streamingId: string;
  /** A standard SNS topic's ARN. */
  endpointArn: string;
  startedAt: number;
}

export type ParticipantRole = 'CUSTOMER' | 'AGENT' | 'SYSTEM' | 'CUSTOM_BOT' | 'SUPERVISOR';

export interface ParticipantRecord {
  id: string;
  instanceId: string;
  contactId: string;
  role: ParticipantRole;
  displayName: string;
  /** Digest of the secret part of the participant's token (domain/participant-token.ts); never the token. */
  tokenDigest: string;
  createdAt: number;
  /** First CreateParticipantConnection. */
  connectedAt?: number;
  leftAt?: number;
}

/** A transcript item at its position in the chat (1, 2, …, in the order it was appended). */
export interface StoredChatItem<Item = Record<string, unknown>> {
  seq: number;
  item: Item;
}

/** An agent's live routing state (domain/routing/agent.ts gives it meaning), one per user. */
export interface AgentRecord {
  instanceId: string;
  userId: string;
  /** JSON: status, contacts, routing profile, idle time… */
  state: Record<string, unknown>;
}

/** A contact waiting in a queue, or offered to an agent and not yet accepted. */
export interface QueuedContactRecord {
  instanceId: string;
  contactId: string;
  queueId: string;
  channel: Channel;
  enqueuedAt: number;
  /** The agent the contact is offered to, until they accept, reject or miss it. */
  offeredTo?: string;
  offerExpiresAt?: number;
  /** Agents who rejected or missed it: offered to them again only when nobody else can take it. */
  passedOver: string[];
}

/** A signed-in agent workspace. The cookie holds the id and a secret whose digest is kept here. */
export interface SessionRecord {
  id: string;
  digest: string;
  instanceId: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

export type IdempotencyClaim = { claimed: true } | { claimed: false; requestHash: string; response: unknown };

export interface Page<T> {
  items: T[];
  /** Pass as `after` to get the next page; undefined when this is the last page. */
  next?: number;
}

/**
 * A message for something outside the store (an SNS topic, a webhook), added in the
 * transaction whose change it reports, so it exists exactly when that change does.
 */
export interface OutboxEntry<Payload = Record<string, unknown>> {
  /**
   * Stable and unique (a chat item's Id): the message id consumers drop duplicates by, since
   * delivery is at least once.
   */
  id: string;
  /** Where it goes (`sns:<topic arn>`): each destination is claimed and delivered on its own. */
  destination: string;
  /** Entries of one destination and orderKey (a contact id) are delivered strictly in the order added. */
  orderKey: string;
  payload: Payload;
  createdAt: number;
  /** Not claimable before this; retry moves it. */
  notBefore: number;
}

/** An outbox entry as stored: with how many deliveries of it failed so far. */
export interface StoredOutboxEntry<Payload = Record<string, unknown>> extends OutboxEntry<Payload> {
  attempts: number;
  /** The error the last retry recorded. */
  lastError?: string;
}

export interface OutboxClaimOptions {
  /** Only this destination's entries. */
  destination?: string;
  /** At most this many entries of any one destination (default: no bound but the limit). */
  perDestination?: number;
  /**
   * For the destinations named, at most this many entries instead of perDestination (0: none),
   * so that one claim serves every destination with what each has room for.
   */
  room?: Record<string, number>;
}

export interface OutboxBacklog {
  destination: string;
  /** Entries not yet delivered or dropped, leased ones included. */
  count: number;
  /** now minus the createdAt of its oldest entry. */
  oldestAge: number;
}

/**
 * Work due at a time (a flow waiting in Wait or for input, a chat's expiry, an offer's timeout),
 * kept in the store so that whichever node is alive does it, after a restart too.
 */
export interface DueItem<Payload = Record<string, unknown>> {
  /** One per purpose (`flow-wait:<contactId>`): scheduling an id again replaces the item. */
  id: string;
  /** What to do when it is due. */
  kind: string;
  dueAt: number;
  payload: Payload;
}

export interface StoreTx {
  /**
   * Work for once this transaction has committed: publishing what it changed, starting what it
   * made due. Each fn runs once, after the commit and before transaction() resolves, in the order
   * registered (and transactions' in the order they committed); never if the transaction rolls
   * back, nor for a run of the body the store discards and runs again. An error fn throws cannot
   * undo the commit: it goes to the store's `onCommitError`, and the other fns still run.
   */
  onCommit(fn: () => void): void;
  meta: {
    get(key: string): Promise<string | undefined>;
    set(key: string, value: string): Promise<void>;
  };
  accessKeys: {
    put(key: AccessKeyRecord): Promise<void>;
    get(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
    list(): Promise<AccessKeyRecord[]>;
  };
  instances: {
    /** Returns false (and writes nothing) if the id or the alias is taken. */
    insert(instance: InstanceRecord): Promise<boolean>;
    get(id: string): Promise<InstanceRecord | undefined>;
    /** Ordered by creation. */
    list(accountId: string, after: number | undefined, limit: number): Promise<Page<InstanceRecord>>;
  };
  resources: {
    /** Returns false (and writes nothing) if the id, or the name within instance and kind, is taken. */
    insert(resource: ResourceRecord): Promise<boolean>;
    get(instanceId: string, kind: ResourceKind, id: string): Promise<ResourceRecord | undefined>;
    findByName(instanceId: string, kind: ResourceKind, name: string): Promise<ResourceRecord | undefined>;
    /** Replaces name, body and updatedAt. Returns false if absent or the new name is taken. */
    update(resource: ResourceRecord): Promise<boolean>;
    /** Removes the record (its name is free again). Returns false if it was absent. */
    remove(instanceId: string, kind: ResourceKind, id: string): Promise<boolean>;
    /** Ordered by creation. */
    list(
      instanceId: string,
      kind: ResourceKind,
      after: number | undefined,
      limit: number,
    ): Promise<Page<ResourceRecord>>;
  };
  contacts: {
    insert(contact: ContactRecord): Promise<void>;
    get(instanceId: string, id: string): Promise<ContactRecord | undefined>;
    /** Replaces every mutable field of the contact with the given id. */
    update(contact: ContactRecord): Promise<void>;
    /** Up to `limit` contacts whose expiresAt <= before, earliest first. */
    listExpiring(before: number, limit: number): Promise<ContactRecord[]>;
  };
  participants: {
    insert(participant: ParticipantRecord): Promise<void>;
    get(id: string): Promise<ParticipantRecord | undefined>;
    listByContact(contactId: string): Promise<ParticipantRecord[]>;
    update(participant: ParticipantRecord): Promise<void>;
  };
  chatItems: {
    /** Appends at the chat's next position and returns it. `id` is unique within the chat. */
    append(chatId: string, id: string, item: Record<string, unknown>): Promise<number>;
    get(chatId: string, id: string): Promise<StoredChatItem | undefined>;
    /** Replaces the item at an existing position (receipts fold into the message they are for). */
    replace(chatId: string, seq: number, item: Record<string, unknown>): Promise<void>;
    /**
     * Up to `limit` items: ascending from just after `after` (default: the start), or
     * descending from just before `before` (default: the end).
     */
    list(
      chatId: string,
      range:
        { order: 'asc'; after?: number; limit: number } | { order: 'desc'; before?: number; limit: number },
    ): Promise<StoredChatItem[]>;
  };
  idempotency: {
    /**
     * Claims (scope, token) for this request, recording the response (a JSON value) a repeat
     * will get; the claim, like every write, stands only if the transaction commits. A row
     * whose expiresAt <= now counts as absent and is replaced. Concurrent claims of one key,
     * on one node or many, see exactly one `claimed: true`; the others get the winner's hash
     * and response.
     */
    claim(
      scope: string,
      token: string,
      requestHash: string,
      response: unknown,
      expiresAt: number,
      now: number,
    ): Promise<IdempotencyClaim>;
  };
  agents: {
    get(instanceId: string, userId: string): Promise<AgentRecord | undefined>;
    /** Inserts or replaces. */
    put(agent: AgentRecord): Promise<void>;
    /** Every agent of the instance that has ever signed in, in no particular order. */
    list(instanceId: string): Promise<AgentRecord[]>;
    /** Every agent of every instance (startup: nobody is connected after a restart). */
    listAll(): Promise<AgentRecord[]>;
  };
  queuedContacts: {
    /** Inserts or replaces. */
    put(entry: QueuedContactRecord): Promise<void>;
    get(instanceId: string, contactId: string): Promise<QueuedContactRecord | undefined>;
    remove(instanceId: string, contactId: string): Promise<void>;
    /**
     * Up to `limit` entries of one queue and channel not offered to anyone and enqueued at or
     * before `enqueuedBy`, oldest first.
     */
    waiting(
      instanceId: string,
      queueId: string,
      channel: Channel,
      enqueuedBy: number,
      limit: number,
    ): Promise<QueuedContactRecord[]>;
    /** Every entry of the instance, oldest first (metrics, rescheduling queue delays). */
    list(instanceId: string): Promise<QueuedContactRecord[]>;
  };
  sessions: {
    put(session: SessionRecord): Promise<void>;
    get(id: string): Promise<SessionRecord | undefined>;
    remove(id: string): Promise<void>;
    /** Removes sessions whose expiresAt <= now; returns how many. */
    removeExpired(now: number): Promise<number>;
  };
  /**
   * Claims are leases: `owner` names the claimant (a node and worker), and an entry leased to
   * one owner is claimable by another only once `now` reaches its leaseUntil (now + leaseMs at
   * the claim), so a claimant that died is taken over. Claims are atomic across every store on
   * one database (several nodes): no entry is leased to two owners at once.
   */
  outbox: {
    /**
     * Adds the entry behind those of its destination and orderKey. Returns false (and writes
     * nothing) if an entry with this id is still in the outbox.
     */
    add(entry: OutboxEntry): Promise<boolean>;
    /**
     * Leases up to `limit` deliverable entries to `owner` for leaseMs, earliest notBefore
     * first. Deliverable: the oldest entry of its destination and orderKey (the one after it
     * waits, even while this one is leased or waiting for a retry), notBefore <= now, and not
     * leased, or its lease has run out.
     */
    claim(
      owner: string,
      now: number,
      leaseMs: number,
      limit: number,
      opts?: OutboxClaimOptions,
    ): Promise<StoredOutboxEntry[]>;
    /** Removes a delivered entry, if `owner` still holds its lease; says whether it did. */
    delivered(id: string, owner: string): Promise<boolean>;
    /**
     * After a failed delivery, if `owner` still holds the lease: releases it, counts the
     * attempt and records the error; the entry is claimable again at notBefore.
     */
    retry(id: string, owner: string, notBefore: number, error: string): Promise<boolean>;
    /** Removes an entry undelivered (given up on), leased or not; says whether it was there. */
    drop(id: string): Promise<boolean>;
    /**
     * Gives back every lease `owner` holds, the entries claimable at once (their notBefore and
     * attempts unchanged); returns how many. For a node starting again under its own id before
     * it claims: what it held when it died is its to deliver again, not a lease to wait out.
     */
    releaseAll(owner: string): Promise<number>;
    /** Every destination with entries, in no particular order. */
    stats(now: number): Promise<OutboxBacklog[]>;
    /** The destination's oldest entry, undefined when it has none. */
    oldest(destination: string): Promise<StoredOutboxEntry | undefined>;
  };
  /** Durable timers, leased as outbox entries are (see outbox). */
  due: {
    /** Inserts, or replaces the item with this id, dropping any lease on it. */
    schedule(item: DueItem): Promise<void>;
    /** Removes the item; says whether it was there. */
    cancel(id: string): Promise<boolean>;
    /** Leases up to `limit` items with dueAt <= now not leased (or whose lease ran out), earliest first. */
    claim(owner: string, now: number, leaseMs: number, limit: number): Promise<DueItem[]>;
    /** Removes an item whose work is done, if `owner` still holds its lease (not rescheduled since). */
    done(id: string, owner: string): Promise<boolean>;
    /** Gives the lease back, the item due again at dueAt, if `owner` still holds it. */
    release(id: string, owner: string, dueAt: number): Promise<boolean>;
    /**
     * Gives back every lease `owner` holds, the items due when they were (a node restarting
     * under its own id, with nothing under way yet); returns how many.
     */
    releaseAll(owner: string): Promise<number>;
  };
  counters: {
    /**
     * Adds delta to the counter (absent = 0) unless the result would exceed `max`; returns the
     * new value, or undefined (and changes nothing) when it would.
     */
    add(scope: string, name: string, delta: number, max?: number): Promise<number | undefined>;
    get(scope: string, name: string): Promise<number>;
  };
}

export interface Store {
  /**
   * Runs fn in one transaction: all its writes commit together when fn resolves, none when it
   * throws (the error is rethrown). Transactions do not interleave their reads and writes
   * (an implementation may serialize them, and may run fn more than once: on a conflict, or as
   * the SQLite store does when another transaction committed with it throws). So fn has no
   * effects outside the store, keeps what it collects in objects it makes itself, and awaits
   * nothing but the store. fn must not call transaction() itself.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Where an error thrown by an onCommit fn goes (the transaction has committed all the same). */
  onCommitError?: (err: unknown) => void;
}
