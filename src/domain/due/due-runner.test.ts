import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openSqliteStore } from '../../adapters/store/sqlite/sqlite-store.ts';
import { ManualClock } from '../../ports/clock.ts';
import type { Log } from '../../ports/log.ts';
import type { DueItem, Store } from '../../ports/store.ts';
import { DueRunner, type DueHandler } from './due-runner.ts';

let store: Store;
let clock: ManualClock;
let errors: string[];
const log: Log = { info: () => {}, warn: () => {}, error: (_f, msg) => void errors.push(msg) };

beforeEach(async () => {
  store = await openSqliteStore(':memory:');
  clock = new ManualClock();
  errors = [];
});
afterEach(() => store.close());

const runner = (handlers: Record<string, DueHandler>, owner = 'node-a') =>
  new DueRunner({ store, clock, log, owner, handlers, retryMs: 5000 });

const schedule = (id: string, dueIn: number, payload = {}) =>
  store.transaction((tx) => tx.due.schedule({ id, kind: 'ping', dueAt: clock.now() + dueIn, payload }));

/** What is left in the store, due by `at` (leases aside: claimed by a throwaway owner). */
const leftDueBy = (at: number) =>
  store.transaction(async (tx) => (await tx.due.claim('inspector', at, 1, 100)).map((d) => d.id));

describe('DueRunner', () => {
  it('starting, takes back the items its owner held before a restart, without waiting for their leases', async () => {
    await schedule('held', 0);
    // The node's previous run claimed it and died.
    await store.transaction((tx) => tx.due.claim('node-a', clock.now(), 30_000, 10));
    const seen: string[] = [];
    const due = runner({ ping: async (item) => void seen.push(item.id) });
    due.start();
    await due.poke();
    assert.deepEqual(seen, ['held']);
    await due.close();
  });

  it('hands each due item to its kind’s handler once and removes it; an item not yet due waits', async () => {
    const seen: DueItem[] = [];
    const due = runner({ ping: async (item) => void seen.push(item) });
    await schedule('now', 0, { n: 1 });
    await schedule('later', 60_000);
    await due.poke();
    await due.poke();
    assert.deepEqual(
      seen.map((d) => [d.id, d.payload]),
      [['now', { n: 1 }]],
    );
    clock.advance(60_000);
    await due.poke();
    assert.deepEqual(
      seen.map((d) => d.id),
      ['now', 'later'],
    );
    assert.deepEqual(await leftDueBy(clock.now() + 3_600_000), []);
    await due.close();
  });

  it('keeps an item its handler scheduled again, due at its new time', async () => {
    let runs = 0;
    const due = runner({
      ping: async (item) => {
        runs++;
        await store.transaction((tx) => tx.due.schedule({ ...item, dueAt: clock.now() + 1000 }));
      },
    });
    await schedule('again', 0);
    await due.poke();
    assert.equal(runs, 1);
    assert.deepEqual(await leftDueBy(clock.now() + 1000), ['again']);
    await due.close();
  });

  it('tries an item whose handler failed, or whose kind it does not know, again after retryMs', async () => {
    let fail = true;
    let runs = 0;
    const due = runner({
      ping: async () => {
        runs++;
        if (fail) throw new Error('store busy');
      },
    });
    await schedule('flaky', 0);
    await store.transaction((tx) => tx.due.schedule({ id: 'odd', kind: 'unknown', dueAt: 0, payload: {} }));
    await due.poke();
    assert.equal(runs, 1);
    assert.equal(errors.length, 2);
    await due.poke();
    assert.equal(runs, 1, 'not before retryMs');
    fail = false;
    clock.advance(5000);
    await due.poke();
    assert.equal(runs, 2);
    // The flaky one is done; the unknown kind waits its turn again, for a node that knows it.
    assert.deepEqual(await leftDueBy(clock.now()), []);
    assert.deepEqual(await leftDueBy(clock.now() + 5000), ['odd']);
    await due.close();
  });

  it('two nodes polling one store do each item once', async () => {
    const seen: string[] = [];
    const handler: DueHandler = async (item, owner) => void seen.push(`${item.id}@${owner}`);
    const a = runner({ ping: handler }, 'node-a');
    const b = runner({ ping: handler }, 'node-b');
    for (let i = 0; i < 20; i++) await schedule(`item-${i}`, 0);
    await Promise.all([a.poke(), b.poke(), a.poke(), b.poke()]);
    assert.equal(seen.length, 20);
    assert.equal(new Set(seen.map((s) => s.split('@')[0])).size, 20);
    await Promise.all([a.close(), b.close()]);
  });
});
