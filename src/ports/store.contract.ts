/**
 * The behaviour every Store implementation must have, exercised through the port only. An
 * adapter's test file calls runStoreContract with a factory; each test opens a store over empty
 * state and closes it afterwards.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type {
  QueuedContactRecord,
  AccessKeyRecord,
  ContactRecord,
  InstanceRecord,
  ParticipantRecord,
  ResourceRecord,
  Store,
  StoreOptions,
  StoreTx,
} from './store.ts';
import { runOutboxContract, type SharedDatabase } from './store-outbox.contract.ts';

const T0 = Date.UTC(2024, 0, 1);

function instance(n: number, over: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    id: `inst-${n}`,
    arn: `arn:aws:connect:us-east-1:111111111111:instance/inst-${n}`,
    accountId: '111111111111',
    region: 'us-east-1',
    alias: `alias-${n}`,
    identityManagementType: 'CONNECT_MANAGED',
    inboundCallsEnabled: true,
    outboundCallsEnabled: false,
    status: 'ACTIVE',
    createdAt: T0 + n,
    tags: { team: 'a', ünïcode: '✓' },
    ...over,
  };
}

function resource(n: number, over: Partial<ResourceRecord> = {}): ResourceRecord {
  return {
    instanceId: 'inst-1',
    kind: 'queue',
    id: `res-${n}`,
    arn: `arn:aws:connect:us-east-1:111111111111:instance/inst-1/queue/res-${n}`,
    name: `name-${n}`,
    body: { Description: 'd', MaxContacts: 10, Nested: { list: [1, 'two', null, { three: true }] } },
    createdAt: T0 + n,
    updatedAt: T0 + n,
    ...over,
  };
}

function contact(id: string, over: Partial<ContactRecord> = {}): ContactRecord {
  return {
    id,
    arn: `arn:aws:connect:us-east-1:111111111111:instance/inst-1/contact/${id}`,
    instanceId: 'inst-1',
    initialContactId: id,
    channel: 'CHAT',
    initiationMethod: 'API',
    state: 'ACTIVE',
    flowId: 'flow-1',
    initiationTimestamp: T0,
    lastUpdateTimestamp: T0,
    attributes: { a: '1', empty: '' },
    details: {
      customerId: 'c-1',
      segmentAttributes: { k: { ValueString: 'v' } },
      chatDurationInMinutes: 1.5,
    },
    ...over,
  };
}

function participant(id: string, over: Partial<ParticipantRecord> = {}): ParticipantRecord {
  return {
    id,
    instanceId: 'inst-1',
    contactId: 'contact-1',
    role: 'CUSTOMER',
    displayName: 'Ann',
    tokenDigest: `digest-${id}`,
    createdAt: T0,
    ...over,
  };
}

/** Lets other queued work run, to give interleaving every chance to happen. */
const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Resource as the store returns it: as written, plus the store-assigned seq. */
function withoutSeq(r: ResourceRecord | undefined): ResourceRecord | undefined {
  if (!r) return r;
  const { seq, ...rest } = r;
  assert.equal(typeof seq, 'number');
  return rest;
}

/** `shared`, where the adapter can open several stores on one database, adds the tests that need it. */
export function runStoreContract(
  name: string,
  open: (options?: StoreOptions) => Promise<Store>,
  shared?: SharedDatabase,
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    const tx = <T>(fn: (tx: StoreTx) => Promise<T>) => store.transaction(fn);

    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('meta', () => {
      it('gets undefined when absent, the last value set otherwise', async () => {
        assert.equal(await tx((t) => t.meta.get('k')), undefined);
        await tx((t) => t.meta.set('k', 'v1'));
        assert.equal(await tx((t) => t.meta.get('k')), 'v1');
        await tx((t) => t.meta.set('k', ''));
        assert.equal(await tx((t) => t.meta.get('k')), '');
      });
    });

    describe('accessKeys', () => {
      it('puts, gets, replaces and lists', async () => {
        const a: AccessKeyRecord = {
          accessKeyId: 'AKIA1',
          secretAccessKey: 's1',
          accountId: '1',
          createdAt: T0,
        };
        const b: AccessKeyRecord = {
          accessKeyId: 'AKIA2',
          secretAccessKey: 's2',
          accountId: '2',
          createdAt: T0 + 1,
        };
        assert.equal(await tx((t) => t.accessKeys.get('AKIA1')), undefined);
        assert.deepEqual(await tx((t) => t.accessKeys.list()), []);
        await tx(async (t) => {
          await t.accessKeys.put(a);
          await t.accessKeys.put(b);
        });
        assert.deepEqual(await tx((t) => t.accessKeys.get('AKIA1')), a);
        const replaced = { ...a, secretAccessKey: 's1-rotated' };
        await tx((t) => t.accessKeys.put(replaced));
        assert.deepEqual(await tx((t) => t.accessKeys.get('AKIA1')), replaced);
        const list = await tx((t) => t.accessKeys.list());
        assert.deepEqual(
          list.sort((x, y) => x.accessKeyId.localeCompare(y.accessKeyId)),
          [replaced, b],
        );
      });
    });

    describe('instances', () => {
      it('round-trips a record', async () => {
        const i = instance(1, { tags: {} });
        assert.equal(await tx((t) => t.instances.insert(i)), true);
        assert.deepEqual(await tx((t) => t.instances.get('inst-1')), i);
        assert.equal(await tx((t) => t.instances.get('nope')), undefined);
      });

      it('refuses a taken id or an alias taken in the same account', async () => {
        await tx((t) => t.instances.insert(instance(1)));
        assert.equal(await tx((t) => t.instances.insert(instance(1, { alias: 'other' }))), false);
        assert.equal(await tx((t) => t.instances.insert(instance(2, { alias: 'alias-1' }))), false);
        assert.equal(await tx((t) => t.instances.get('inst-2')), undefined);
        const otherAccount = instance(3, { alias: 'alias-1', accountId: '222222222222' });
        assert.equal(await tx((t) => t.instances.insert(otherAccount)), true);
        assert.equal((await tx((t) => t.instances.get('inst-1')))?.alias, 'alias-1');
      });

      it('lists one account in creation order, page by page', async () => {
        await tx(async (t) => {
          for (let n = 1; n <= 5; n++) {
            await t.instances.insert(instance(n));
            await t.instances.insert(instance(100 + n, { accountId: '222222222222' }));
          }
        });
        const ids: string[][] = [];
        let after: number | undefined;
        for (;;) {
          const page = await tx((t) => t.instances.list('111111111111', after, 2));
          ids.push(page.items.map((i) => i.id));
          if (page.next === undefined) break;
          after = page.next;
        }
        assert.deepEqual(ids, [['inst-1', 'inst-2'], ['inst-3', 'inst-4'], ['inst-5']]);
        const all = await tx((t) => t.instances.list('111111111111', undefined, 10));
        assert.equal(all.next, undefined);
        assert.deepEqual(all.items[0], instance(1));
        assert.deepEqual(await tx((t) => t.instances.list('333333333333', undefined, 10)), { items: [] });
      });

      it('says a full last page is the last', async () => {
        await tx(async (t) => {
          for (let n = 1; n <= 4; n++) await t.instances.insert(instance(n));
        });
        const first = await tx((t) => t.instances.list('111111111111', undefined, 2));
        assert.notEqual(first.next, undefined);
        const second = await tx((t) => t.instances.list('111111111111', first.next, 2));
        assert.deepEqual(
          second.items.map((i) => i.id),
          ['inst-3', 'inst-4'],
        );
        assert.equal(second.next, undefined);
      });
    });

    describe('resources', () => {
      beforeEach(async () => {
        await tx(async (t) => {
          await t.instances.insert(instance(1));
          await t.instances.insert(instance(2));
        });
      });

      it('round-trips a record, found by id and by name, with a seq', async () => {
        const r = resource(1);
        assert.equal(await tx((t) => t.resources.insert(r)), true);
        assert.deepEqual(withoutSeq(await tx((t) => t.resources.get('inst-1', 'queue', 'res-1'))), r);
        assert.deepEqual(withoutSeq(await tx((t) => t.resources.findByName('inst-1', 'queue', 'name-1'))), r);
        assert.equal(await tx((t) => t.resources.get('inst-1', 'user', 'res-1')), undefined);
        assert.equal(await tx((t) => t.resources.get('inst-2', 'queue', 'res-1')), undefined);
        assert.equal(await tx((t) => t.resources.findByName('inst-1', 'queue', 'nope')), undefined);
      });

      it('refuses a taken id or a name taken within instance and kind', async () => {
        await tx((t) => t.resources.insert(resource(1)));
        assert.equal(await tx((t) => t.resources.insert(resource(1, { name: 'fresh' }))), false);
        assert.equal(await tx((t) => t.resources.insert(resource(2, { name: 'name-1' }))), false);
        assert.equal(await tx((t) => t.resources.get('inst-1', 'queue', 'res-2')), undefined);
        assert.equal(await tx((t) => t.resources.findByName('inst-1', 'queue', 'fresh')), undefined);
        assert.equal(
          await tx((t) => t.resources.insert(resource(3, { name: 'name-1', kind: 'user' }))),
          true,
        );
        assert.equal(
          await tx((t) => t.resources.insert(resource(4, { name: 'name-1', instanceId: 'inst-2' }))),
          true,
        );
      });

      it('updates name, body and updatedAt, refusing absent records and taken names', async () => {
        await tx(async (t) => {
          await t.resources.insert(resource(1));
          await t.resources.insert(resource(2));
        });
        const seq = (await tx((t) => t.resources.get('inst-1', 'queue', 'res-1')))?.seq;
        const renamed = { ...resource(1), name: 'renamed', body: { x: [1] }, updatedAt: T0 + 99 };
        assert.equal(await tx((t) => t.resources.update(renamed)), true);
        const got = await tx((t) => t.resources.get('inst-1', 'queue', 'res-1'));
        assert.deepEqual(withoutSeq(got), renamed);
        assert.equal(got?.seq, seq);
        assert.equal(await tx((t) => t.resources.findByName('inst-1', 'queue', 'name-1')), undefined);
        assert.equal((await tx((t) => t.resources.findByName('inst-1', 'queue', 'renamed')))?.id, 'res-1');

        assert.equal(await tx((t) => t.resources.update({ ...renamed, body: { y: 2 } })), true, 'same name');
        assert.equal(
          await tx((t) => t.resources.update({ ...renamed, name: 'name-2' })),
          false,
          'name clash',
        );
        assert.deepEqual(
          withoutSeq(await tx((t) => t.resources.get('inst-1', 'queue', 'res-1'))),
          { ...renamed, body: { y: 2 } },
          'unchanged by the refused update',
        );
        assert.equal(await tx((t) => t.resources.update(resource(9))), false, 'absent');
        assert.equal(await tx((t) => t.resources.get('inst-1', 'queue', 'res-9')), undefined);
      });

      it('forgets a write that rolled back, even one read back before the rollback', async () => {
        await tx((t) => t.resources.insert(resource(1)));
        const read = () => tx((t) => t.resources.get('inst-1', 'queue', 'res-1'));
        const changeThenFail = (body: Record<string, unknown>) =>
          tx(async (t) => {
            const r = (await t.resources.get('inst-1', 'queue', 'res-1'))!;
            await t.resources.update({ ...r, body });
            assert.deepEqual((await t.resources.get('inst-1', 'queue', 'res-1'))?.body, body);
            throw new Error('rolled back');
          });
        await assert.rejects(changeThenFail({ alone: true }), /rolled back/);
        assert.deepEqual((await read())?.body, resource(1).body);
        // Queued together, as a busy store may run them in one batch.
        const [before, failed, after] = await Promise.allSettled([
          read(),
          changeThenFail({ batched: true }),
          read(),
        ]);
        assert.equal(failed.status, 'rejected');
        for (const r of [before, after]) {
          assert.deepEqual(r.status === 'fulfilled' && r.value?.body, resource(1).body);
        }
        // A record absent when read and inserted later is found.
        assert.equal(await tx((t) => t.resources.get('inst-1', 'queue', 'res-7')), undefined);
        await tx((t) => t.resources.insert(resource(7)));
        assert.equal((await read())?.id, 'res-1');
        assert.equal((await tx((t) => t.resources.get('inst-1', 'queue', 'res-7')))?.id, 'res-7');
      });

      it('removes a record, freeing its name, and says whether it was there', async () => {
        await tx(async (t) => {
          await t.resources.insert(resource(1));
          await t.resources.insert(resource(2));
          await t.resources.insert(resource(1, { kind: 'user' }));
        });
        assert.equal(await tx((t) => t.resources.remove('inst-1', 'queue', 'res-1')), true);
        assert.equal(await tx((t) => t.resources.get('inst-1', 'queue', 'res-1')), undefined);
        assert.equal(await tx((t) => t.resources.findByName('inst-1', 'queue', 'name-1')), undefined);
        assert.equal(await tx((t) => t.resources.remove('inst-1', 'queue', 'res-1')), false, 'gone already');
        assert.equal(
          await tx((t) => t.resources.remove('inst-2', 'queue', 'res-2')),
          false,
          'other instance',
        );
        assert.equal((await tx((t) => t.resources.get('inst-1', 'queue', 'res-2')))?.id, 'res-2');
        assert.equal(
          (await tx((t) => t.resources.get('inst-1', 'user', 'res-1')))?.id,
          'res-1',
          'other kind',
        );
        assert.deepEqual(
          (await tx((t) => t.resources.list('inst-1', 'queue', undefined, 5))).items.map((r) => r.id),
          ['res-2'],
        );
        assert.equal(await tx((t) => t.resources.insert(resource(3, { name: 'name-1' }))), true, 'name free');
        await assert.rejects(
          tx(async (t) => {
            await t.resources.remove('inst-1', 'queue', 'res-2');
            throw new Error('rolled back');
          }),
          /rolled back/,
        );
        assert.equal(
          (await tx((t) => t.resources.get('inst-1', 'queue', 'res-2')))?.id,
          'res-2',
          'rolled back',
        );
      });

      it('lists one instance and kind in creation order, page by page', async () => {
        await tx(async (t) => {
          for (let n = 1; n <= 5; n++) {
            await t.resources.insert(resource(n));
            await t.resources.insert(resource(100 + n, { kind: 'user' }));
            await t.resources.insert(resource(200 + n, { instanceId: 'inst-2' }));
          }
        });
        const ids: string[][] = [];
        let after: number | undefined;
        for (;;) {
          const page = await tx((t) => t.resources.list('inst-1', 'queue', after, 2));
          ids.push(page.items.map((r) => r.id));
          if (page.next === undefined) break;
          after = page.next;
        }
        assert.deepEqual(ids, [['res-1', 'res-2'], ['res-3', 'res-4'], ['res-5']]);
        const exact = await tx((t) => t.resources.list('inst-1', 'queue', undefined, 5));
        assert.equal(exact.next, undefined);
        assert.deepEqual(withoutSeq(exact.items[4]), resource(5));
        assert.deepEqual(await tx((t) => t.resources.list('inst-1', 'routing-profile', undefined, 5)), {
          items: [],
        });
      });
    });

    describe('contacts', () => {
      beforeEach(async () => {
        await tx((t) => t.instances.insert(instance(1)));
      });

      it('lists the contacts due to expire, earliest first, and not those cleared', async () => {
        await tx(async (t) => {
          await t.contacts.insert(contact('late', { expiresAt: T0 + 30 }));
          await t.contacts.insert(contact('soon', { expiresAt: T0 + 10 }));
          await t.contacts.insert(contact('never'));
          await t.contacts.insert(contact('cleared', { expiresAt: T0 + 5 }));
          await t.contacts.update(contact('cleared', { state: 'ENDED' }));
        });
        const due = (before: number, limit = 10) =>
          tx(async (t) => (await t.contacts.listExpiring(before, limit)).map((c) => c.id));
        assert.deepEqual(await due(T0 + 9), []);
        assert.deepEqual(await due(T0 + 10), ['soon']);
        assert.deepEqual(await due(T0 + 100), ['soon', 'late']);
        assert.deepEqual(await due(T0 + 100, 1), ['soon']);
      });

      it('round-trips a record without and with optional fields', async () => {
        const bare = contact('contact-1', { attributes: {}, details: {} });
        const full = contact('contact-2', {
          previousContactId: 'contact-0',
          relatedContactId: 'contact-9',
          disconnectTimestamp: T0 + 5,
          disconnectReason: 'CUSTOMER_DISCONNECT',
          expiresAt: T0 + 60_000,
          state: 'ENDED',
          streams: [
            { streamingId: 's-1', endpointArn: 'arn:aws:sns:us-east-1:111111111111:a', startedAt: T0 + 1 },
            { streamingId: 's-2', endpointArn: 'arn:aws:sns:us-east-1:111111111111:b', startedAt: T0 + 2 },
          ],
        });
        await tx(async (t) => {
          await t.contacts.insert(bare);
          await t.contacts.insert(full);
        });
        const gotBare = await tx((t) => t.contacts.get('inst-1', 'contact-1'));
        assert.deepEqual(gotBare, bare);
        assert.equal(gotBare && 'expiresAt' in gotBare, false, 'absent optional fields stay absent');
        assert.deepEqual(await tx((t) => t.contacts.get('inst-1', 'contact-2')), full);
        assert.equal(await tx((t) => t.contacts.get('inst-2', 'contact-1')), undefined);
        assert.equal(await tx((t) => t.contacts.get('inst-1', 'nope')), undefined);
      });

      it('update replaces the mutable fields, clearing the optional ones left out', async () => {
        const stream = {
          streamingId: 's-1',
          endpointArn: 'arn:aws:sns:us-east-1:111111111111:a',
          startedAt: T0,
        };
        await tx((t) =>
          t.contacts.insert(
            contact('contact-1', { expiresAt: T0 + 1, relatedContactId: 'r', streams: [stream] }),
          ),
        );
        const ended = contact('contact-1', {
          state: 'ENDED',
          lastUpdateTimestamp: T0 + 10,
          disconnectTimestamp: T0 + 10,
          disconnectReason: 'EXPIRED',
          attributes: { b: '2' },
          details: { supportedMessagingContentTypes: ['text/plain', 'text/markdown'] },
        });
        await tx((t) => t.contacts.update(ended));
        assert.deepEqual(await tx((t) => t.contacts.get('inst-1', 'contact-1')), ended);
      });

      it('a contact inserted and changed in one transaction is read and stored as last changed', async () => {
        const queued = contact('contact-1', { attributes: { a: '1' }, details: { customerId: 'q' } });
        const seen = await tx(async (t) => {
          await t.contacts.insert(contact('contact-1', { expiresAt: T0 + 1 }));
          await t.contacts.update(contact('contact-1', { expiresAt: T0 + 1, attributes: { a: '1' } }));
          await t.contacts.update(queued);
          return {
            got: await t.contacts.get('inst-1', 'contact-1'),
            expiring: (await t.contacts.listExpiring(T0 + 100, 10)).map((c) => c.id),
          };
        });
        assert.deepEqual(seen, { got: queued, expiring: [] });
        assert.deepEqual(await tx((t) => t.contacts.get('inst-1', 'contact-1')), queued);
      });

      it('a second insert of a contact fails its transaction, in it or after it', async () => {
        await assert.rejects(
          tx(async (t) => {
            await t.meta.set('k', 'v');
            await t.contacts.insert(contact('contact-1'));
            await t.contacts.insert(contact('contact-1', { state: 'ENDED' }));
          }),
        );
        assert.equal(await tx((t) => t.meta.get('k')), undefined);
        assert.equal(await tx((t) => t.contacts.get('inst-1', 'contact-1')), undefined);
        await tx((t) => t.contacts.insert(contact('contact-1')));
        await assert.rejects(tx((t) => t.contacts.insert(contact('contact-1', { state: 'ENDED' }))));
        assert.deepEqual(await tx((t) => t.contacts.get('inst-1', 'contact-1')), contact('contact-1'));
      });
    });

    describe('participants', () => {
      beforeEach(async () => {
        await tx(async (t) => {
          await t.instances.insert(instance(1));
          await t.contacts.insert(contact('contact-1'));
          await t.contacts.insert(contact('contact-2'));
        });
      });

      it('round-trips, finds by token digest and lists by contact', async () => {
        const customer = participant('p-1');
        const agent = participant('p-2', {
          role: 'AGENT',
          displayName: 'Bo',
          createdAt: T0 + 1,
          leftAt: T0 + 2,
        });
        const elsewhere = participant('p-3', { contactId: 'contact-2' });
        await tx(async (t) => {
          await t.participants.insert(customer);
          await t.participants.insert(agent);
          await t.participants.insert(elsewhere);
        });
        const got = await tx((t) => t.participants.get('p-1'));
        assert.deepEqual(got, customer);
        assert.equal(got && 'leftAt' in got, false);
        assert.deepEqual(await tx((t) => t.participants.get('p-2')), agent);
        assert.equal(await tx((t) => t.participants.get('nope')), undefined);
        const list = await tx((t) => t.participants.listByContact('contact-1'));
        assert.deepEqual(
          list.sort((a, b) => a.id.localeCompare(b.id)),
          [customer, agent],
        );
        assert.deepEqual(await tx((t) => t.participants.listByContact('nope')), []);
      });

      it('update replaces the record', async () => {
        await tx((t) => t.participants.insert(participant('p-1')));
        const left = participant('p-1', { connectedAt: T0 + 3, leftAt: T0 + 7, displayName: 'Ann B' });
        await tx((t) => t.participants.update(left));
        assert.deepEqual(await tx((t) => t.participants.get('p-1')), left);
      });
    });

    describe('idempotency', () => {
      it('claims once; later claims see the first hash, then its response', async () => {
        const response = { ContactId: 'c', Nested: { list: [1, null, 'x'] } };
        assert.deepEqual(await tx((t) => t.idempotency.claim('s', 'tok', 'h1', response, T0 + 100, T0)), {
          claimed: true,
        });
        assert.deepEqual(
          await tx((t) => t.idempotency.claim('s', 'tok', 'h2', { other: 1 }, T0 + 100, T0 + 1)),
          {
            claimed: false,
            requestHash: 'h1',
            response,
          },
        );
        assert.deepEqual(await tx((t) => t.idempotency.claim('other', 'tok', 'h3', 'r', T0 + 100, T0)), {
          claimed: true,
        });
        assert.deepEqual(await tx((t) => t.idempotency.claim('s', 'tok2', 'h3', 'r', T0 + 100, T0)), {
          claimed: true,
        });
      });

      it('treats an expired key as absent and replaces it', async () => {
        await tx((t) => t.idempotency.claim('s', 'tok', 'old', { old: true }, T0 + 100, T0));
        assert.equal(
          (await tx((t) => t.idempotency.claim('s', 'tok', 'new', { new: true }, T0 + 300, T0 + 99))).claimed,
          false,
        );
        assert.deepEqual(
          await tx((t) => t.idempotency.claim('s', 'tok', 'new', { new: true }, T0 + 300, T0 + 100)),
          { claimed: true },
        );
        assert.deepEqual(await tx((t) => t.idempotency.claim('s', 'tok', 'x', 'x', T0 + 300, T0 + 101)), {
          claimed: false,
          requestHash: 'new',
          response: { new: true },
        });
      });

      it('gives exactly one of 50 concurrent claims of one key', async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, n) =>
            tx(async (t) => {
              const claim = await t.idempotency.claim('s', 'same', `h${n}`, { by: n }, T0 + 1000, T0);
              await yieldTurn();
              return { n, claim };
            }),
          ),
        );
        const winners = results.filter((r) => r.claim.claimed);
        assert.equal(winners.length, 1);
        const w = winners[0].n;
        for (const { claim } of results) {
          if (!claim.claimed)
            assert.deepEqual(claim, { claimed: false, requestHash: `h${w}`, response: { by: w } });
        }
      });
    });

    describe('chatItems', () => {
      it('appends in order per chat, finds by id, pages both ways, replaces', async () => {
        const seqs = await tx(async (t) => {
          const out = [];
          for (let i = 1; i <= 5; i++)
            out.push(await t.chatItems.append('chat-1', `i${i}`, { Id: `i${i}`, n: i }));
          out.push(await t.chatItems.append('chat-2', 'i1', { Id: 'i1', other: true }));
          return out;
        });
        assert.deepEqual(seqs, [1, 2, 3, 4, 5, 1]);
        // A later transaction, and one that rolls back, go on from what is committed.
        await assert.rejects(
          tx(async (t) => {
            await t.chatItems.append('chat-2', 'gone', { Id: 'gone' });
            throw new Error('undo');
          }),
        );
        assert.equal(await tx((t) => t.chatItems.append('chat-2', 'i2', { Id: 'i2' })), 2);
        assert.deepEqual(await tx((t) => t.chatItems.get('chat-1', 'i3')), {
          seq: 3,
          item: { Id: 'i3', n: 3 },
        });
        assert.equal(await tx((t) => t.chatItems.get('chat-1', 'nope')), undefined);
        const ids = (xs: { item: Record<string, unknown> }[]) => xs.map((x) => x.item.Id);
        assert.deepEqual(ids(await tx((t) => t.chatItems.list('chat-1', { order: 'asc', limit: 2 }))), [
          'i1',
          'i2',
        ]);
        assert.deepEqual(
          ids(await tx((t) => t.chatItems.list('chat-1', { order: 'asc', after: 3, limit: 9 }))),
          ['i4', 'i5'],
        );
        assert.deepEqual(ids(await tx((t) => t.chatItems.list('chat-1', { order: 'desc', limit: 2 }))), [
          'i5',
          'i4',
        ]);
        assert.deepEqual(
          ids(await tx((t) => t.chatItems.list('chat-1', { order: 'desc', before: 2, limit: 9 }))),
          ['i1'],
        );
        assert.deepEqual(await tx((t) => t.chatItems.list('chat-3', { order: 'asc', limit: 9 })), []);
        await tx((t) => t.chatItems.replace('chat-1', 2, { Id: 'i2', n: 2, read: true }));
        assert.deepEqual(await tx((t) => t.chatItems.get('chat-1', 'i2')), {
          seq: 2,
          item: { Id: 'i2', n: 2, read: true },
        });
      });

      it('gives concurrent appends distinct consecutive positions', async () => {
        const seqs = await Promise.all(
          Array.from({ length: 20 }, (_, n) => tx((t) => t.chatItems.append('chat-c', `m${n}`, { n }))),
        );
        assert.deepEqual(
          [...seqs].sort((a, b) => a - b),
          Array.from({ length: 20 }, (_, i) => i + 1),
        );
      });
    });

    describe('counters', () => {
      it('adds within max and changes nothing beyond it', async () => {
        assert.equal(await tx((t) => t.counters.get('s', 'n')), 0);
        assert.equal(await tx((t) => t.counters.add('s', 'n', 1)), 1);
        assert.equal(await tx((t) => t.counters.add('s', 'n', 5, 5)), undefined);
        assert.equal(await tx((t) => t.counters.get('s', 'n')), 1);
        assert.equal(await tx((t) => t.counters.add('s', 'n', 4, 5)), 5);
        assert.equal(await tx((t) => t.counters.add('s', 'n', 1, 5)), undefined);
        assert.equal(await tx((t) => t.counters.add('s', 'n', -2, 5)), 3);
        assert.equal(await tx((t) => t.counters.add('s', 'n', 1000)), 1003);
        assert.equal(await tx((t) => t.counters.add('s', 'fresh', 3, 2)), undefined);
        assert.equal(await tx((t) => t.counters.get('s', 'fresh')), 0);
        assert.equal(await tx((t) => t.counters.get('other', 'n')), 0);
        assert.equal(await tx((t) => t.counters.get('s', 'm')), 0);
      });

      it('lets a counter below zero take a delta larger than max', async () => {
        assert.equal(await tx((t) => t.counters.add('s', 'low', -3)), -3);
        assert.equal(await tx((t) => t.counters.add('s', 'low', 5, 4)), 2);
        assert.equal(await tx((t) => t.counters.add('s', 'low', 5, 4)), undefined);
        assert.equal(await tx((t) => t.counters.add('s', 'low', 2, 4)), 4);
        assert.equal(await tx((t) => t.counters.get('s', 'low')), 4);
      });
    });

    describe('agents', () => {
      it('puts, replaces and lists per instance', async () => {
        const a = {
          instanceId: 'i-1',
          userId: 'u-1',
          state: { status: { name: 'Available' }, contacts: [] },
        };
        await tx((t) => t.agents.put(a));
        await tx((t) => t.agents.put({ instanceId: 'i-1', userId: 'u-2', state: { n: 2 } }));
        await tx((t) => t.agents.put({ instanceId: 'i-2', userId: 'u-1', state: { n: 3 } }));
        assert.deepEqual(await tx((t) => t.agents.get('i-1', 'u-1')), a);
        assert.equal(await tx((t) => t.agents.get('i-1', 'u-3')), undefined);
        await tx((t) => t.agents.put({ ...a, state: { replaced: true } }));
        assert.deepEqual((await tx((t) => t.agents.get('i-1', 'u-1')))?.state, { replaced: true });
        const listed = await tx((t) => t.agents.list('i-1'));
        assert.deepEqual(listed.map((x) => x.userId).sort(), ['u-1', 'u-2']);
        assert.equal((await tx((t) => t.agents.listAll())).length, 3);
      });
    });

    describe('queuedContacts', () => {
      const entry = (contactId: string, enqueuedAt: number, extra: Partial<QueuedContactRecord> = {}) => ({
        instanceId: 'i-1',
        contactId,
        queueId: 'q-1',
        channel: 'CHAT' as const,
        enqueuedAt,
        passedOver: [],
        ...extra,
      });

      it('lists waiting entries oldest first, leaving out offered ones, later ones and other queues', async () => {
        await tx(async (t) => {
          await t.queuedContacts.put(entry('c-3', T0 + 3));
          await t.queuedContacts.put(entry('c-1', T0 + 1));
          await t.queuedContacts.put(entry('c-2', T0 + 2, { offeredTo: 'u-1', offerExpiresAt: T0 + 50 }));
          await t.queuedContacts.put(entry('c-4', T0 + 4, { queueId: 'q-2' }));
          await t.queuedContacts.put(entry('c-5', T0 + 5, { channel: 'VOICE' }));
          await t.queuedContacts.put(entry('c-6', T0 + 100));
        });
        const waiting = await tx((t) => t.queuedContacts.waiting('i-1', 'q-1', 'CHAT', T0 + 50, 10));
        assert.deepEqual(
          waiting.map((q) => q.contactId),
          ['c-1', 'c-3'],
        );
        assert.deepEqual(
          (await tx((t) => t.queuedContacts.waiting('i-1', 'q-1', 'CHAT', T0 + 100, 1))).map(
            (q) => q.contactId,
          ),
          ['c-1'],
        );
        assert.deepEqual(
          (await tx((t) => t.queuedContacts.list('i-1'))).map((q) => q.contactId),
          ['c-1', 'c-2', 'c-3', 'c-4', 'c-5', 'c-6'],
        );
      });

      it('round-trips an entry, replaces it and removes it', async () => {
        const offered = entry('c-1', T0, { offeredTo: 'u-1', offerExpiresAt: T0 + 10, passedOver: ['u-0'] });
        await tx((t) => t.queuedContacts.put(offered));
        assert.deepEqual(await tx((t) => t.queuedContacts.get('i-1', 'c-1')), offered);
        const back = entry('c-1', T0, { passedOver: ['u-0', 'u-1'] });
        await tx((t) => t.queuedContacts.put(back));
        assert.deepEqual(await tx((t) => t.queuedContacts.get('i-1', 'c-1')), back);
        await tx((t) => t.queuedContacts.remove('i-1', 'c-1'));
        assert.equal(await tx((t) => t.queuedContacts.get('i-1', 'c-1')), undefined);
      });
    });

    describe('sessions', () => {
      it('puts, gets, removes and expires sessions', async () => {
        const session = (id: string, expiresAt: number) => ({
          id,
          digest: `d-${id}`,
          instanceId: 'i-1',
          userId: 'u-1',
          createdAt: T0,
          expiresAt,
        });
        await tx(async (t) => {
          await t.sessions.put(session('s-1', T0 + 10));
          await t.sessions.put(session('s-2', T0 + 20));
          await t.sessions.put(session('s-3', T0 + 30));
        });
        assert.deepEqual(await tx((t) => t.sessions.get('s-1')), session('s-1', T0 + 10));
        await tx((t) => t.sessions.remove('s-3'));
        assert.equal(await tx((t) => t.sessions.get('s-3')), undefined);
        assert.equal(await tx((t) => t.sessions.removeExpired(T0 + 10)), 1);
        assert.equal(await tx((t) => t.sessions.get('s-1')), undefined);
        assert.ok(await tx((t) => t.sessions.get('s-2')));
      });
    });

    describe('transaction', () => {
      it('returns what fn returns and shows committed writes to the next transaction', async () => {
        assert.equal(await tx(async (t) => (await t.meta.set('k', 'v'), 42)), 42);
        assert.equal(await tx((t) => t.meta.get('k')), 'v');
      });

      it('sees its own writes before commit', async () => {
        await tx(async (t) => {
          await t.counters.add('s', 'n', 2);
          assert.equal(await t.counters.get('s', 'n'), 2);
          await t.meta.set('k', 'v');
          assert.equal(await t.meta.get('k'), 'v');
        });
      });

      it('writes nothing and rethrows when fn throws', async () => {
        await tx((t) => t.counters.add('s', 'n', 1));
        const boom = new Error('boom');
        await assert.rejects(
          tx(async (t) => {
            await t.meta.set('k', 'v');
            await t.accessKeys.put({
              accessKeyId: 'AK',
              secretAccessKey: 's',
              accountId: '1',
              createdAt: T0,
            });
            await t.instances.insert(instance(1));
            await t.resources.insert(resource(1));
            await t.contacts.insert(contact('contact-1'));
            await t.participants.insert(participant('p-1'));
            await t.idempotency.claim('s', 'tok', 'h', 'r', T0 + 100, T0);
            await t.counters.add('s', 'n', 1);
            await yieldTurn();
            throw boom;
          }),
          (e) => e === boom,
        );
        await tx(async (t) => {
          assert.equal(await t.meta.get('k'), undefined);
          assert.deepEqual(await t.accessKeys.list(), []);
          assert.equal(await t.instances.get('inst-1'), undefined);
          assert.equal(await t.resources.get('inst-1', 'queue', 'res-1'), undefined);
          assert.equal(await t.contacts.get('inst-1', 'contact-1'), undefined);
          assert.equal(await t.participants.get('p-1'), undefined);
          assert.deepEqual(await t.idempotency.claim('s', 'tok', 'h2', 'r', T0 + 100, T0), { claimed: true });
          assert.equal(await t.counters.get('s', 'n'), 1);
        });
      });

      it('runs concurrent transactions without interleaving them', async () => {
        await Promise.all(
          Array.from({ length: 100 }, () =>
            tx(async (t) => {
              const n = Number((await t.meta.get('n')) ?? '0');
              await yieldTurn();
              await t.meta.set('n', String(n + 1));
            }),
          ),
        );
        assert.equal(await tx((t) => t.meta.get('n')), '100');
      });

      it('runs onCommit work after the commit, in order, before it resolves; never when fn throws', async () => {
        const seen: string[] = [];
        const done = tx(async (t) => {
          await t.meta.set('k', 'v');
          t.onCommit(() => seen.push('first'));
          await yieldTurn();
          t.onCommit(() => seen.push('second'));
        }).then(() => seen.push('resolved'));
        const later = tx(async (t) => t.onCommit(() => seen.push('next transaction')));
        await Promise.all([done, later]);
        // (Transactions committed together may run their work before the first one's caller resumes.)
        assert.deepEqual(
          seen.filter((e) => e !== 'next transaction'),
          ['first', 'second', 'resolved'],
        );
        assert.ok(seen.indexOf('next transaction') > seen.indexOf('second'), seen.join());
        // The work sees what committed.
        let read: Promise<string | undefined> | undefined;
        await tx(async (t) => {
          await t.meta.set('k', 'w');
          t.onCommit(() => (read = store.transaction((t2) => t2.meta.get('k'))));
        });
        assert.equal(await read, 'w');

        const rolledBack: string[] = [];
        await assert.rejects(
          tx(async (t) => {
            t.onCommit(() => rolledBack.push('ran'));
            throw new Error('boom');
          }),
        );
        assert.deepEqual(rolledBack, []);
      });

      it('runs onCommit work once per committed transaction when others beside it throw', async () => {
        const ran: number[] = [];
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, n) =>
            tx(async (t) => {
              t.onCommit(() => ran.push(n));
              await t.counters.add('s', 'n', 1);
              await yieldTurn();
              if (n % 3 === 1) throw new Error(`fail ${n}`);
            }),
          ),
        );
        const committed = results.flatMap((r, n) => (r.status === 'fulfilled' ? [n] : []));
        assert.deepEqual(committed, [0, 2, 3, 5, 6, 8, 9]);
        assert.deepEqual(ran, committed);
        assert.equal(await tx((t) => t.counters.get('s', 'n')), 7);
      });

      it("gives an onCommit fn's error to onCommitError and still resolves and runs the rest", async () => {
        const errors: unknown[] = [];
        const other = await open({ onCommitError: (err) => errors.push(err) });
        try {
          const boom = new Error('boom');
          const ran: string[] = [];
          const result = await other.transaction(async (t) => {
            await t.meta.set('k', 'v');
            t.onCommit(() => {
              throw boom;
            });
            t.onCommit(() => ran.push('after'));
            return 'ok';
          });
          assert.equal(result, 'ok');
          assert.deepEqual(ran, ['after']);
          assert.deepEqual(errors, [boom]);
          assert.equal(await other.transaction((t) => t.meta.get('k')), 'v');
        } finally {
          await other.close();
        }
      });

      it('keeps serving after a failed transaction among concurrent ones', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, n) =>
            tx(async (t) => {
              await t.counters.add('s', 'n', 1);
              await yieldTurn();
              if (n % 3 === 0) throw new Error(`fail ${n}`);
            }),
          ),
        );
        assert.equal(results.filter((r) => r.status === 'rejected').length, 4);
        assert.equal(await tx((t) => t.counters.get('s', 'n')), 6);
      });
    });

    runOutboxContract(() => store, shared);

    it('closes idempotently', async () => {
      await store.close();
      await store.close();
    });
  });
}
