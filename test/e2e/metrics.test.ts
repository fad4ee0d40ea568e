/**
 * GET /metrics on a real node: refused without the bearer token generated in the data dir (or
 * with another), and with it the outbox's figures per destination: deliveries to a live SNS
 * peer (moto_server), failures and the backlog of an S3 that is down, the oldest entry's age.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openSqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import type { OutboxEntry } from '../../src/ports/store.ts';
import { startTestNode, type TestNode } from '../support/node.ts';
import {
  createTopic,
  freePort,
  motoClients,
  receiveAll,
  startMoto,
  subscribeQueue,
  type Moto,
} from '../support/moto.ts';

process.env.AWS_ACCESS_KEY_ID = 'AKIDCONFIGURED';
process.env.AWS_SECRET_ACCESS_KEY = 'configured-secret';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
delete process.env.AWS_PROFILE;
delete process.env.AWS_REGION;

let moto: Moto;
let node: TestNode;

before(async () => {
  moto = await startMoto();
  node = await startTestNode([
    '--sns-endpoint',
    moto.endpoint,
    '--s3-endpoint',
    `http://127.0.0.1:${await freePort()}`,
  ]);
});

after(async () => {
  await node?.close();
  await moto?.stop();
});

const scrape = (authorization?: string) =>
  fetch(`${node.url}/metrics`, { headers: authorization ? { authorization } : {} });

test('/metrics needs the bearer token and shows the outbox per destination', async () => {
  const tokenFile = join(node.dataDir, 'metrics-token');
  assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
  const token = readFileSync(tokenFile, 'utf8').trim();
  assert.ok(token.length >= 32);

  for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${token}`, token]) {
    const res = await scrape(authorization);
    assert.equal(res.status, 401, `with ${authorization}`);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.ok(!(await res.text()).includes('localconnect_outbox'));
  }

  const peer = motoClients(moto.endpoint);
  const topicArn = await createTopic(peer, 'metrics-stream');
  const queue = await subscribeQueue(peer, topicArn, 'metrics-q');
  // Entries as the node's own transactions add them, through a second store on its file.
  const store = await openSqliteStore(join(node.dataDir, 'localconnect.db'));
  const now = Date.now();
  const entry = (id: string, destination: string, payload: Record<string, unknown>): OutboxEntry => ({
    id,
    destination,
    orderKey: 'contact-1',
    payload,
    createdAt: now,
    notBefore: now,
  });
  try {
    await store.transaction(async (tx) => {
      for (let n = 0; n < 3; n++)
        await tx.outbox.add(
          entry(`item-${n}`, `sns:${topicArn}`, { topicArn, message: `{"n":${n}}`, attributes: {} }),
        );
      for (const key of ['a.json', 'b.json'])
        await tx.outbox.add(
          entry(`object-${key}`, `s3:transcripts/${key}`, {
            bucket: 'transcripts',
            key,
            body: '{}',
            contentType: 'application/json',
          }),
        );
    });
  } finally {
    await store.close();
  }
  assert.equal((await receiveAll(peer, queue, 3)).length, 3);

  const sns = `destination="sns:${topicArn}"`;
  const s3 = 'destination="s3:transcripts"';
  let text = '';
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await scrape(`Bearer ${token}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    text = await res.text();
    if (text.includes(`localconnect_outbox_failures_total{${s3}}`)) break;
    if (Date.now() > deadline) assert.fail(`no S3 failures in:\n${text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const value = (line: string) => {
    const found = text.split('\n').find((l) => l.startsWith(`${line} `));
    return found === undefined ? undefined : Number(found.slice(line.length + 1));
  };
  assert.equal(value(`localconnect_outbox_deliveries_total{${sns}}`), 3, text);
  assert.equal(value(`localconnect_outbox_backlog{${sns}}`), undefined, text);
  assert.equal(value(`localconnect_outbox_backlog{${s3}}`), 2, text);
  assert.ok(value(`localconnect_outbox_failures_total{${s3}}`)! >= 1, text);
  assert.ok(value(`localconnect_outbox_oldest_age_seconds{${s3}}`)! >= 0, text);
  assert.equal(value(`localconnect_outbox_drops_total{${s3}}`), undefined, text);
});
