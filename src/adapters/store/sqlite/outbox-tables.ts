import type { SQLOutputValue, StatementSync } from 'node:sqlite';
import type { DueItem, StoreTx, StoredOutboxEntry } from '../../../ports/store.ts';

/**
 * The SQLite store's outbox and due work (tables in migrations.ts). Every statement runs inside
 * the store's write transaction (BEGIN IMMEDIATE), which no other connection to the file can
 * hold at the same time: a claim's read of what is free and its lease are one atomic step, on
 * one node or many sharing the file.
 */
export const OUTBOX_SQL = {
  // The new entry is its stream's head when the stream has nothing pending.
  outboxAdd: `INSERT INTO outbox (id, destination, order_key, payload, created_at, not_before, attempts, head)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0,
      NOT EXISTS (SELECT 1 FROM outbox WHERE destination = ?2 AND order_key = ?3))
    ON CONFLICT (id) DO NOTHING`,
  // Numbered per destination so that one destination's backlog cannot fill the whole claim; ?4
  // is a JSON object of the destinations with a bound of their own.
  outboxClaimable: `SELECT * FROM (
      SELECT o.*, row_number() OVER (PARTITION BY o.destination ORDER BY o.not_before, o.seq) AS nth,
        coalesce(r.value, ?2) AS room
      FROM outbox o LEFT JOIN json_each(?4) r ON r.key = o.destination
      WHERE o.head = 1 AND o.not_before <= ?1 AND (o.lease_until IS NULL OR o.lease_until <= ?1))
    WHERE nth <= room ORDER BY not_before, seq LIMIT ?3`,
  outboxClaimableAt: `SELECT * FROM outbox
    WHERE destination = ?2 AND head = 1 AND not_before <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)
    ORDER BY not_before, seq LIMIT ?3`,
  outboxLease: 'UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE seq = ?',
  outboxDelivered:
    'DELETE FROM outbox WHERE id = ? AND lease_owner = ? RETURNING head, destination, order_key',
  outboxDrop: 'DELETE FROM outbox WHERE id = ? RETURNING head, destination, order_key',
  outboxPromote: `UPDATE outbox SET head = 1 WHERE seq =
    (SELECT seq FROM outbox WHERE destination = ? AND order_key = ? ORDER BY seq LIMIT 1)`,
  outboxRetry: `UPDATE outbox SET lease_owner = NULL, lease_until = NULL, not_before = ?, attempts = attempts + 1,
      last_error = ?
    WHERE id = ? AND lease_owner = ?`,
  outboxReleaseAll: 'UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?',
  outboxStats:
    'SELECT destination, count(*) AS count, min(created_at) AS oldest FROM outbox GROUP BY destination',
  // A destination's oldest entry is the oldest of some stream: a head.
  outboxOldest: 'SELECT * FROM outbox WHERE destination = ? AND head = 1 ORDER BY seq LIMIT 1',

  // Scheduling again drops the lease, so the old claimant's done() cannot remove the new item.
  dueSchedule: `INSERT INTO due_work (id, kind, due_at, payload) VALUES (?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at, payload = excluded.payload,
      lease_owner = NULL, lease_until = NULL`,
  dueCancel: 'DELETE FROM due_work WHERE id = ?',
  dueClaimable: `SELECT id, kind, due_at, payload FROM due_work
    WHERE due_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1) ORDER BY due_at, id LIMIT ?2`,
  dueLease: 'UPDATE due_work SET lease_owner = ?, lease_until = ? WHERE id = ?',
  dueDone: 'DELETE FROM due_work WHERE id = ? AND lease_owner = ?',
  dueRelease:
    'UPDATE due_work SET due_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
  dueReleaseAll: 'UPDATE due_work SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?',
} as const;

export type OutboxStatements = { [K in keyof typeof OUTBOX_SQL]: StatementSync };

type Row = Record<string, SQLOutputValue>;

function toEntry(r: Row): StoredOutboxEntry {
  const e: StoredOutboxEntry = {
    id: r.id as string,
    destination: r.destination as string,
    orderKey: r.order_key as string,
    payload: JSON.parse(r.payload as string),
    createdAt: r.created_at as number,
    notBefore: r.not_before as number,
    attempts: r.attempts as number,
  };
  if (r.last_error !== null) e.lastError = r.last_error as string;
  return e;
}

function toDue(r: Row): DueItem {
  return {
    id: r.id as string,
    kind: r.kind as string,
    dueAt: r.due_at as number,
    payload: JSON.parse(r.payload as string),
  };
}

function positive(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer: ${n}`);
  return n;
}

/** The repositories, over the transaction's statements (`s` fails once the transaction ended). */
export function outboxRepos(s: () => OutboxStatements): Pick<StoreTx, 'outbox' | 'due'> {
  // A stream's next entry becomes its head when the head leaves.
  const removed = (r: Row | undefined): boolean => {
    if (!r) return false;
    if (r.head === 1) s().outboxPromote.run(r.destination as string, r.order_key as string);
    return true;
  };
  return {
    outbox: {
      // prettier-ignore
      add: async (e) =>
        s().outboxAdd.run(
          e.id, e.destination, e.orderKey, JSON.stringify(e.payload), e.createdAt, e.notBefore,
        ).changes === 1,
      claim: async (owner, now, leaseMs, limit, opts = {}) => {
        positive('limit', limit);
        const per =
          opts.perDestination === undefined ? limit : positive('perDestination', opts.perDestination);
        for (const [destination, n] of Object.entries(opts.room ?? {}))
          if (!Number.isSafeInteger(n) || n < 0)
            throw new RangeError(`room for ${destination} must be a non-negative integer: ${n}`);
        const room = (destination: string) =>
          opts.room && Object.hasOwn(opts.room, destination) ? opts.room[destination] : per;
        const rows =
          opts.destination === undefined
            ? s().outboxClaimable.all(now, per, limit, JSON.stringify(opts.room ?? {}))
            : s().outboxClaimableAt.all(now, opts.destination, Math.min(room(opts.destination), limit));
        const leaseUntil = now + positive('leaseMs', leaseMs);
        for (const r of rows) s().outboxLease.run(owner, leaseUntil, r.seq as number);
        return rows.map(toEntry);
      },
      delivered: async (id, owner) => removed(s().outboxDelivered.get(id, owner)),
      retry: async (id, owner, notBefore, error) =>
        s().outboxRetry.run(notBefore, error, id, owner).changes === 1,
      drop: async (id) => removed(s().outboxDrop.get(id)),
      releaseAll: async (owner) => Number(s().outboxReleaseAll.run(owner).changes),
      stats: async (now) =>
        s()
          .outboxStats.all()
          .map((r) => ({
            destination: r.destination as string,
            count: r.count as number,
            oldestAge: now - (r.oldest as number),
          })),
      oldest: async (destination) => {
        const r = s().outboxOldest.get(destination);
        return r ? toEntry(r) : undefined;
      },
    },
    due: {
      schedule: async (d) => void s().dueSchedule.run(d.id, d.kind, d.dueAt, JSON.stringify(d.payload)),
      cancel: async (id) => s().dueCancel.run(id).changes === 1,
      claim: async (owner, now, leaseMs, limit) => {
        const rows = s().dueClaimable.all(now, positive('limit', limit));
        const leaseUntil = now + positive('leaseMs', leaseMs);
        for (const r of rows) s().dueLease.run(owner, leaseUntil, r.id as string);
        return rows.map(toDue);
      },
      done: async (id, owner) => s().dueDone.run(id, owner).changes === 1,
      release: async (id, owner, dueAt) => s().dueRelease.run(dueAt, id, owner).changes === 1,
      releaseAll: async (owner) => Number(s().dueReleaseAll.run(owner).changes),
    },
  };
}
