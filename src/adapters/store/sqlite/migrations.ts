/**
 * Schema migrations of the SQLite store, applied in order; migration i brings the schema to
 * version i + 1. Never edit or reorder a migration that has shipped: databases in the field
 * record which versions they have applied and will not run an edited one again. Append a new
 * migration instead.
 *
 * Timestamps are epoch milliseconds (INTEGER); JSON-valued fields are TEXT.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    account_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  -- seq is the pagination cursor; AUTOINCREMENT so a cursor handed to a client never points
  -- at a reused rowid.
  CREATE TABLE instances (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    arn TEXT NOT NULL,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    alias TEXT NOT NULL,
    identity_management_type TEXT NOT NULL,
    inbound_calls_enabled INTEGER NOT NULL,
    outbound_calls_enabled INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    tags TEXT NOT NULL,
    UNIQUE (account_id, alias)
  );

  CREATE TABLE resources (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id TEXT NOT NULL REFERENCES instances (id),
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    arn TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (instance_id, kind, id),
    UNIQUE (instance_id, kind, name)
  );

  -- Ids are random UUIDs, so every index on one costs a random page write per insert: the
  -- tables below keep as few as their lookups need. WITHOUT ROWID makes the primary key the
  -- table itself instead of a second b-tree beside the rowid one.
  CREATE TABLE contacts (
    instance_id TEXT NOT NULL REFERENCES instances (id),
    id TEXT NOT NULL,
    arn TEXT NOT NULL,
    initial_contact_id TEXT NOT NULL,
    previous_contact_id TEXT,
    related_contact_id TEXT,
    channel TEXT NOT NULL,
    initiation_method TEXT NOT NULL,
    state TEXT NOT NULL,
    flow_id TEXT NOT NULL,
    initiation_timestamp INTEGER NOT NULL,
    last_update_timestamp INTEGER NOT NULL,
    disconnect_timestamp INTEGER,
    disconnect_reason TEXT,
    expires_at INTEGER,
    attributes TEXT NOT NULL,
    details TEXT NOT NULL,
    PRIMARY KEY (instance_id, id)
  ) WITHOUT ROWID;
  -- Partial: only chats have a duration limit, and the sweep only looks for those.
  CREATE INDEX contacts_expires_at ON contacts (expires_at) WHERE expires_at IS NOT NULL;

  -- contact_id has no foreign key: contacts are keyed by (instance_id, id), and a unique index
  -- on id alone would only serve the check.
  -- Tokens name their participant (domain/participant-token.ts), so token_digest needs no index.
  CREATE TABLE participants (
    id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    role TEXT NOT NULL,
    display_name TEXT NOT NULL,
    token_digest TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    left_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX participants_contact_id ON participants (contact_id);

  CREATE TABLE idempotency (
    scope TEXT NOT NULL,
    token TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (scope, token)
  ) WITHOUT ROWID;
  CREATE INDEX idempotency_expires_at ON idempotency (expires_at);

  CREATE TABLE counters (
    scope TEXT NOT NULL,
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (scope, name)
  ) WITHOUT ROWID;
  `,
  `
  -- A chat's transcript: items in store order (seq), each the wire item as JSON.
  CREATE TABLE chat_items (
    chat_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (chat_id, seq)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX chat_items_id ON chat_items (chat_id, id);

  -- When the participant first connected (CreateParticipantConnection).
  ALTER TABLE participants ADD COLUMN connected_at INTEGER;
  `,
  `
  -- Agents' live routing state, one JSON document per user.
  CREATE TABLE agents (
    instance_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (instance_id, user_id)
  ) WITHOUT ROWID;

  -- Contacts in queues; an entry leaves when an agent accepts or the contact ends.
  CREATE TABLE queued_contacts (
    instance_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    queue_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    enqueued_at INTEGER NOT NULL,
    offered_to TEXT,
    offer_expires_at INTEGER,
    passed_over TEXT NOT NULL,
    PRIMARY KEY (instance_id, contact_id)
  ) WITHOUT ROWID;
  -- Routing asks for the oldest contacts no one holds an offer for, per queue and channel.
  CREATE INDEX queued_contacts_waiting ON queued_contacts (instance_id, queue_id, channel, enqueued_at)
    WHERE offered_to IS NULL;
  CREATE INDEX queued_contacts_offers ON queued_contacts (offer_expires_at) WHERE offer_expires_at IS NOT NULL;

  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX sessions_expires_at ON sessions (expires_at);
  `,
  `
  -- ClientTokens are random. As the table's own key they put each ~400-byte row on a random
  -- page: a page split every few inserts and a random page written per claim, which was half of
  -- StartChatContact's store time. Rows now go to the end of a rowid table, in claim order, and
  -- only the small (scope, token) index takes a random page.
  CREATE TABLE idempotency_claims (
    scope TEXT NOT NULL,
    token TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  INSERT INTO idempotency_claims (scope, token, request_hash, response, expires_at)
    SELECT scope, token, request_hash, response, expires_at FROM idempotency ORDER BY expires_at;
  DROP TABLE idempotency;
  ALTER TABLE idempotency_claims RENAME TO idempotency;
  CREATE UNIQUE INDEX idempotency_key ON idempotency (scope, token);
  -- No index on expires_at, which nothing queried (a claim past it is taken over in place) and
  -- which cost a page write per commit: a sweep can go by rowid, which is claim order.
  `,
  `
  -- Messages for outside the store, in the order added (seq). head marks the oldest entry of
  -- each (destination, order_key), the only one of them a claim may take: kept on every write so
  -- that a claim reads the heads alone, not a backlog that grows while a destination is down.
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    destination TEXT NOT NULL,
    order_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    not_before INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    head INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER
  );
  CREATE UNIQUE INDEX outbox_id ON outbox (id);
  -- The next entry to promote when a head leaves.
  CREATE INDEX outbox_order ON outbox (destination, order_key, seq);
  CREATE INDEX outbox_heads ON outbox (destination, not_before) WHERE head = 1;

  -- Durable timers.
  CREATE TABLE due_work (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    payload TEXT NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX due_work_due_at ON due_work (due_at);
  `,
  `
  -- A chat's active real-time streams (StartContactStreaming) as JSON; NULL when it has none.
  ALTER TABLE contacts ADD COLUMN streams TEXT;
  `,
  `
  -- The backlog per destination (count, oldest) from the index alone: an entry's row holds its
  -- payload (a chat's whole transcript), which a look at the backlog has no need to read.
  CREATE INDEX outbox_backlog ON outbox (destination, created_at);
  `,
];
