/**
 * The Store contract's outbox and due work (store.contract.ts runs it): leases, the order of
 * each destination and orderKey, and, where the adapter can open several stores on one
 * database, durability across a reopen and claims shared by two stores as by two nodes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DueItem, OutboxEntry, Store, StoreTx } from './store.ts';

/** A new empty database; each call of what it returns opens another store on it. */
export type SharedDatabase = () => () => Promise<Store>;

const T0 = Date.UTC(2024, 0, 1);
const LEASE = 1000;

function entry(id: string, over: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    id,
    destination: 'sns:arn:aws:sns:us-east-1:111111111111:chat',
    orderKey: 'contact-1',
    payload: { Id: id, Content: 'hé ✓', n: 1.5, nested: { list: [1, null, 'x'] } },
    createdAt: T0,
    notBefore: T0,
    ...over,
  };
}

function due(id: string, dueAt: number, over: Partial<DueItem> = {}): DueItem {
  return { id, kind: 'flow-wait', dueAt, payload: { contactId: id, step: 2 }, ...over };
}

/** A delivery's round trip, during which the other store's claims run. */
const deliveryTime = () => new Promise<void>((resolve) => setImmediate(resolve));

const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

export function runOutboxContract(current: () => Store, shared: SharedDatabase | undefined): void {
  const tx = <T>(fn: (tx: StoreTx) => Promise<T>) => current().transaction(fn);
  const claim = (owner: string, now: number, limit = 10, opts = {}) =>
    tx((t) => t.outbox.claim(owner, now, LEASE, limit, opts));

  describe('outbox', () => {
    it('adds an entry once and hands it back as added, with no attempts yet', async () => {
      const e = entry('m-1');
      assert.equal(await tx((t) => t.outbox.add(e)), true);
      assert.equal(await tx((t) => t.outbox.add({ ...e, payload: { other: true } })), false);
      assert.deepEqual(await claim('a', T0), [{ ...e, attempts: 0 }]);
      assert.deepEqual(await tx((t) => t.outbox.oldest(e.destination)), { ...e, attempts: 0 });
    });

    it('offers only the head of a destination and orderKey, the next once it is delivered or dropped', async () => {
      await tx(async (t) => {
        for (const id of ['m-1', 'm-2', 'm-3']) await t.outbox.add(entry(id));
      });
      assert.deepEqual(ids(await claim('a', T0)), ['m-1']);
      // Leased: nothing behind it, and not it, for anyone.
      assert.deepEqual(await claim('b', T0 + 1), []);
      assert.equal(await tx((t) => t.outbox.retry('m-1', 'a', T0 + 500, 'topic unreachable')), true);
      // Waiting for its retry: still nothing behind it.
      assert.deepEqual(await claim('b', T0 + 499), []);
      const [again] = await claim('b', T0 + 500);
      assert.deepEqual(again, {
        ...entry('m-1'),
        notBefore: T0 + 500,
        attempts: 1,
        lastError: 'topic unreachable',
      });
      assert.equal(await tx((t) => t.outbox.delivered('m-1', 'b')), true);
      assert.deepEqual(ids(await claim('b', T0 + 500)), ['m-2']);
      assert.equal(await tx((t) => t.outbox.drop('m-2')), true, 'a leased entry can be dropped');
      assert.equal(await tx((t) => t.outbox.drop('m-2')), false);
      assert.deepEqual(ids(await claim('c', T0 + 500)), ['m-3']);
    });

    it('keeps other orderKeys and destinations independent, earliest notBefore first', async () => {
      await tx(async (t) => {
        await t.outbox.add(entry('k1-1', { notBefore: T0 + 3 }));
        await t.outbox.add(entry('k1-2'));
        await t.outbox.add(entry('k2-1', { orderKey: 'contact-2', notBefore: T0 + 2 }));
        await t.outbox.add(entry('d2-1', { destination: 'webhook:x', notBefore: T0 + 1 }));
        await t.outbox.add(entry('d2-2', { destination: 'webhook:x' }));
      });
      assert.deepEqual(ids(await claim('a', T0 + 10)), ['d2-1', 'k2-1', 'k1-1']);
      assert.equal(await tx((t) => t.outbox.delivered('d2-1', 'a')), true);
      // contact-1's head still leased: contact-1 waits, webhook:x goes on.
      assert.deepEqual(ids(await claim('a', T0 + 10)), ['d2-2']);
    });

    it('respects notBefore', async () => {
      await tx((t) => t.outbox.add(entry('m-1', { notBefore: T0 + 500 })));
      assert.deepEqual(await claim('a', T0 + 499), []);
      assert.deepEqual(ids(await claim('a', T0 + 500)), ['m-1']);
    });

    it('lets another owner claim once a lease runs out, and only the holder finish it', async () => {
      await tx((t) => t.outbox.add(entry('m-1')));
      assert.deepEqual(ids(await claim('a', T0)), ['m-1']);
      assert.deepEqual(await claim('b', T0 + LEASE - 1), []);
      assert.deepEqual(ids(await claim('b', T0 + LEASE)), ['m-1']);
      assert.equal(await tx((t) => t.outbox.delivered('m-1', 'a')), false);
      assert.equal(await tx((t) => t.outbox.retry('m-1', 'a', T0, 'late')), false);
      assert.deepEqual(await claim('c', T0 + LEASE + 1), [], 'still leased to b');
      assert.equal(await tx((t) => t.outbox.delivered('m-1', 'b')), true);
      assert.equal(await tx((t) => t.outbox.delivered('m-1', 'b')), false);
      assert.equal(await tx((t) => t.outbox.oldest(entry('m-1').destination)), undefined);
    });

    it("gives back an owner's leases at once, and no one else's", async () => {
      await tx(async (t) => {
        for (const id of ['m-1', 'm-2', 'm-3'])
          await t.outbox.add(entry(id, { destination: `sns:${id}`, orderKey: id }));
      });
      assert.deepEqual(ids(await claim('a', T0, 2)).sort(), ['m-1', 'm-2']);
      assert.deepEqual(ids(await claim('b', T0)), ['m-3']);
      assert.equal(await tx((t) => t.outbox.releaseAll('a')), 2);
      assert.equal(await tx((t) => t.outbox.delivered('m-1', 'a')), false, 'no longer held');
      assert.deepEqual(
        ids(await claim('a', T0 + 1)).sort(),
        ['m-1', 'm-2'],
        'claimable before the lease ends',
      );
      assert.equal(await tx((t) => t.outbox.releaseAll('c')), 0);
      assert.deepEqual(await claim('c', T0 + 1), [], "b's lease stands");
      assert.equal(await tx((t) => t.outbox.delivered('m-3', 'b')), true);
    });

    it('bounds each destination in a claim, and claims for one destination alone', async () => {
      await tx(async (t) => {
        for (let n = 1; n <= 6; n++)
          await t.outbox.add(entry(`down-${n}`, { destination: 'sns:down', orderKey: `c${n}` }));
        for (let n = 1; n <= 2; n++)
          await t.outbox.add(
            entry(`up-${n}`, { destination: 'sns:up', orderKey: `c${n}`, notBefore: T0 + 1 }),
          );
      });
      const claimed = await claim('a', T0 + 1, 5, { perDestination: 2 });
      assert.deepEqual(ids(claimed).sort(), ['down-1', 'down-2', 'up-1', 'up-2']);
      assert.deepEqual(ids(await claim('a', T0 + 1, 3, { destination: 'sns:down' })), [
        'down-3',
        'down-4',
        'down-5',
      ]);
      assert.deepEqual(await claim('a', T0 + 1, 3, { destination: 'sns:up' }), []);
      assert.deepEqual(ids(await claim('a', T0 + 1, 3, { destination: 'sns:down', perDestination: 1 })), [
        'down-6',
      ]);
    });

    it('bounds the destinations named in room on their own, none for a room of 0', async () => {
      await tx(async (t) => {
        for (const destination of ['sns:full', 'sns:some', 'sns:other'])
          for (let n = 1; n <= 3; n++)
            await t.outbox.add(entry(`${destination.slice(4)}-${n}`, { destination, orderKey: `c${n}` }));
      });
      const claimed = await claim('a', T0 + 1, 10, {
        perDestination: 2,
        room: { 'sns:full': 0, 'sns:some': 1, 'sns:absent': 5 },
      });
      assert.deepEqual(ids(claimed).sort(), ['other-1', 'other-2', 'some-1']);
      assert.deepEqual(
        ids(await claim('a', T0 + 1, 10, { destination: 'sns:some', room: { 'sns:some': 1 } })),
        ['some-2'],
      );
      assert.deepEqual(
        await claim('a', T0 + 1, 10, { destination: 'sns:full', room: { 'sns:full': 0 } }),
        [],
      );
      await assert.rejects(claim('a', T0 + 1, 10, { room: { 'sns:full': -1 } }), RangeError);
      assert.deepEqual(ids(await claim('a', T0 + 1, 10)).sort(), [
        'full-1',
        'full-2',
        'full-3',
        'other-3',
        'some-3',
      ]);
    });

    it('reports the backlog and the oldest entry per destination', async () => {
      await tx(async (t) => {
        await t.outbox.add(entry('a-1', { destination: 'a', createdAt: T0 + 10 }));
        await t.outbox.add(entry('a-2', { destination: 'a', orderKey: 'other', createdAt: T0 + 20 }));
        await t.outbox.add(entry('a-3', { destination: 'a', createdAt: T0 + 30 }));
        await t.outbox.add(entry('b-1', { destination: 'b', createdAt: T0 + 40 }));
      });
      const stats = await tx((t) => t.outbox.stats(T0 + 100));
      assert.deepEqual(
        stats.sort((x, y) => x.destination.localeCompare(y.destination)),
        [
          { destination: 'a', count: 3, oldestAge: 90 },
          { destination: 'b', count: 1, oldestAge: 60 },
        ],
      );
      assert.equal((await tx((t) => t.outbox.oldest('a')))?.id, 'a-1');
      await claim('w', T0, 10, { destination: 'a' });
      assert.equal(await tx((t) => t.outbox.delivered('a-1', 'w')), true);
      assert.equal((await tx((t) => t.outbox.oldest('a')))?.id, 'a-2');
      assert.deepEqual(
        await tx((t) => t.outbox.stats(T0 + 100)).then((s) => s.find((x) => x.destination === 'a')),
        {
          destination: 'a',
          count: 2,
          oldestAge: 80,
        },
      );
      assert.equal(await tx((t) => t.outbox.oldest('none')), undefined);
    });

    it('keeps nothing a failed transaction added or scheduled', async () => {
      const boom = new Error('boom');
      await assert.rejects(
        tx(async (t) => {
          await t.outbox.add(entry('m-1'));
          await t.due.schedule(due('d-1', T0));
          throw boom;
        }),
        (e) => e === boom,
      );
      assert.deepEqual(await claim('a', T0), []);
      assert.deepEqual(await tx((t) => t.due.claim('a', T0, LEASE, 10)), []);
      assert.deepEqual(await tx((t) => t.outbox.stats(T0)), []);
      assert.equal(await tx((t) => t.outbox.add(entry('m-1'))), true);
    });
  });

  describe('due', () => {
    const claimDue = (owner: string, now: number, limit = 10) =>
      tx((t) => t.due.claim(owner, now, LEASE, limit));

    it('hands out due items earliest first, each to one owner until its lease runs out', async () => {
      await tx(async (t) => {
        await t.due.schedule(due('later', T0 + 200));
        await t.due.schedule(due('soon', T0 + 100));
        await t.due.schedule(due('future', T0 + 5000));
      });
      assert.deepEqual(await claimDue('a', T0 + 99), []);
      assert.deepEqual(await claimDue('a', T0 + 200), [due('soon', T0 + 100), due('later', T0 + 200)]);
      assert.deepEqual(await claimDue('b', T0 + 200 + LEASE - 1), []);
      assert.deepEqual(ids(await claimDue('b', T0 + 200 + LEASE, 1)), ['soon']);
      assert.equal(await tx((t) => t.due.done('soon', 'a')), false, 'a lost the lease to b');
      assert.equal(await tx((t) => t.due.done('soon', 'b')), true);
      assert.equal(await tx((t) => t.due.done('soon', 'b')), false);
      // later's lease (a's) ran out too; a can still finish it, since no one took it over.
      assert.equal(await tx((t) => t.due.release('later', 'b', T0)), false);
      assert.equal(await tx((t) => t.due.release('later', 'a', T0 + 3000)), true);
      assert.deepEqual(await claimDue('c', T0 + 2999), []);
      assert.deepEqual(await claimDue('c', T0 + 3000), [due('later', T0 + 3000)]);
      assert.equal(await tx((t) => t.due.done('later', 'c')), true);
      assert.equal(await tx((t) => t.due.cancel('future')), true);
      assert.equal(await tx((t) => t.due.cancel('future')), false);
      assert.deepEqual(await claimDue('d', T0 + 100_000), []);
    });

    it("gives back one owner's leases, the items due as they were", async () => {
      await tx(async (t) => {
        await t.due.schedule(due('x', T0));
        await t.due.schedule(due('y', T0 + 5));
        await t.due.schedule(due('z', T0 + 10));
      });
      const mine = ids(await claimDue('a', T0 + 10, 2)).sort();
      assert.deepEqual(ids(await claimDue('b', T0 + 10)), ['z']);
      assert.equal(await tx((t) => t.due.releaseAll('a')), 2);
      assert.equal(await tx((t) => t.due.done(mine[0], 'a')), false, 'no longer held');
      const again = await claimDue('c', T0 + 11);
      assert.deepEqual(ids(again).sort(), mine, "claimable before the lease ends; b's stands");
      assert.deepEqual(again.map((d) => d.dueAt).sort(), [T0, T0 + 5], 'due as they were');
      assert.equal(await tx((t) => t.due.releaseAll('nobody')), 0);
    });

    it('replaces an item scheduled again, dropping its lease', async () => {
      await tx((t) => t.due.schedule(due('flow-wait:c1', T0)));
      assert.equal((await claimDue('a', T0)).length, 1);
      const replaced = due('flow-wait:c1', T0 + 50, { kind: 'flow-input', payload: { step: 3 } });
      await tx((t) => t.due.schedule(replaced));
      assert.equal(await tx((t) => t.due.done('flow-wait:c1', 'a')), false);
      assert.deepEqual(await claimDue('b', T0 + 50), [replaced]);
    });
  });

  if (!shared) return;

  describe('outbox and due work on one database shared by two stores', () => {
    it('keeps entries, their order and due items across a close and reopen', async () => {
      const open = shared();
      const first = await open();
      await first.transaction(async (t) => {
        for (const id of ['m-1', 'm-2']) await t.outbox.add(entry(id));
        await t.due.schedule(due('d-1', T0));
      });
      await first.transaction((t) => t.outbox.claim('a', T0, LEASE, 10));
      await first.close();
      const second = await open();
      try {
        const t = <T>(fn: (tx: StoreTx) => Promise<T>) => second.transaction(fn);
        assert.deepEqual(await t((x) => x.outbox.claim('b', T0, LEASE, 10)), [], 'm-1 is still leased');
        assert.deepEqual(ids(await t((x) => x.outbox.claim('b', T0 + LEASE, LEASE, 10))), ['m-1']);
        assert.equal(await t((x) => x.outbox.delivered('m-1', 'b')), true);
        assert.deepEqual(ids(await t((x) => x.outbox.claim('b', T0 + LEASE, LEASE, 10))), ['m-2']);
        assert.deepEqual(await t((x) => x.due.claim('b', T0, LEASE, 10)), [due('d-1', T0)]);
      } finally {
        await second.close();
      }
    });

    it('never leases one entry or item to both, and delivers each stream in order', async () => {
      const open = shared();
      const stores = [await open(), await open()];
      try {
        const streams = 30;
        const perStream = 4;
        // Added by both stores in turn: each sees the stream the other left.
        for (let n = 0; n < perStream; n++) {
          for (let k = 0; k < streams; k++) {
            await stores[(n + k) % 2].transaction(async (t) => {
              await t.outbox.add(entry(`s${k}-${n}`, { orderKey: `c${k}`, destination: `d${k % 3}` }));
              await t.due.schedule(due(`due-${k}-${n}`, T0 + n));
            });
          }
        }
        const delivered: string[] = [];
        const claimedBy = new Map<string, number>();
        const take = (id: string, who: number) => {
          assert.equal(claimedBy.get(id), undefined, `${id} leased to both stores`);
          claimedBy.set(id, who);
        };
        // Leases outlast the test: an id claimed twice means two owners held it at once.
        const work = async (who: number) => {
          const store = stores[who];
          const owner = `node-${who}`;
          for (;;) {
            const [entries, items] = await store.transaction(async (t) => [
              await t.outbox.claim(owner, T0 + 10, 60_000, 3, { perDestination: 2 }),
              await t.due.claim(owner, T0 + 10, 60_000, 3),
            ]);
            if (entries.length === 0 && items.length === 0) return;
            for (const e of entries) take(e.id, who);
            for (const d of items) take(d.id, who);
            await deliveryTime();
            const finished = await store.transaction(async (t) => {
              const results = [];
              for (const e of entries) results.push(await t.outbox.delivered(e.id, owner));
              for (const d of items) results.push(await t.due.done(d.id, owner));
              return results;
            });
            assert.ok(finished.every(Boolean), 'the owner finishes what it holds');
            delivered.push(...ids(entries));
          }
        };
        await Promise.all([work(0), work(1)]);
        assert.equal(claimedBy.size, 2 * streams * perStream);
        const counts = [0, 1].map((who) => [...claimedBy.values()].filter((w) => w === who).length);
        assert.ok(counts[0] > 0 && counts[1] > 0, `both stores claimed work: ${counts}`);
        for (let k = 0; k < streams; k++) {
          const order = delivered.filter((id) => id.startsWith(`s${k}-`));
          assert.deepEqual(
            order,
            Array.from({ length: perStream }, (_, n) => `s${k}-${n}`),
          );
        }
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });
  });
}
