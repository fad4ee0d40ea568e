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
  /** Channel-specific data the API returns or later issues use (CustomerId, SegmentAttributes…). */
  details: Record<string, unknown>;
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

export interface StoreTx {
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
    /** Every entry of the instance, oldest first (metrics). */
    list(instanceId: string): Promise<QueuedContactRecord[]>;
    /** Up to `limit` offered entries whose offer expires at or before `before`, earliest first. */
    listOffersExpiring(before: number, limit: number): Promise<QueuedContactRecord[]>;
  };
  sessions: {
    put(session: SessionRecord): Promise<void>;
    get(id: string): Promise<SessionRecord | undefined>;
    remove(id: string): Promise<void>;
    /** Removes sessions whose expiresAt <= now; returns how many. */
    removeExpired(now: number): Promise<number>;
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
