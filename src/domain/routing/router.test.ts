import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { testInstance } from '../../ports/store.fixtures.ts';
import { openSqliteStore } from '../../adapters/store/sqlite/sqlite-store.ts';
import { ManualClock } from '../../ports/clock.ts';
import type { Channel, ContactRecord, Store, StoreTx } from '../../ports/store.ts';
import { freeSlots, isRoutable, toAgent, toRecord, type Agent, type RoutingProfileBody } from './agent.ts';
import { OFFER_TIMEOUT, QUEUE_DELAY, Router, RoutingChanges, RoutingConflict } from './router.ts';

const I = 'instance-1';
const AVAILABLE = { id: 'st-available', arn: 'arn:available', name: 'Available', type: 'ROUTABLE' as const };
const OFFLINE = { id: 'st-offline', arn: 'arn:offline', name: 'Offline', type: 'OFFLINE' as const };
const LUNCH = { id: 'st-lunch', arn: 'arn:lunch', name: 'Lunch', type: 'CUSTOM' as const };
const OFFER_MS = 20_000;
/** The AgentInfo of a contact the agent (a user id) accepted. */
const accepted = (agentId: string) => ({
  Id: agentId,
  AcceptedByAgentTimestamp: 0,
  ConnectedToAgentTimestamp: 0,
});

let store: Store;
let clock: ManualClock;
let router: Router;

beforeEach(async () => {
  store = await openSqliteStore(':memory:');
  clock = new ManualClock();
  router = new Router({ clock, offerTimeoutMs: OFFER_MS });
  await store.transaction((tx) => tx.instances.insert(testInstance(I, clock.now())));
});
afterEach(() => store.close());

const tx = <T>(fn: (t: StoreTx) => Promise<T>) => store.transaction(fn);

/**
 * Does routing's due work as the node's DueRunner would (each item taken in the transaction
 * that does its work); returns how many offers were missed.
 */
async function expireOffers(limit: number): Promise<number> {
  let missed = 0;
  const items = await tx((t) => t.due.claim('test', clock.now(), 60_000, limit));
  for (const item of items) {
    await tx(async (t) => {
      if (!(await t.due.done(item.id, 'test'))) return;
      if (item.kind === OFFER_TIMEOUT) {
        if (await router.offerTimedOut(t, item, new RoutingChanges())) missed++;
      } else if (item.kind === QUEUE_DELAY) await router.delayPassed(t, item, new RoutingChanges());
      else assert.fail(`routing left due work of kind ${item.kind}`);
    });
  }
  return missed;
}

/** The ids of the due items in the store. */
const dueIds = () =>
  tx(async (t) => {
    const items = await t.due.claim('peek', Number.MAX_SAFE_INTEGER, 1, 1000);
    for (const item of items) await t.due.release(item.id, 'peek', item.dueAt);
    return items.map((i) => i.id).sort();
  });

async function profile(
  id: string,
  chat: number,
  queues: { queue: string; priority?: number; delay?: number }[],
) {
  const body: RoutingProfileBody = {
    MediaConcurrencies: [
      { Channel: 'CHAT', Concurrency: chat },
      { Channel: 'VOICE', Concurrency: 1 },
    ],
    QueueConfigs: queues.map((q) => ({
      QueueReference: { QueueId: q.queue, Channel: 'CHAT' as Channel },
      Priority: q.priority ?? 1,
      Delay: q.delay ?? 0,
    })),
  };
  await tx((t) =>
    t.resources.insert({
      instanceId: I,
      kind: 'routing-profile',
      id,
      arn: `arn:rp/${id}`,
      name: id,
      body: body as unknown as Record<string, unknown>,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    }),
  );
}

/** An agent signed in with a workspace open, Available unless told otherwise. */
async function agent(userId: string, routingProfileId: string, idleSince = clock.now()) {
  await tx(async (t) => {
    await t.agents.put(
      toRecord({
        instanceId: I,
        userId,
        state: {
          status: { ...OFFLINE, since: clock.now() },
          online: 0,
          routingProfileId,
          idleSince,
          contacts: [],
        },
      }),
    );
  });
  await act(userId, (a, t, c) => router.setOnline(t, a, 1, c));
  await act(userId, (a, t, c) => router.setStatus(t, a, AVAILABLE, c));
  // Being set Available counts as becoming free; put back the idle time the test asked for.
  await tx(async (t) => {
    const a = toAgent((await t.agents.get(I, userId))!);
    a.state.idleSince = idleSince;
    await t.agents.put(toRecord(a));
  });
}

async function act(
  userId: string,
  fn: (a: Agent, t: StoreTx, c: RoutingChanges) => Promise<unknown>,
): Promise<RoutingChanges> {
  const changes = new RoutingChanges();
  await tx(async (t) => fn(toAgent((await t.agents.get(I, userId))!), t, changes));
  return changes;
}

let contacts = 0;
function contact(): ContactRecord {
  const id = `contact-${String(++contacts).padStart(4, '0')}`;
  return {
    id,
    arn: `arn:contact/${id}`,
    instanceId: I,
    initialContactId: id,
    channel: 'CHAT',
    initiationMethod: 'API',
    state: 'ACTIVE',
    flowId: 'f',
    initiationTimestamp: clock.now(),
    lastUpdateTimestamp: clock.now(),
    attributes: {},
    details: {},
  };
}

async function enqueue(queueId: string, c = contact()): Promise<ContactRecord> {
  await tx((t) => router.enqueue(t, c, queueId, new RoutingChanges()));
  return c;
}

async function held(userId: string) {
  const a = await tx((t) => t.agents.get(I, userId));
  return toAgent(a!).state.contacts.map((c) => `${c.contactId}:${c.state}`);
}

describe('Router', () => {
  it('offers a queued contact to the longest-idle agent whose profile covers the queue', async () => {
    await profile('rp-a', 2, [{ queue: 'q-1' }]);
    await profile('rp-b', 2, [{ queue: 'q-2' }]);
    await agent('newer', 'rp-a', clock.now() - 1_000);
    await agent('longest', 'rp-a', clock.now() - 60_000);
    await agent('other-queue', 'rp-b', clock.now() - 120_000);
    const c = await enqueue('q-1');
    assert.deepEqual(await held('longest'), [`${c.id}:CONNECTING`]);
    assert.deepEqual(await held('newer'), []);
    assert.deepEqual(await held('other-queue'), []);
    const entry = await tx((t) => t.queuedContacts.get(I, c.id));
    assert.equal(entry?.offeredTo, 'longest');
    assert.equal(entry?.offerExpiresAt, clock.now() + OFFER_MS);
  });

  it('fills every free slot and no more; the rest wait; a cleared slot takes the oldest', async () => {
    await profile('rp', 2, [{ queue: 'q' }]);
    await agent('a', 'rp');
    const [c1, c2, c3] = [await enqueue('q'), await enqueue('q'), await enqueue('q')];
    assert.deepEqual(await held('a'), [`${c1.id}:CONNECTING`, `${c2.id}:CONNECTING`]);
    assert.equal((await tx((t) => t.queuedContacts.get(I, c3.id)))?.offeredTo, undefined);
    await act('a', (a, t, ch) => router.accept(t, a, c1.id, ch));
    assert.equal(await tx((t) => t.queuedContacts.get(I, c1.id)), undefined, 'accepted: out of the queue');
    await tx((t) =>
      router.contactEnded(
        t,
        { ...c1, state: 'ENDED', details: { agentInfo: accepted('a') } },
        new RoutingChanges(),
      ),
    );
    assert.deepEqual(
      await held('a'),
      [`${c1.id}:ENDED`, `${c2.id}:CONNECTING`],
      'after-contact work keeps the slot',
    );
    await act('a', (a, t, ch) => router.clear(t, a, c1.id, ch));
    assert.deepEqual(await held('a'), [`${c2.id}:CONNECTING`, `${c3.id}:CONNECTING`]);
  });

  it('takes the highest-priority queue first and respects each queue delay', async () => {
    await profile('rp', 1, [
      { queue: 'low', priority: 2 },
      { queue: 'high', priority: 1 },
      { queue: 'late', priority: 1, delay: 30 },
    ]);
    const old = await enqueue('low');
    clock.advance(1000);
    const urgent = await enqueue('high');
    const delayed = await enqueue('late');
    await agent('a', 'rp');
    assert.deepEqual(await held('a'), [`${urgent.id}:CONNECTING`]);
    await act('a', (a, t, ch) => router.reject(t, a, urgent.id, ch));
    // Rejected: the agent gets the next one, and the rejected contact waits for someone else.
    assert.deepEqual(await held('a'), [`${old.id}:CONNECTING`]);
    await act('a', (a, t, ch) => router.reject(t, a, old.id, ch));
    // Nobody else can take them: the agent who passed them over is offered them again.
    assert.deepEqual(await held('a'), [`${urgent.id}:CONNECTING`]);
    await act('a', (a, t, ch) => router.accept(t, a, urgent.id, ch));
    await tx((t) =>
      router.contactEnded(
        t,
        { ...urgent, state: 'ENDED', details: { agentInfo: accepted('a') } },
        new RoutingChanges(),
      ),
    );
    await act('a', (a, t, ch) => router.clear(t, a, urgent.id, ch));
    assert.deepEqual(await held('a'), [`${old.id}:CONNECTING`], 'the delayed contact is not yet due');
    await act('a', (a, t, ch) => router.reject(t, a, old.id, ch));
    clock.advance(30_000);
    await act('a', (a, t, ch) => router.reject(t, a, old.id, ch).catch(() => undefined));
    await tx((t) => router.sweep(t, I, new RoutingChanges()));
    const now = await held('a');
    assert.equal(now.length, 1);
    assert.ok(now[0] === `${delayed.id}:CONNECTING` || now[0] === `${old.id}:CONNECTING`, now[0]);
  });

  it('a rejected contact goes to another agent', async () => {
    await profile('rp', 1, [{ queue: 'q' }]);
    await agent('first', 'rp', clock.now() - 10_000);
    await agent('second', 'rp', clock.now() - 5_000);
    const c = await enqueue('q');
    assert.deepEqual(await held('first'), [`${c.id}:CONNECTING`]);
    await act('first', (a, t, ch) => router.reject(t, a, c.id, ch));
    assert.deepEqual(await held('first'), []);
    assert.deepEqual(await held('second'), [`${c.id}:CONNECTING`]);
    await assert.rejects(
      act('first', (a, t, ch) => router.accept(t, a, c.id, ch)),
      RoutingConflict,
    );
  });

  it('a missed offer leaves the agent MISSED and goes to another; Available clears it', async () => {
    await profile('rp', 2, [{ queue: 'q' }]);
    await agent('slow', 'rp', clock.now() - 10_000);
    const c = await enqueue('q');
    await agent('late', 'rp');
    clock.advance(OFFER_MS - 1);
    assert.equal(await expireOffers(100), 0);
    clock.advance(1);
    assert.equal(await expireOffers(100), 1);
    assert.deepEqual(await held('slow'), [`${c.id}:MISSED`]);
    assert.deepEqual(await held('late'), [`${c.id}:CONNECTING`]);
    const slow = toAgent((await tx((t) => t.agents.get(I, 'slow')))!);
    assert.equal(isRoutable(slow.state), false);
    await enqueue('q');
    assert.deepEqual((await held('slow')).length, 1, 'a missed agent is offered nothing');
    await act('slow', (a, t, ch) => router.setStatus(t, a, AVAILABLE, ch));
    assert.equal((await held('slow')).filter((x) => x.endsWith('MISSED')).length, 0);
  });

  it('a status change, sign-out or lost workspace with offers pending puts them back in the queue', async () => {
    await profile('rp', 3, [{ queue: 'q' }]);
    await agent('a', 'rp', clock.now() - 10_000);
    const c = await enqueue('q');
    await act('a', (a, t, ch) => router.setStatus(t, a, LUNCH, ch));
    assert.deepEqual(await held('a'), []);
    assert.equal((await tx((t) => t.queuedContacts.get(I, c.id)))?.offeredTo, undefined);
    await agent('b', 'rp');
    assert.deepEqual(await held('b'), [`${c.id}:CONNECTING`]);
    await act('b', (a, t, ch) => router.setOnline(t, a, -1, ch));
    assert.deepEqual(await held('b'), []);
    await act('a', (a, t, ch) => router.setStatus(t, a, AVAILABLE, ch));
    assert.deepEqual(await held('a'), [`${c.id}:CONNECTING`]);
    await act('a', (a, t, ch) => router.accept(t, a, c.id, ch));
    await act('a', (a, t, ch) => router.setStatus(t, a, OFFLINE, ch));
    assert.deepEqual(await held('a'), [`${c.id}:CONNECTED`], 'an accepted chat stays with its agent');
  });

  it('a contact that ends while offered is withdrawn from the agent', async () => {
    await profile('rp', 1, [{ queue: 'q' }]);
    await agent('a', 'rp');
    const c = await enqueue('q');
    const next = await enqueue('q');
    await tx((t) => router.contactEnded(t, { ...c, state: 'ENDED' }, new RoutingChanges()));
    assert.deepEqual(await held('a'), [`${next.id}:CONNECTING`]);
    assert.equal(await tx((t) => t.queuedContacts.get(I, c.id)), undefined);
  });

  it("an offer's timeout is due work with the offer, gone once it is accepted, rejected or withdrawn", async () => {
    await profile('rp', 3, [{ queue: 'q' }]);
    await agent('a', 'rp');
    const [accepted, rejected, withdrawn] = [await enqueue('q'), await enqueue('q'), await enqueue('q')];
    const timeout = (c: ContactRecord) => `${OFFER_TIMEOUT}:${c.id}:a`;
    assert.deepEqual(await dueIds(), [timeout(accepted), timeout(rejected), timeout(withdrawn)].sort());
    await act('a', (a, t, ch) => router.accept(t, a, accepted.id, ch));
    await act('a', (a, t, ch) => router.reject(t, a, rejected.id, ch));
    // Nobody else can take it: offered to the agent again, with a timeout of its own.
    assert.deepEqual(await dueIds(), [timeout(rejected), timeout(withdrawn)].sort());
    await act('a', (a, t, ch) => router.setStatus(t, a, LUNCH, ch));
    assert.deepEqual(await dueIds(), []);
    clock.advance(OFFER_MS);
    assert.equal(await expireOffers(100), 0);
    assert.deepEqual(await held('a'), [`${accepted.id}:CONNECTED`]);
  });

  it('a queue delay passes as due work: the contact is offered when it has waited long enough', async () => {
    await profile('rp', 1, [{ queue: 'q', delay: 30 }]);
    await profile('rp-later', 1, [{ queue: 'q', delay: 60 }]);
    await agent('a', 'rp');
    const c = await enqueue('q');
    assert.deepEqual(await held('a'), []);
    assert.deepEqual(await dueIds(), [`${QUEUE_DELAY}:${c.id}`]);
    clock.advance(29_999);
    await expireOffers(100);
    assert.deepEqual(await held('a'), [], 'the delay has not yet passed');
    clock.advance(1);
    await expireOffers(100);
    assert.deepEqual(await held('a'), [`${c.id}:CONNECTING`]);
    await act('a', (a, t, ch) => router.reject(t, a, c.id, ch));
    // Rejected and nobody else can take it yet: the agent has it again.
    assert.deepEqual(await dueIds(), [`${OFFER_TIMEOUT}:${c.id}:a`]);
    // Back in the queue: the 60 s delay of the other profile is still ahead.
    await act('a', (a, t, ch) => router.setStatus(t, a, LUNCH, ch));
    assert.deepEqual(await dueIds(), [`${QUEUE_DELAY}:${c.id}`]);
    await agent('b', 'rp-later');
    clock.advance(30_000);
    await expireOffers(100);
    assert.deepEqual(await held('b'), [`${c.id}:CONNECTING`]);
  });

  for (const seed of [42, 7, 2026])
    it(`keeps its invariants under many concurrent random commands (seed ${seed})`, async () => {
      const profiles = ['rp-1', 'rp-2', 'rp-3'];
      await profile('rp-1', 1, [{ queue: 'q-1' }]);
      await profile('rp-2', 3, [{ queue: 'q-1', priority: 2 }, { queue: 'q-2' }]);
      await profile('rp-3', 10, [{ queue: 'q-2' }, { queue: 'q-3' }]);
      const users = Array.from({ length: 12 }, (_, i) => `agent-${i}`);
      for (const [i, u] of users.entries()) await agent(u, profiles[i % 3]);
      let state = seed;
      // mulberry32: a small, well-known deterministic generator, so a failure can be replayed.
      const random = () => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
      const live = new Map<string, ContactRecord>();
      const seen = { accepted: 0, rejected: 0, missed: 0, cleared: 0 };

      const step = async (): Promise<void> => {
        const roll = random();
        const user = pick(users);
        if (roll < 0.3) {
          const c = await enqueue(pick(['q-1', 'q-2', 'q-3']));
          live.set(c.id, c);
        } else if (roll < 0.5) {
          await act(user, async (a, t, ch) => {
            const offer = a.state.contacts.find((c) => c.state === 'CONNECTING');
            if (offer) await router.accept(t, a, offer.contactId, ch).then(() => seen.accepted++);
          });
        } else if (roll < 0.6) {
          await act(user, async (a, t, ch) => {
            const offer = a.state.contacts.find((c) => c.state === 'CONNECTING');
            if (offer) await router.reject(t, a, offer.contactId, ch).then(() => seen.rejected++);
          });
        } else if (roll < 0.7) {
          await act(user, (a, t, ch) =>
            router.setStatus(t, a, pick([AVAILABLE, AVAILABLE, LUNCH, OFFLINE]), ch),
          );
        } else if (roll < 0.76) {
          await act(user, (a, t, ch) => router.setOnline(t, a, random() < 0.5 ? -1 : 1, ch));
        } else if (roll < 0.78) {
          // Moving an agent on contacts to a smaller profile leaves them over it until those end;
          // the invariant below is about what routing offers, so only idle agents move.
          await act(user, async (a, t, ch) => {
            if (a.state.contacts.length === 0) await router.setRoutingProfile(t, a, pick(profiles), ch);
          });
        } else if (roll < 0.88) {
          const ended = pick([...live.values()]);
          if (!ended) return;
          live.delete(ended.id);
          await tx(async (t) => {
            const owner = (await t.agents.list(I))
              .map(toAgent)
              .find((a) => a.state.contacts.some((c) => c.contactId === ended.id && c.state === 'CONNECTED'));
            const details = owner ? { agentInfo: accepted(owner.userId) } : {};
            await router.contactEnded(t, { ...ended, state: 'ENDED', details }, new RoutingChanges());
          });
        } else if (roll < 0.95) {
          await act(user, async (a, t, ch) => {
            const done = a.state.contacts.find((c) => c.state === 'ENDED' || c.state === 'MISSED');
            if (done) await router.clear(t, a, done.contactId, ch).then(() => seen.cleared++);
          });
        } else {
          clock.advance(Math.floor(random() * OFFER_MS));
          seen.missed += await expireOffers(1000);
        }
      };

      for (let round = 0; round < 80; round++) {
        // Commands race each other: several transactions in flight at once.
        await Promise.all(Array.from({ length: 8 }, step));
        await checkInvariants(round);
      }
      // The run did exercise every path.
      for (const [what, n] of Object.entries(seen)) assert.ok(n > 5, `only ${n} ${what}`);
    });
});

/** What must hold after every step, whatever happened. */
async function checkInvariants(round: number): Promise<void> {
  await tx(async (t) => {
    const agents = (await t.agents.list(I)).map(toAgent);
    const queued = await t.queuedContacts.list(I);
    const holders = new Map<string, string[]>();
    for (const a of agents) {
      const rp = await t.resources.get(I, 'routing-profile', a.state.routingProfileId);
      const body = rp!.body as unknown as RoutingProfileBody;
      assert.ok(freeSlots(a.state, body, 'CHAT') >= 0, `round ${round}: ${a.userId} is over capacity`);
      for (const c of a.state.contacts) {
        if (c.state === 'CONNECTING' || c.state === 'CONNECTED')
          holders.set(c.contactId, [...(holders.get(c.contactId) ?? []), a.userId]);
        if (c.state === 'CONNECTING') {
          const entry = queued.find((q) => q.contactId === c.contactId);
          assert.equal(entry?.offeredTo, a.userId, `round ${round}: ${a.userId} holds a stale offer`);
        }
      }
    }
    const due = await t.due.claim('peek', Number.MAX_SAFE_INTEGER, 1, 10_000);
    for (const item of due) await t.due.release(item.id, 'peek', item.dueAt);
    const timeouts = due.filter((i) => i.kind === OFFER_TIMEOUT).map((i) => i.id);
    assert.deepEqual(
      timeouts.sort(),
      queued
        .filter((q) => q.offeredTo)
        .map((q) => `${OFFER_TIMEOUT}:${q.contactId}:${q.offeredTo}`)
        .sort(),
      `round ${round}: offer timeouts do not match the offers`,
    );
    for (const [contactId, who] of holders)
      assert.equal(who.length, 1, `round ${round}: ${contactId} is with ${who.join(', ')}`);
    for (const q of queued) {
      if (q.offeredTo) {
        const a = agents.find((x) => x.userId === q.offeredTo);
        assert.ok(
          a?.state.contacts.some((c) => c.contactId === q.contactId && c.state === 'CONNECTING'),
          `round ${round}: ${q.contactId} offered to ${q.offeredTo}, who does not have it`,
        );
        continue;
      }
      // Nothing waits while an agent could take it (no delays in this test).
      for (const a of agents) {
        if (!isRoutable(a.state)) continue;
        const rp = await t.resources.get(I, 'routing-profile', a.state.routingProfileId);
        const body = rp!.body as unknown as RoutingProfileBody;
        const covers = body.QueueConfigs.some((c) => c.QueueReference.QueueId === q.queueId);
        assert.ok(
          !covers || freeSlots(a.state, body, 'CHAT') <= 0,
          `round ${round}: ${q.contactId} waits in ${q.queueId} while ${a.userId} is free`,
        );
      }
    }
  });
}
