import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { testInstance } from '../../ports/store.fixtures.ts';
import { openSqliteStore } from '../../adapters/store/sqlite/sqlite-store.ts';
import type { Channel, ResourceKind, Store, StoreTx } from '../../ports/store.ts';
import {
  toRecord,
  type AgentContact,
  type AgentStatusRef,
  type RoutingProfileBody,
} from '../routing/agent.ts';
import { currentMetrics, currentUserData, CURRENT_METRIC_UNITS, type CurrentMetricName } from './metrics.ts';

const I = 'instance-1';
const NOW = 1_700_000_000_000;
const AVAILABLE: AgentStatusRef = { id: 'st-a', arn: 'arn:st/a', name: 'Available', type: 'ROUTABLE' };
const OFFLINE: AgentStatusRef = { id: 'st-o', arn: 'arn:st/o', name: 'Offline', type: 'OFFLINE' };
const LUNCH: AgentStatusRef = { id: 'st-l', arn: 'arn:st/l', name: 'Lunch', type: 'CUSTOM' };
const ALL = Object.keys(CURRENT_METRIC_UNITS) as CurrentMetricName[];
const Q1 = { id: 'q1', arn: 'arn:queue/q1' };
const Q2 = { id: 'q2', arn: 'arn:queue/q2' };

let store: Store;
const tx = <T>(fn: (t: StoreTx) => Promise<T>) => store.transaction(fn);

async function resource(kind: ResourceKind, id: string, body: object = {}) {
  await tx((t) =>
    t.resources.insert({
      instanceId: I,
      kind,
      id,
      arn: `arn:${kind}/${id}`,
      name: id,
      body: body as Record<string, unknown>,
      createdAt: NOW,
      updatedAt: NOW,
    }),
  );
}

async function agent(
  userId: string,
  profile: string,
  status: AgentStatusRef,
  contacts: Partial<AgentContact>[] = [],
  online = 1,
) {
  await resource('user', userId, { RoutingProfileId: profile });
  await tx((t) =>
    t.agents.put(
      toRecord({
        instanceId: I,
        userId,
        state: {
          status: { ...status, since: NOW - 60_000 },
          online,
          routingProfileId: profile,
          idleSince: NOW - 60_000,
          contacts: contacts.map((c, n) => ({
            contactId: `${userId}-c${n}`,
            channel: 'CHAT',
            queueId: 'q1',
            state: 'CONNECTED',
            since: NOW - 5000,
            enqueuedAt: NOW - 9000,
            ...c,
          })),
        },
      }),
    ),
  );
}

async function waiting(
  contactId: string,
  queueId: string,
  channel: Channel,
  ageMs: number,
  offeredTo?: string,
) {
  await tx((t) =>
    t.queuedContacts.put({
      instanceId: I,
      contactId,
      queueId,
      channel,
      enqueuedAt: NOW - ageMs,
      passedOver: [],
      ...(offeredTo && { offeredTo, offerExpiresAt: NOW + 1000 }),
    }),
  );
}

beforeEach(async () => {
  store = await openSqliteStore(':memory:');
  await tx((t) => t.instances.insert(testInstance(I, NOW)));
  await resource('queue', 'q1');
  await resource('queue', 'q2');
  const profile = (queues: [string, Channel][]): RoutingProfileBody => ({
    MediaConcurrencies: [
      { Channel: 'CHAT', Concurrency: 2 },
      { Channel: 'VOICE', Concurrency: 1 },
    ],
    QueueConfigs: queues.map(([QueueId, Channel]) => ({
      QueueReference: { QueueId, Channel },
      Priority: 1,
      Delay: 0,
    })),
  });
  // p1 serves q1 on CHAT and VOICE; p2 serves q2 on CHAT only.
  await resource(
    'routing-profile',
    'p1',
    profile([
      ['q1', 'CHAT'],
      ['q1', 'VOICE'],
    ]),
  );
  await resource('routing-profile', 'p2', profile([['q2', 'CHAT']]));
});
afterEach(() => store.close());

const metrics = (groupings: ('QUEUE' | 'CHANNEL')[], channels: Channel[] = ['VOICE', 'CHAT', 'TASK']) =>
  tx((t) => currentMetrics(t, I, { queues: [Q1, Q2], channels, groupings, metrics: ALL, now: NOW }));

describe('currentMetrics', () => {
  it('counts agents by activity, contacts in queue and slots, per queue', async () => {
    await agent('idle', 'p1', AVAILABLE);
    await agent('busy', 'p1', AVAILABLE, [{ state: 'CONNECTED' }]);
    await agent('full', 'p1', AVAILABLE, [
      { state: 'CONNECTED' },
      { state: 'CONNECTING' },
      { channel: 'VOICE' },
    ]);
    await agent('acw', 'p1', AVAILABLE, [{ state: 'ENDED' }]);
    await agent('missed', 'p1', AVAILABLE, [{ state: 'MISSED' }]);
    await agent('lunch', 'p1', LUNCH);
    await agent('offline', 'p1', OFFLINE, [{ state: 'ENDED' }]);
    await agent('closed', 'p1', AVAILABLE, [], 0);
    await agent('other', 'p2', AVAILABLE);
    await waiting('w1', 'q1', 'CHAT', 30_500);
    await waiting('w2', 'q1', 'CHAT', 10_000, 'full');
    await waiting('w3', 'q2', 'CHAT', 2_000);
    await waiting('w4', 'q1', 'TASK', 90_000);

    const [q1, q2] = await metrics(['QUEUE']);
    assert.deepEqual(q1.queue, Q1);
    assert.equal(q1.channel, undefined);
    assert.deepEqual(q1.values, {
      AGENTS_ONLINE: 6, // idle, busy, full, acw, missed, lunch
      AGENTS_AVAILABLE: 3, // idle, busy (a chat slot left), acw (a voice slot)
      AGENTS_ON_CALL: 2,
      AGENTS_ON_CONTACT: 2, // busy, full
      AGENTS_NON_PRODUCTIVE: 1,
      AGENTS_AFTER_CONTACT_WORK: 1, // contacts, not agents; online agents' only
      AGENTS_ERROR: 1,
      AGENTS_STAFFED: 5,
      CONTACTS_IN_QUEUE: 3, // waiting or offered, TASK too
      CONTACTS_SCHEDULED: 0,
      OLDEST_CONTACT_AGE: 90,
      // busy 1, full 1 chat + 1 voice, acw 1
      SLOTS_ACTIVE: 4,
      // idle 2 chat + 1 voice, busy 1 chat + 1 voice, acw 1 chat + 1 voice
      SLOTS_AVAILABLE: 7,
    });
    assert.deepEqual(q2.queue, Q2);
    assert.equal(q2.values.AGENTS_ONLINE, 1);
    assert.equal(q2.values.AGENTS_AVAILABLE, 1);
    assert.equal(q2.values.SLOTS_AVAILABLE, 2, 'p2 serves q2 on CHAT only');
    assert.equal(q2.values.CONTACTS_IN_QUEUE, 1);
    assert.equal(q2.values.OLDEST_CONTACT_AGE, 2);
  });

  it('groups by queue and channel, by channel alone, or not at all (age then in milliseconds)', async () => {
    await agent('idle', 'p1', AVAILABLE);
    await agent('other', 'p2', AVAILABLE, [{ queueId: 'q2', state: 'CONNECTED' }]);
    await waiting('w1', 'q1', 'VOICE', 4_000);
    await waiting('w2', 'q2', 'CHAT', 7_250);

    const both = await metrics(['QUEUE', 'CHANNEL'], ['CHAT', 'VOICE']);
    assert.deepEqual(
      both.map((r) => [r.queue?.id, r.channel, r.values.AGENTS_ONLINE, r.values.CONTACTS_IN_QUEUE]),
      [
        ['q1', 'CHAT', 1, 0],
        ['q1', 'VOICE', 1, 1],
        ['q2', 'CHAT', 1, 1],
        ['q2', 'VOICE', 0, 0],
      ],
    );
    const byChannel = await metrics(['CHANNEL'], ['CHAT', 'VOICE']);
    assert.deepEqual(
      byChannel.map((r) => [r.queue, r.channel, r.values.AGENTS_ONLINE, r.values.SLOTS_ACTIVE]),
      [
        [undefined, 'CHAT', 2, 1],
        [undefined, 'VOICE', 1, 0],
      ],
    );
    const [whole] = await metrics([]);
    assert.equal(whole.queue, undefined);
    assert.equal(whole.channel, undefined);
    assert.equal(whole.values.AGENTS_ONLINE, 2);
    assert.equal(whole.values.CONTACTS_IN_QUEUE, 2);
    assert.equal(whole.values.OLDEST_CONTACT_AGE, 7250, 'milliseconds without groupings');
    assert.equal((await metrics(['QUEUE']))[1].values.OLDEST_CONTACT_AGE, 7);
  });

  it('leaves out deleted users and queues nobody waits in', async () => {
    await agent('gone', 'p1', AVAILABLE);
    await tx((t) => t.resources.remove(I, 'user', 'gone'));
    const [q1] = await metrics(['QUEUE']);
    assert.equal(q1.values.AGENTS_ONLINE, 0);
    assert.equal(q1.values.CONTACTS_IN_QUEUE, 0);
    assert.equal(q1.values.OLDEST_CONTACT_AGE, 0);
  });
});

describe('currentUserData', () => {
  it('gives active users with status, slots and contacts, filtered by queue, profile, user or contact state', async () => {
    await agent('a', 'p1', AVAILABLE, [
      { state: 'CONNECTED', connectedAt: NOW - 5000 },
      { state: 'CONNECTING', channel: 'CHAT' },
    ]);
    await agent('b', 'p2', LUNCH);
    await agent('c', 'p1', AVAILABLE, [{ state: 'MISSED' }]);
    await agent('off', 'p1', OFFLINE, [], 0);
    await tx((t) =>
      t.contacts.insert({
        id: 'a-c0',
        arn: 'arn:contact/a-c0',
        instanceId: I,
        initialContactId: 'a-c0',
        channel: 'CHAT',
        initiationMethod: 'API',
        state: 'ACTIVE',
        flowId: 'f',
        initiationTimestamp: NOW - 10_000,
        lastUpdateTimestamp: NOW - 5000,
        attributes: {},
        details: {},
      }),
    );
    const data = (q: Parameters<typeof currentUserData>[2]) =>
      tx((t) => currentUserData(t, I, q)).then((list) => list.map((u) => u.user.id));

    const [a] = await tx((t) => currentUserData(t, I, { userIds: new Set(['a']) }));
    assert.deepEqual(a.user, { id: 'a', arn: 'arn:user/a' });
    assert.deepEqual(a.routingProfile, { id: 'p1', arn: 'arn:routing-profile/p1' });
    assert.deepEqual(a.status, { since: NOW - 60_000, arn: AVAILABLE.arn, name: 'Available' });
    assert.deepEqual(a.maxSlots, { CHAT: 2, VOICE: 1 });
    assert.deepEqual(a.activeSlots, { CHAT: 2, VOICE: 0 });
    assert.deepEqual(a.availableSlots, { CHAT: 0, VOICE: 1 });
    assert.deepEqual(a.contacts, [
      {
        contactId: 'a-c0',
        channel: 'CHAT',
        initiationMethod: 'API',
        state: 'CONNECTED',
        since: NOW - 5000,
        connectedAt: NOW - 5000,
        queue: { id: 'q1', arn: 'arn:queue/q1' },
      },
      {
        contactId: 'a-c1',
        channel: 'CHAT',
        state: 'CONNECTING',
        since: NOW - 5000,
        queue: { id: 'q1', arn: 'arn:queue/q1' },
      },
    ]);
    const [c] = await tx((t) => currentUserData(t, I, { userIds: new Set(['c']) }));
    assert.deepEqual(c.availableSlots, { CHAT: 0, VOICE: 0 }, 'a missed contact stops routing');

    assert.deepEqual(
      await data({ queueIds: new Set(['q1']) }),
      ['a', 'c'],
      'Offline with nothing open: not active',
    );
    assert.deepEqual(await data({ queueIds: new Set(['q2']) }), ['b']);
    assert.deepEqual(await data({ routingProfileIds: new Set(['p2']) }), ['b']);
    assert.deepEqual(await data({ userIds: new Set(['b', 'c']) }), ['b', 'c']);
    assert.deepEqual(await data({ routingProfileIds: new Set(['p1']), contactStates: new Set(['MISSED']) }), [
      'c',
    ]);
  });
});
