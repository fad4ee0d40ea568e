import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type {
  AccessKeyRecord,
  AgentRecord,
  QueuedContactRecord,
  SessionRecord,
  ContactRecord,
  InstanceRecord,
  ParticipantRecord,
  StoredChatItem,
  Page,
  ResourceRecord,
  Store,
  StoreOptions,
  StoreTx,
} from '../../../ports/store.ts';
import { migrations } from './migrations.ts';
import { OUTBOX_SQL, outboxRepos } from './outbox-tables.ts';
import { ResourceCache } from './resource-cache.ts';

type Row = Record<string, SQLOutputValue>;

/**
 * Every statement the store runs, prepared once per connection: parsing and planning cost more
 * than executing these one-row statements.
 */
const SQL = {
  begin: 'BEGIN IMMEDIATE',
  dataVersion: 'PRAGMA data_version',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  savepoint: 'SAVEPOINT job',
  release: 'RELEASE job',
  rollbackToSavepoint: 'ROLLBACK TO job',

  metaGet: 'SELECT value FROM meta WHERE key = ?',
  metaSet:
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',

  accessKeyPut: `INSERT INTO access_keys (access_key_id, secret_access_key, account_id, created_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (access_key_id) DO UPDATE SET secret_access_key = excluded.secret_access_key,
      account_id = excluded.account_id, created_at = excluded.created_at`,
  accessKeyGet: 'SELECT * FROM access_keys WHERE access_key_id = ?',
  accessKeyList: 'SELECT * FROM access_keys ORDER BY created_at, access_key_id',

  instanceInsert: `INSERT INTO instances (id, arn, account_id, region, alias, identity_management_type,
      inbound_calls_enabled, outbound_calls_enabled, status, created_at, tags)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  instanceGet: 'SELECT * FROM instances WHERE id = ?',
  instanceList: 'SELECT * FROM instances WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?',

  resourceInsert: `INSERT INTO resources (instance_id, kind, id, arn, name, body, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  resourceGet: 'SELECT * FROM resources WHERE instance_id = ? AND kind = ? AND id = ?',
  resourceFindByName: 'SELECT * FROM resources WHERE instance_id = ? AND kind = ? AND name = ?',
  // OR IGNORE turns a name clash into "0 rows changed" instead of an error.
  resourceUpdate: `UPDATE OR IGNORE resources SET name = ?, body = ?, updated_at = ?
    WHERE instance_id = ? AND kind = ? AND id = ?`,
  resourceList: 'SELECT * FROM resources WHERE instance_id = ? AND kind = ? AND seq > ? ORDER BY seq LIMIT ?',
  resourceRemove: 'DELETE FROM resources WHERE instance_id = ? AND kind = ? AND id = ?',

  contactInsert: `INSERT INTO contacts (arn, initial_contact_id, previous_contact_id, related_contact_id, channel,
      initiation_method, state, flow_id, initiation_timestamp, last_update_timestamp, disconnect_timestamp,
      disconnect_reason, expires_at, attributes, details, streams, instance_id, id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  contactGet: 'SELECT * FROM contacts WHERE instance_id = ? AND id = ?',
  contactsExpiring:
    'SELECT * FROM contacts WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?',
  contactUpdate: `UPDATE contacts SET arn = ?, initial_contact_id = ?, previous_contact_id = ?,
      related_contact_id = ?, channel = ?, initiation_method = ?, state = ?, flow_id = ?,
      initiation_timestamp = ?, last_update_timestamp = ?, disconnect_timestamp = ?, disconnect_reason = ?,
      expires_at = ?, attributes = ?, details = ?, streams = ?
    WHERE instance_id = ? AND id = ?`,

  participantInsert: `INSERT INTO participants (instance_id, contact_id, role, display_name, token_digest, created_at,
      connected_at, left_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  participantGet: 'SELECT * FROM participants WHERE id = ?',
  participantsByContact: 'SELECT * FROM participants WHERE contact_id = ? ORDER BY created_at, id',
  participantUpdate: `UPDATE participants SET instance_id = ?, contact_id = ?, role = ?, display_name = ?, token_digest = ?,
      created_at = ?, connected_at = ?, left_at = ? WHERE id = ?`,

  // One statement both claims an absent key and takes over an expired one; RETURNING yields a
  // row only when this request wrote it. PostgreSQL accepts the same statement.
  idempotencyClaim: `INSERT INTO idempotency (scope, token, request_hash, response, expires_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (scope, token) DO UPDATE SET request_hash = excluded.request_hash, response = excluded.response,
      expires_at = excluded.expires_at
    WHERE idempotency.expires_at <= ?
    RETURNING 1 AS claimed`,
  idempotencyGet: 'SELECT request_hash, response FROM idempotency WHERE scope = ? AND token = ?',

  chatItemLast: 'SELECT MAX(seq) AS seq FROM chat_items WHERE chat_id = ?',
  chatItemInsert: 'INSERT INTO chat_items (chat_id, seq, id, item) VALUES (?, ?, ?, ?)',
  chatItemGet: 'SELECT seq, item FROM chat_items WHERE chat_id = ? AND id = ?',
  chatItemReplace: 'UPDATE chat_items SET item = ? WHERE chat_id = ? AND seq = ?',
  chatItemsAsc: 'SELECT seq, item FROM chat_items WHERE chat_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  chatItemsDesc: 'SELECT seq, item FROM chat_items WHERE chat_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
  agentGet: 'SELECT * FROM agents WHERE instance_id = ? AND user_id = ?',
  agentPut: `INSERT INTO agents (instance_id, user_id, state) VALUES (?, ?, ?)
    ON CONFLICT (instance_id, user_id) DO UPDATE SET state = excluded.state`,
  agentList: 'SELECT * FROM agents WHERE instance_id = ?',
  agentListAll: 'SELECT * FROM agents',
  queuedPut: `INSERT INTO queued_contacts (queue_id, channel, enqueued_at, offered_to, offer_expires_at, passed_over,
      instance_id, contact_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (instance_id, contact_id) DO UPDATE SET queue_id = excluded.queue_id, channel = excluded.channel,
      enqueued_at = excluded.enqueued_at, offered_to = excluded.offered_to,
      offer_expires_at = excluded.offer_expires_at, passed_over = excluded.passed_over`,
  queuedGet: 'SELECT * FROM queued_contacts WHERE instance_id = ? AND contact_id = ?',
  queuedRemove: 'DELETE FROM queued_contacts WHERE instance_id = ? AND contact_id = ?',
  queuedWaiting: `SELECT * FROM queued_contacts WHERE instance_id = ? AND queue_id = ? AND channel = ?
      AND offered_to IS NULL AND enqueued_at <= ? ORDER BY enqueued_at, contact_id LIMIT ?`,
  queuedList: 'SELECT * FROM queued_contacts WHERE instance_id = ? ORDER BY enqueued_at, contact_id',
  sessionPut: `INSERT INTO sessions (digest, instance_id, user_id, created_at, expires_at, id) VALUES (?, ?, ?, ?, ?, ?)`,
  sessionGet: 'SELECT * FROM sessions WHERE id = ?',
  sessionRemove: 'DELETE FROM sessions WHERE id = ?',
  sessionsRemoveExpired: 'DELETE FROM sessions WHERE expires_at <= ?',
  ...OUTBOX_SQL,
  counterGet: 'SELECT value FROM counters WHERE scope = ? AND name = ?',
  counterSet: `INSERT INTO counters (scope, name, value) VALUES (?, ?, ?)
    ON CONFLICT (scope, name) DO UPDATE SET value = excluded.value`,
  // Adds ?3 unless that takes an existing counter past ?4 (NULL: no limit); no row back then.
  counterAdd: `INSERT INTO counters (scope, name, value) VALUES (?1, ?2, ?3)
    ON CONFLICT (scope, name) DO UPDATE SET value = value + excluded.value
    WHERE ?4 IS NULL OR counters.value + excluded.value <= ?4
    RETURNING value`,
} as const;

type Statements = { [K in keyof typeof SQL]: StatementSync };

/**
 * The statements whose answer is one value, read with `scalar`. node:sqlite gives each row object
 * a hidden class of its own, made in V8's old generation: for the statements every chat runs,
 * that was a steady stream of old-space garbage and most of the domain thread's full GCs. Rows
 * as arrays share one hidden class, and a get() costs less than half as much.
 */
const SCALAR: ReadonlySet<keyof typeof SQL> = new Set([
  'dataVersion',
  'metaGet',
  'idempotencyClaim',
  'chatItemLast',
  'counterGet',
  'counterAdd',
] as const);

/** The first column of a scalar statement's first row; undefined when there is no row. */
function scalar(statement: StatementSync, ...params: SQLInputValue[]): SQLOutputValue | undefined {
  return (statement.get(...params) as unknown as SQLOutputValue[] | undefined)?.[0];
}

const json = (text: SQLOutputValue): any => JSON.parse(text as string);

function toAccessKey(r: Row): AccessKeyRecord {
  return {
    accessKeyId: r.access_key_id as string,
    secretAccessKey: r.secret_access_key as string,
    accountId: r.account_id as string,
    createdAt: r.created_at as number,
  };
}

function toInstance(r: Row): InstanceRecord {
  return {
    id: r.id as string,
    arn: r.arn as string,
    accountId: r.account_id as string,
    region: r.region as string,
    alias: r.alias as string,
    identityManagementType: r.identity_management_type as string,
    inboundCallsEnabled: r.inbound_calls_enabled === 1,
    outboundCallsEnabled: r.outbound_calls_enabled === 1,
    status: r.status as string,
    createdAt: r.created_at as number,
    tags: json(r.tags),
  };
}

function toResource(r: Row): ResourceRecord {
  return {
    instanceId: r.instance_id as string,
    kind: r.kind as ResourceRecord['kind'],
    id: r.id as string,
    arn: r.arn as string,
    name: r.name as string,
    body: json(r.body),
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    seq: r.seq as number,
  };
}

function toContact(r: Row): ContactRecord {
  const c: ContactRecord = {
    id: r.id as string,
    arn: r.arn as string,
    instanceId: r.instance_id as string,
    initialContactId: r.initial_contact_id as string,
    channel: r.channel as ContactRecord['channel'],
    initiationMethod: r.initiation_method as string,
    state: r.state as ContactRecord['state'],
    flowId: r.flow_id as string,
    initiationTimestamp: r.initiation_timestamp as number,
    lastUpdateTimestamp: r.last_update_timestamp as number,
    attributes: json(r.attributes),
    details: json(r.details),
  };
  // Absent optional fields must stay absent, not become null, so records compare equal.
  if (r.previous_contact_id !== null) c.previousContactId = r.previous_contact_id as string;
  if (r.related_contact_id !== null) c.relatedContactId = r.related_contact_id as string;
  if (r.disconnect_timestamp !== null) c.disconnectTimestamp = r.disconnect_timestamp as number;
  if (r.disconnect_reason !== null) c.disconnectReason = r.disconnect_reason as string;
  if (r.expires_at !== null) c.expiresAt = r.expires_at as number;
  if (r.streams !== null) c.streams = json(r.streams);
  return c;
}

/** Parameters shared by contacts' insert and update, ending with the key (instance_id, id). */
function contactParams(c: ContactRecord) {
  return [
    c.arn,
    c.initialContactId,
    c.previousContactId ?? null,
    c.relatedContactId ?? null,
    c.channel,
    c.initiationMethod,
    c.state,
    c.flowId,
    c.initiationTimestamp,
    c.lastUpdateTimestamp,
    c.disconnectTimestamp ?? null,
    c.disconnectReason ?? null,
    c.expiresAt ?? null,
    JSON.stringify(c.attributes),
    JSON.stringify(c.details),
    c.streams?.length ? JSON.stringify(c.streams) : null,
    c.instanceId,
    c.id,
  ] as const;
}

function toChatItem(r: Row): StoredChatItem {
  return { seq: r.seq as number, item: json(r.item) as Record<string, unknown> };
}

function toParticipant(r: Row): ParticipantRecord {
  const p: ParticipantRecord = {
    id: r.id as string,
    instanceId: r.instance_id as string,
    contactId: r.contact_id as string,
    role: r.role as ParticipantRecord['role'],
    displayName: r.display_name as string,
    tokenDigest: r.token_digest as string,
    createdAt: r.created_at as number,
  };
  if (r.connected_at !== null) p.connectedAt = r.connected_at as number;
  if (r.left_at !== null) p.leftAt = r.left_at as number;
  return p;
}

function participantParams(p: ParticipantRecord) {
  return [
    p.instanceId,
    p.contactId,
    p.role,
    p.displayName,
    p.tokenDigest,
    p.createdAt,
    p.connectedAt ?? null,
    p.leftAt ?? null,
    p.id,
  ] as const;
}

function toAgent(r: Row): AgentRecord {
  return { instanceId: r.instance_id as string, userId: r.user_id as string, state: json(r.state) };
}

function toQueued(r: Row): QueuedContactRecord {
  const q: QueuedContactRecord = {
    instanceId: r.instance_id as string,
    contactId: r.contact_id as string,
    queueId: r.queue_id as string,
    channel: r.channel as QueuedContactRecord['channel'],
    enqueuedAt: r.enqueued_at as number,
    passedOver: json(r.passed_over),
  };
  if (r.offered_to !== null) q.offeredTo = r.offered_to as string;
  if (r.offer_expires_at !== null) q.offerExpiresAt = r.offer_expires_at as number;
  return q;
}

function toSession(r: Row): SessionRecord {
  return {
    id: r.id as string,
    digest: r.digest as string,
    instanceId: r.instance_id as string,
    userId: r.user_id as string,
    createdAt: r.created_at as number,
    expiresAt: r.expires_at as number,
  };
}

/** Fetches one row past the page so the last page can say so (next undefined) without another query. */
function page<T>(rows: Row[], limit: number, map: (r: Row) => T): Page<T> {
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(map);
  return more ? { items, next: rows[limit - 1].seq as number } : { items };
}

function pageQueryLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer: ${limit}`);
  return limit + 1;
}

const one = <T>(row: Row | undefined, map: (r: Row) => T): T | undefined => (row ? map(row) : undefined);
/** A counter's value or a transcript's last position; 0 when there is none yet. */
const orZero = (value: SQLOutputValue | undefined): number => (value as number | null | undefined) ?? 0;

/**
 * A fresh handle per transaction so that a repo call made after its transaction ended (a
 * forgotten await, a timer) fails loudly instead of writing into whichever transaction runs next.
 * `finish` writes what the handle still holds; the transaction's body has returned.
 */
function createTx(
  statements: Statements,
  state: { open: boolean },
  cache: ResourceCache,
  committed: (() => void)[],
): { tx: StoreTx; finish: () => void } {
  const s = () => {
    if (!state.open) throw new Error('StoreTx used after its transaction ended');
    return statements;
  };
  // Chats' last item positions as this transaction appended them: nothing else writes while it
  // runs, so a second append to a chat need not look its position up again.
  const lastSeq = new Map<string, number>();
  // Contacts this transaction inserted, not yet written: a new chat's contact is inserted and
  // then changed by its flow's first step in the same transaction, so it is written once, when
  // the body returns or before anything reads contacts (records are values: the domain changes
  // one by writing a new one, never in place). A failing insert fails the body all the same.
  const unwritten = new Map<string, ContactRecord>();
  const contactKey = (instanceId: string, id: string) => `${instanceId}\0${id}`;
  const writeContacts = () => {
    for (const c of unwritten.values()) s().contactInsert.run(...contactParams(c));
    unwritten.clear();
  };
  const tx: StoreTx = {
    onCommit: (fn) => {
      s();
      committed.push(fn);
    },
    meta: {
      get: async (key) => scalar(s().metaGet, key) as string | undefined,
      set: async (key, value) => void s().metaSet.run(key, value),
    },
    accessKeys: {
      put: async (k) => void s().accessKeyPut.run(k.accessKeyId, k.secretAccessKey, k.accountId, k.createdAt),
      get: async (id) => one(s().accessKeyGet.get(id), toAccessKey),
      list: async () => s().accessKeyList.all().map(toAccessKey),
    },
    instances: {
      // prettier-ignore
      insert: async (i) =>
        s().instanceInsert.run(
          i.id, i.arn, i.accountId, i.region, i.alias, i.identityManagementType,
          i.inboundCallsEnabled ? 1 : 0, i.outboundCallsEnabled ? 1 : 0, i.status, i.createdAt,
          JSON.stringify(i.tags),
        ).changes === 1,
      get: async (id) => one(s().instanceGet.get(id), toInstance),
      list: async (accountId, after, limit) =>
        page(s().instanceList.all(accountId, after ?? 0, pageQueryLimit(limit)), limit, toInstance),
    },
    resources: {
      insert: async (r) => {
        cache.forget(ResourceCache.key(r.instanceId, r.kind, r.id));
        // prettier-ignore
        return s().resourceInsert.run(
          r.instanceId, r.kind, r.id, r.arn, r.name, JSON.stringify(r.body), r.createdAt, r.updatedAt,
        ).changes === 1;
      },
      get: async (instanceId, kind, id) => {
        const key = ResourceCache.key(instanceId, kind, id);
        const known = cache.get(key);
        if (known !== undefined) return known ?? undefined;
        const found = one(s().resourceGet.get(instanceId, kind, id), toResource);
        cache.set(key, found);
        return found;
      },
      findByName: async (instanceId, kind, name) =>
        one(s().resourceFindByName.get(instanceId, kind, name), toResource),
      update: async (r) => {
        cache.forget(ResourceCache.key(r.instanceId, r.kind, r.id));
        return (
          s().resourceUpdate.run(r.name, JSON.stringify(r.body), r.updatedAt, r.instanceId, r.kind, r.id)
            .changes === 1
        );
      },
      remove: async (instanceId, kind, id) => {
        cache.forget(ResourceCache.key(instanceId, kind, id));
        return s().resourceRemove.run(instanceId, kind, id).changes === 1;
      },
      list: async (instanceId, kind, after, limit) => {
        const key = ResourceCache.listKey(instanceId, kind, after ?? 0, limit);
        const known = cache.list(key);
        if (known) return known;
        const found = page(
          s().resourceList.all(instanceId, kind, after ?? 0, pageQueryLimit(limit)),
          limit,
          toResource,
        );
        cache.setList(key, found);
        return found;
      },
    },
    contacts: {
      insert: async (c) => {
        const key = contactKey(c.instanceId, c.id);
        if (unwritten.has(key)) writeContacts(); // the second insert fails as it would have
        s(); // a handle whose transaction has ended still fails here
        unwritten.set(key, c);
      },
      get: async (instanceId, id) => {
        if (unwritten.has(contactKey(instanceId, id))) writeContacts();
        return one(s().contactGet.get(instanceId, id), toContact);
      },
      update: async (c) => {
        const key = contactKey(c.instanceId, c.id);
        if (unwritten.has(key)) unwritten.set(key, c);
        else s().contactUpdate.run(...contactParams(c));
      },
      listExpiring: async (before, limit) => {
        writeContacts();
        return s().contactsExpiring.all(before, limit).map(toContact);
      },
    },
    participants: {
      insert: async (p) => void s().participantInsert.run(...participantParams(p)),
      get: async (id) => one(s().participantGet.get(id), toParticipant),
      listByContact: async (contactId) => s().participantsByContact.all(contactId).map(toParticipant),
      update: async (p) => void s().participantUpdate.run(...participantParams(p)),
    },
    idempotency: {
      claim: async (scope, token, requestHash, response, expiresAt, now) => {
        const body = JSON.stringify(response);
        if (scalar(s().idempotencyClaim, scope, token, requestHash, body, expiresAt, now))
          return { claimed: true };
        const r = s().idempotencyGet.get(scope, token)!;
        return { claimed: false, requestHash: r.request_hash as string, response: json(r.response) };
      },
    },
    chatItems: {
      append: async (chatId, id, item) => {
        const seq = (lastSeq.get(chatId) ?? orZero(scalar(s().chatItemLast, chatId))) + 1;
        s().chatItemInsert.run(chatId, seq, id, JSON.stringify(item));
        lastSeq.set(chatId, seq);
        return seq;
      },
      get: async (chatId, id) => one(s().chatItemGet.get(chatId, id), toChatItem),
      replace: async (chatId, seq, item) => void s().chatItemReplace.run(JSON.stringify(item), chatId, seq),
      list: async (chatId, range) =>
        (range.order === 'asc'
          ? s().chatItemsAsc.all(chatId, range.after ?? 0, range.limit)
          : s().chatItemsDesc.all(chatId, range.before ?? Number.MAX_SAFE_INTEGER, range.limit)
        ).map(toChatItem),
    },
    agents: {
      get: async (instanceId, userId) => one(s().agentGet.get(instanceId, userId), toAgent),
      put: async (a) => void s().agentPut.run(a.instanceId, a.userId, JSON.stringify(a.state)),
      list: async (instanceId) => s().agentList.all(instanceId).map(toAgent),
      listAll: async () => s().agentListAll.all().map(toAgent),
    },
    queuedContacts: {
      // prettier-ignore
      put: async (q) =>
        void s().queuedPut.run(
          q.queueId, q.channel, q.enqueuedAt, q.offeredTo ?? null, q.offerExpiresAt ?? null,
          JSON.stringify(q.passedOver), q.instanceId, q.contactId,
        ),
      get: async (instanceId, contactId) => one(s().queuedGet.get(instanceId, contactId), toQueued),
      remove: async (instanceId, contactId) => void s().queuedRemove.run(instanceId, contactId),
      waiting: async (instanceId, queueId, channel, enqueuedBy, limit) =>
        s().queuedWaiting.all(instanceId, queueId, channel, enqueuedBy, limit).map(toQueued),
      list: async (instanceId) => s().queuedList.all(instanceId).map(toQueued),
    },
    sessions: {
      put: async (x) =>
        void s().sessionPut.run(x.digest, x.instanceId, x.userId, x.createdAt, x.expiresAt, x.id),
      get: async (id) => one(s().sessionGet.get(id), toSession),
      remove: async (id) => void s().sessionRemove.run(id),
      removeExpired: async (now) => Number(s().sessionsRemoveExpired.run(now).changes),
    },
    ...outboxRepos(s),
    counters: {
      add: async (scope, name, delta, max) => {
        if (!Number.isSafeInteger(delta)) throw new RangeError(`delta must be an integer: ${delta}`);
        // One statement, unless the delta alone is past the limit (then only a negative counter
        // can take it): a new counter starts at the delta, which must be within the limit.
        if (max === undefined || delta <= max) {
          return scalar(s().counterAdd, scope, name, delta, max ?? null) as number | undefined;
        }
        // Read then write is atomic: the transaction holds SQLite's write lock throughout.
        const value = orZero(scalar(s().counterGet, scope, name)) + delta;
        if (max !== undefined && value > max) return undefined;
        s().counterSet.run(scope, name, value);
        return value;
      },
      get: async (scope, name) => orZero(scalar(s().counterGet, scope, name)),
    },
  };
  return { tx, finish: writeContacts };
}

function migrate(db: DatabaseSync): void {
  // IMMEDIATE so two processes opening one new file do not both apply the same migration.
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)',
    );
    const current =
      (db.prepare('SELECT max(version) AS v FROM schema_migrations').get()?.v as number | null) ?? 0;
    if (current > migrations.length) {
      throw new Error(
        `database schema version ${current} is newer than this server's (${migrations.length})`,
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    for (let v = current + 1; v <= migrations.length; v++) {
      db.exec(migrations[v - 1]);
      record.run(v, Date.now());
    }
    db.exec('COMMIT');
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

interface Job {
  fn: (tx: StoreTx) => Promise<unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

/** Bounds how long the first transaction of a batch waits for the others' bodies. */
const MAX_BATCH = 32;

/**
 * Transactions run one at a time, in call order, on the one synchronous connection: a body
 * awaits, and without the queue a second BEGIN would land inside the first transaction.
 *
 * Group commit: most of a transaction's cost is its COMMIT (writing every page it dirtied to
 * the WAL), so transactions queued together run in one SQLite transaction. Each still sees the
 * writes of those before it, exactly as if committed one by one, and none resolves before the
 * COMMIT that makes it durable; if that COMMIT fails, the whole batch rejects.
 *
 * A body that throws must undo only its own writes. A savepoint per body would do that, but
 * costs every body (SQLite copies each page a body changes into the savepoint's journal): 10–15%
 * of a StartChatContact's store work. So a batch runs without them, and when a body throws after
 * others have run, the batch is rolled back and run again with a savepoint per body; the Store
 * contract lets a body run more than once.
 */
class SqliteStore implements Store {
  #db: DatabaseSync;
  #s: Statements;
  #queue: Job[] = [];
  #draining = false;
  #idle: (() => void) | undefined;
  #closed: Promise<void> | undefined;
  #checkpointer: Worker | undefined;
  readonly #resources = new ResourceCache();
  /** SQLite's count of other connections' commits, as of the last transaction's start. */
  #dataVersion: unknown;
  /** Jobs at the head of the queue to run with a savepoint each: their batch had a body throw. */
  #careful = 0;
  readonly #onCommitError: (err: unknown) => void;

  constructor(db: DatabaseSync, checkpointer: Worker | undefined, onCommitError: (err: unknown) => void) {
    this.#db = db;
    this.#onCommitError = onCommitError;
    this.#checkpointer = checkpointer;
    this.#s = Object.fromEntries(
      Object.entries(SQL).map(([k, sql]) => {
        const statement = db.prepare(sql);
        if (SCALAR.has(k as keyof typeof SQL)) statement.setReturnArrays(true);
        return [k, statement];
      }),
    ) as Statements;
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('Store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (result: unknown) => void, reject });
      if (!this.#draining) {
        this.#draining = true;
        // Deferred to the check phase so requests arriving in the same I/O poll share a batch.
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) await this.#batch();
    } finally {
      this.#draining = false;
      this.#idle?.();
    }
  }

  async #batch(): Promise<void> {
    const s = this.#s;
    const done: { job: Job; result: unknown; committed: (() => void)[] }[] = [];
    const careful = this.#careful > 0;
    const limit = careful ? this.#careful : MAX_BATCH;
    this.#careful = 0;
    try {
      s.begin.run();
    } catch (e) {
      this.#queue.shift()!.reject(e);
      return;
    }
    const version = scalar(s.dataVersion);
    if (version !== this.#dataVersion) {
      this.#resources.clear(); // another connection (a CLI, another process) has committed
      this.#dataVersion = version;
    }
    while (this.#queue.length > 0 && done.length < limit) {
      const job = this.#queue.shift()!;
      // The first body needs no savepoint: if it throws, the whole transaction rolls back.
      const alone = done.length === 0;
      const savepoint = careful && !alone;
      const state = { open: true };
      try {
        if (savepoint) s.savepoint.run();
        const committed: (() => void)[] = [];
        const { tx, finish } = createTx(s, state, this.#resources, committed);
        const result = await job.fn(tx);
        finish();
        state.open = false;
        if (savepoint) s.release.run();
        done.push({ job, result, committed });
      } catch (e) {
        state.open = false;
        // What the bodies read may include writes now undone.
        this.#resources.clear();
        if (!alone && !careful && this.#db.isTransaction) {
          // No savepoint to undo this body alone: undo the batch so far and run it again.
          this.#queue.unshift(...done.map((d) => d.job), job);
          this.#careful = done.length + 1;
          s.rollback.run();
          return;
        }
        job.reject(e);
        try {
          // Alone, or SQLite itself aborted the transaction (disk full, I/O error): the writes
          // of the batch so far are gone, so their callers must not be told they committed.
          if (alone || !this.#db.isTransaction) throw e;
          s.rollbackToSavepoint.run();
          s.release.run();
        } catch (abort) {
          if (this.#db.isTransaction) s.rollback.run();
          for (const d of done) d.job.reject(abort);
          return;
        }
      }
    }
    try {
      s.commit.run();
    } catch (e) {
      this.#resources.clear();
      if (this.#db.isTransaction) s.rollback.run();
      for (const d of done) d.job.reject(e);
      return;
    }
    for (const d of done) {
      for (const fn of d.committed) {
        try {
          fn();
        } catch (err) {
          this.#onCommitError(err);
        }
      }
      d.job.resolve(d.result);
    }
  }

  close(): Promise<void> {
    // Transactions already queued finish first; later ones are refused.
    this.#closed ??= (async () => {
      if (this.#draining) await new Promise<void>((resolve) => (this.#idle = resolve));
      const checkpointer = this.#checkpointer;
      if (checkpointer && checkpointer.threadId !== -1) {
        // Referenced again, or a script with nothing else pending would exit inside close().
        checkpointer.ref();
        const exited = new Promise((resolve) => checkpointer.once('exit', resolve));
        checkpointer.postMessage('close');
        // Not events.once, which would reject if the worker failed meanwhile.
        await exited;
      }
      this.#db.close();
    })();
    return this.#closed;
  }
}

/**
 * Checkpoints copy committed WAL pages into the database file and fsync both. Run inside COMMIT
 * (SQLite's default) they were a third of the write path's cost and paused the event loop; a
 * worker thread with its own connection runs them beside the writer instead, which WAL allows
 * without either waiting for the other.
 *
 * How often matters. Under steady writes the WAL restarts only through the writer's own automatic
 * checkpoint (see openSqliteStore), and that checkpoint's fsyncs, on the writer's thread, write
 * back whatever the checkpointer has not synced yet: with a checkpoint every 20 ms the domain
 * thread was blocked in them ~1.4% of the time (kernel stacks sampled under load), in ~20 ms
 * stalls that held every request in flight (StartChatContact p99 23–28 ms); every 5 ms, 0.2%
 * (p99 14–19 ms), for ~9 µs more of the checkpointer's CPU per request (performance notes). So
 * a checkpoint follows every minMs while commits keep coming, and an idle node backs off to one
 * every maxMs instead of waking every few milliseconds for nothing.
 */
const CHECKPOINTER = `
// getBuiltinModule: eval'd worker code is CommonJS or ESM depending on the parent's --input-type.
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
const { minMs, maxMs } = workerData;
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA synchronous = NORMAL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let lastLog = -1;
let delay = minMs;
const run = () => {
  // log: the frames in the WAL. Unchanged since the last checkpoint, nothing was committed.
  const { log } = checkpoint.get();
  delay = log === lastLog ? Math.min(2 * delay, maxMs) : minMs;
  lastLog = log;
  timer = setTimeout(run, delay);
};
let timer = setTimeout(run, delay);
parentPort.once('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

function startCheckpointer(path: string): Worker {
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { path, minMs: 5, maxMs: 100 } });
  // Not fatal: the automatic checkpoint still bounds the WAL, only on the event loop.
  worker.on('error', (e) => process.emitWarning(`SQLite checkpointer stopped: ${e}`));
  // A store left open must not keep the process alive.
  worker.unref();
  return worker;
}

/** Opens (creating if needed) the store at `path`, or a private in-memory one for ':memory:'. */
export async function openSqliteStore(path: string, options: StoreOptions = {}): Promise<Store> {
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true });
  try {
    db.exec('PRAGMA journal_mode = WAL');
    // In WAL mode a commit is complete once its frames are written to the WAL file, which is in
    // the OS page cache when COMMIT returns; a killed process (even kill -9) cannot lose it.
    // NORMAL skips the fsync per commit, so only an OS crash or power loss can drop the last
    // commits. FULL would cost an fsync per transaction for a guarantee we do not promise.
    db.exec('PRAGMA synchronous = NORMAL');
    // Another process (a CLI, a backup) may briefly hold the write lock.
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA foreign_keys = ON');
    // Savepoints (a batch run again, see group commit) keep each touched page's original in a
    // sub-journal, which would otherwise be a temp file.
    db.exec('PRAGMA temp_store = MEMORY');
    // Reads come through the mapping; the page cache mostly holds the pages a transaction writes.
    // 8 MB, not more: at the end of every transaction SQLite walks the cache's hash table
    // (pcache1TruncateUnsafe), which with 64 MB took ~5% of the domain thread's time, and the
    // domain's CPU per StartChatContact fell 10–15% with the smaller cache (performance notes).
    db.exec('PRAGMA cache_size = -8192');
    db.exec('PRAGMA mmap_size = 268435456');
    // Under steady writes the WAL only restarts from its beginning after a checkpoint that
    // catches up completely, which only the writer's own automatic one does. By then the
    // checkpointer has copied nearly every page, but the two fsyncs still pause the event loop
    // (~25 ms measured); at 10000 pages (~40 MB of WAL) that is once every few seconds at full load.
    db.exec('PRAGMA wal_autocheckpoint = 50000');
    migrate(db);
    return new SqliteStore(
      db,
      path === ':memory:' ? undefined : startCheckpointer(path),
      options.onCommitError ?? ((err) => console.error('after-commit work failed', err)),
    );
  } catch (e) {
    db.close();
    throw e;
  }
}
