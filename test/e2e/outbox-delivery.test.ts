/**
 * The outbox delivery worker against a real SQLite store and a real SNS/SQS/S3 peer
 * (moto_server): entries added in transactions reach the topics' SQS subscribers once each and
 * in order per orderKey; a peer that goes down and comes back gets everything, in order, while
 * another destination goes on delivering; a refused entry and one past the maximum age are
 * dropped with a warn line; two workers on two stores over one database file deliver each
 * entry once (leases).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Registry } from 'prom-client';
import { openSqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import { SnsTopicPublisher } from '../../src/adapters/sns/sns-topic-publisher.ts';
import { S3ObjectSink } from '../../src/adapters/s3/s3-object-sink.ts';
import { PROFILE } from '../../src/bootstrap.ts';
import { ManualClock, systemClock, type Clock } from '../../src/ports/clock.ts';
import type { Log, LogFields } from '../../src/ports/log.ts';
import type { OutboxEntry, Store } from '../../src/ports/store.ts';
import { DelivererByScheme, ObjectDeliverer, TopicDeliverer } from '../../src/outbox/deliverers.ts';
import { DeliveryMetrics } from '../../src/outbox/delivery-metrics.ts';
import { OutboxWorker, type OutboxWorkerOptions } from '../../src/outbox/delivery.ts';
import { tempDir } from '../support/node.ts';
import {
  createBucket,
  createTopic,
  freePort,
  getObject,
  MOTO_REGION,
  motoClients,
  receiveAll,
  startMoto,
  subscribeQueue,
  type Moto,
  type SnsEnvelope,
} from '../support/moto.ts';

process.env.AWS_ACCESS_KEY_ID = 'AKIDCONFIGURED';
process.env.AWS_SECRET_ACCESS_KEY = 'configured-secret';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
delete process.env.AWS_PROFILE;
delete process.env.AWS_REGION;

let moto: Moto;
let peer: ReturnType<typeof motoClients>;
const cleanups: (() => Promise<void> | void)[] = [];

before(async () => {
  moto = await startMoto();
  peer = motoClients(moto.endpoint);
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await moto?.stop();
});

class MemoryLog implements Log {
  readonly lines: { level: string; fields: LogFields; msg: string }[] = [];
  info(fields: LogFields, msg: string) {
    this.lines.push({ level: 'info', fields, msg });
  }
  warn(fields: LogFields, msg: string) {
    this.lines.push({ level: 'warn', fields, msg });
  }
  error(fields: LogFields, msg: string) {
    this.lines.push({ level: 'error', fields, msg });
  }
  find(msg: string, destination?: string) {
    return this.lines.filter((l) => l.msg === msg && (!destination || l.fields.destination === destination));
  }
}

async function openStore(file?: string): Promise<{ store: Store; file: string }> {
  let path = file;
  if (!path) {
    const dir = tempDir('localconnect-outbox-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    path = join(dir, 'localconnect.db');
  }
  const store = await openSqliteStore(path);
  cleanups.push(() => store.close());
  return { store, file: path };
}

const own = { profile: PROFILE, files: [] as string[] };

function startWorker(
  store: Store,
  opts: { sns: string; s3?: string; clock?: Clock; log?: Log; owner?: string } & Partial<OutboxWorkerOptions>,
) {
  const publisher = new SnsTopicPublisher({
    endpoint: opts.sns,
    region: MOTO_REGION,
    own,
    connectTimeoutMs: 1_000,
  });
  const sink = new S3ObjectSink({
    endpoint: opts.s3 ?? opts.sns,
    region: MOTO_REGION,
    own,
    connectTimeoutMs: 1_000,
  });
  const log = opts.log ?? new MemoryLog();
  const worker = new OutboxWorker({
    store,
    clock: systemClock,
    log,
    owner: 'node-a',
    deliverer: new DelivererByScheme({ sns: new TopicDeliverer(publisher), s3: new ObjectDeliverer(sink) }),
    metrics: new DeliveryMetrics(new Registry()),
    maxAgeMs: 24 * 3_600_000,
    backoff: { baseMs: 50, capMs: 500 },
    pollMs: 200,
    ...opts,
  });
  worker.start();
  cleanups.push(async () => {
    await worker.close();
    publisher.close();
    sink.close();
  });
  return worker;
}

function snsEntry(clock: Clock, topicArn: string, orderKey: string, n: number): OutboxEntry {
  const id = `${orderKey}-${n}-${topicArn.slice(-6)}`;
  return {
    id,
    destination: `sns:${topicArn}`,
    orderKey,
    payload: {
      topicArn,
      message: JSON.stringify({ Id: id, ContactId: orderKey, n }),
      attributes: { ContactId: orderKey },
    },
    createdAt: clock.now(),
    notBefore: clock.now(),
  };
}

/** Adds the entries in one transaction, waking the workers once it commits. */
async function add(store: Store, workers: OutboxWorker[], entries: OutboxEntry[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const e of entries) assert.equal(await tx.outbox.add(e), true);
    tx.onCommit(() => workers.forEach((w) => w.nudge()));
  });
}

/** Each orderKey's messages, n 0..count-1 in order, each once. */
function assertInOrder(got: SnsEnvelope[], keys: string[], count: number): void {
  const byKey = new Map<string, number[]>();
  for (const e of got) {
    const { ContactId, n } = JSON.parse(e.Message) as { ContactId: string; n: number };
    byKey.set(ContactId, [...(byKey.get(ContactId) ?? []), n]);
  }
  const expected = [...Array(count).keys()];
  for (const key of keys) assert.deepEqual(byKey.get(key), expected, `orderKey ${key}`);
  assert.equal(got.length, keys.length * count, `messages: ${got.length}`);
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const backlog = (store: Store) => store.transaction((tx) => tx.outbox.stats(Date.now()));

test('entries for two topics arrive at their subscribers once each, in order per orderKey', async () => {
  const { store } = await openStore();
  const worker = startWorker(store, { sns: moto.endpoint });
  const topics = [await createTopic(peer, 'orders-a'), await createTopic(peer, 'orders-b')];
  const queues = [
    await subscribeQueue(peer, topics[0], 'orders-a-q'),
    await subscribeQueue(peer, topics[1], 'orders-b-q'),
  ];
  const keys = ['contact-1', 'contact-2', 'contact-3'];
  for (let n = 0; n < 6; n++)
    await add(
      store,
      [worker],
      topics.flatMap((t) => keys.map((k) => snsEntry(systemClock, t, k, n))),
    );
  for (const queue of queues) assertInOrder(await receiveAll(peer, queue, keys.length * 6), keys, 6);
  assert.deepEqual(await backlog(store), []);
});

test('a peer that goes down gets everything in order once it is back; another destination goes on meanwhile', async () => {
  const down = await startMoto();
  cleanups.push(() => down.stop());
  const downPeer = motoClients(down.endpoint);
  const topicArn = await createTopic(downPeer, 'while-down');
  await subscribeQueue(downPeer, topicArn, 'while-down-q');
  await createBucket(peer, 'transcripts');
  const { store } = await openStore();
  // The clock stands still while the peer is down, so no retry comes before the test lets it.
  const clock = new ManualClock(Date.now());
  const log = new MemoryLog();
  const worker = startWorker(store, {
    sns: down.endpoint,
    s3: moto.endpoint,
    clock,
    log,
    random: () => 0.5,
    reportMs: 300,
  });
  const destination = `sns:${topicArn}`;
  await down.stop();

  const keys = ['c-1', 'c-2', 'c-3'];
  for (let n = 0; n < 4; n++)
    await add(
      store,
      [worker],
      keys.map((k) => snsEntry(clock, topicArn, k, n)),
    );
  await until(
    'the topic failing',
    () => log.find('outbox destination failing; retrying with backoff', destination).length > 0,
  );

  const object = (n: number): OutboxEntry => ({
    id: `transcript-${n}`,
    destination: `s3:transcripts/chat-${n}.json`,
    orderKey: `c-${n}`,
    payload: {
      bucket: 'transcripts',
      key: `chat-${n}.json`,
      body: `{"n":${n}}`,
      contentType: 'application/json',
    },
    createdAt: clock.now(),
    notBefore: clock.now(),
  });
  await add(store, [worker], [object(1), object(2)]);
  await until('the objects while the topic is down', async () => {
    try {
      await getObject(peer, 'transcripts', 'chat-1.json');
      await getObject(peer, 'transcripts', 'chat-2.json');
      return true;
    } catch {
      return false;
    }
  });
  assert.equal((await getObject(peer, 'transcripts', 'chat-2.json')).body.toString(), '{"n":2}');
  // Paused: entries of a new contact added meanwhile are not even tried until its backoff ends.
  await add(
    store,
    [worker],
    [0, 1, 2, 3].map((n) => snsEntry(clock, topicArn, 'c-4', n)),
  );
  keys.push('c-4');
  const reported = () => log.find('outbox', destination);
  await until('a report of the backlog', () =>
    log.find('outbox', destination).some((l) => l.fields.backlog === 16),
  );
  const tries = reported().reduce((sum, l) => sum + (l.fields.failed as number), 0);
  assert.equal(tries, 3, 'one try per contact whose entry was claimed before the topic failed');

  const back = await startMoto({ port: down.port });
  cleanups.push(() => back.stop());
  const backPeer = motoClients(back.endpoint);
  assert.equal(await createTopic(backPeer, 'while-down'), topicArn);
  const queue = await subscribeQueue(backPeer, topicArn, 'while-down-q');
  clock.advance(10 * 60_000);
  assertInOrder(await receiveAll(backPeer, queue, 16), keys, 4);
  await until(
    'the topic recovering',
    () => log.find('outbox destination delivering again', destination).length > 0,
  );
  assert.deepEqual(log.find('outbox entry dropped'), []);
  assert.deepEqual(await backlog(store), []);
});

test('a refused entry, and one older than the maximum age, are dropped with a warn line', async () => {
  const { store } = await openStore();
  const clock = new ManualClock(Date.now());
  const log = new MemoryLog();
  const dead = `http://127.0.0.1:${await freePort()}`;
  const worker = startWorker(store, { sns: moto.endpoint, s3: dead, clock, log, maxAgeMs: 24 * 3_600_000 });

  const missingArn = 'arn:aws:sns:us-east-1:123456789012:no-such-topic';
  const refused = snsEntry(clock, missingArn, 'c-refused', 0);
  await add(store, [worker], [refused]);
  await until('the refused entry dropped', () => log.find('outbox entry dropped').length === 1);
  const [line] = log.find('outbox entry dropped');
  assert.equal(line.level, 'warn');
  assert.equal(line.fields.id, refused.id);
  assert.equal(line.fields.destination, `sns:${missingArn}`);
  assert.equal(line.fields.reason, 'refused');
  assert.equal(typeof line.fields.ageMs, 'number');
  assert.match(String(line.fields.error), /NotFound/);
  assert.ok(!JSON.stringify(log.lines).includes('"n":0'), 'the payload is not logged');

  const old: OutboxEntry = {
    id: 'transcript-old',
    destination: 's3:nowhere/old.json',
    orderKey: 'c-old',
    payload: {
      bucket: 'nowhere',
      key: 'old.json',
      body: 'secret transcript',
      contentType: 'application/json',
    },
    createdAt: clock.now(),
    notBefore: clock.now(),
  };
  await add(store, [worker], [old]);
  await until(
    'the unreachable bucket failing',
    () => log.find('outbox destination failing; retrying with backoff', 's3:nowhere/old.json').length > 0,
  );
  assert.equal(log.find('outbox entry dropped').length, 1, 'young entries are retried, not dropped');
  clock.advance(25 * 3_600_000);
  await until('the old entry dropped', () => log.find('outbox entry dropped').length === 2);
  const aged = log.find('outbox entry dropped')[1];
  assert.equal(aged.fields.id, 'transcript-old');
  assert.equal(aged.fields.destination, 's3:nowhere/old.json');
  assert.equal(aged.fields.reason, 'older than the maximum age');
  assert.ok((aged.fields.ageMs as number) >= 25 * 3_600_000);
  assert.match(String(aged.fields.error), /ECONNREFUSED/);
  assert.ok(!JSON.stringify(log.lines).includes('secret transcript'), 'the payload is not logged');
  assert.deepEqual(await store.transaction((tx) => tx.outbox.stats(clock.now())), []);
});

test('two workers on two stores over one database file deliver each entry once, in order', async () => {
  const first = await openStore();
  const second = await openStore(first.file);
  const topicArn = await createTopic(peer, 'shared');
  const queue = await subscribeQueue(peer, topicArn, 'shared-q');
  const workers = [
    startWorker(first.store, { sns: moto.endpoint, owner: 'node-a' }),
    startWorker(second.store, { sns: moto.endpoint, owner: 'node-b' }),
  ];
  const keys = ['k-1', 'k-2', 'k-3', 'k-4'];
  for (let n = 0; n < 8; n++)
    await add(
      n % 2 === 0 ? first.store : second.store,
      workers,
      keys.map((k) => snsEntry(systemClock, topicArn, k, n)),
    );
  assertInOrder(await receiveAll(peer, queue, keys.length * 8), keys, 8);
  assert.deepEqual(await backlog(first.store), []);
});
