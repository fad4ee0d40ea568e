/**
 * The node's outbound sinks against a real SNS/SQS/S3 peer (moto_server): a chat item
 * published with Amazon Connect's streaming attributes reaches an SQS subscriber as the
 * standard SNS envelope; failures come back as SinkErrors the delivery worker can act on
 * (permanent for a refusal, retryable for a peer that is down or silent, within the timeouts);
 * an object put to S3 reads back byte for byte; and the clients ignore the profile, files and
 * generic endpoint the node writes and prints for its own clients.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { clientFiles, PROFILE, writeCredentialFiles } from '../../src/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import { S3ObjectSink } from '../../src/adapters/s3/s3-object-sink.ts';
import { SnsTopicPublisher } from '../../src/adapters/sns/sns-topic-publisher.ts';
import {
  outboundClientConfig,
  type OutboundOptions,
} from '../../src/adapters/aws-outbound/outbound-client.ts';
import { SinkError } from '../../src/ports/sink-error.ts';
import { tempDir } from '../support/node.ts';
import {
  createBucket,
  createTopic,
  freePort,
  getObject,
  MOTO_ACCOUNT_ID,
  MOTO_REGION,
  motoClients,
  receiveAll,
  startMoto,
  subscribeQueue,
  type Moto,
} from '../support/moto.ts';

// The server's configured credentials: the standard AWS variables (moto takes any key). No
// instance-metadata look-up: nothing here may leave the machine.
process.env.AWS_ACCESS_KEY_ID = 'AKIDCONFIGURED';
process.env.AWS_SECRET_ACCESS_KEY = 'configured-secret';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
delete process.env.AWS_PROFILE;
delete process.env.AWS_REGION;

let moto: Moto;
let peer: ReturnType<typeof motoClients>;
const own = { profile: PROFILE, files: [] as string[] };

before(async () => {
  moto = await startMoto();
  peer = motoClients(moto.endpoint);
});

after(async () => {
  await moto?.stop();
});

const options = (extra: Partial<OutboundOptions> = {}): OutboundOptions => ({
  endpoint: moto.endpoint,
  region: MOTO_REGION,
  own,
  ...extra,
});

/** A chat item as Amazon Connect streams it: Message is the item's JSON, plus its attributes. */
function chatItem(contactId: string, content: string) {
  const item = {
    AbsoluteTime: '2026-01-02T03:04:05.678Z',
    Content: content,
    ContentType: 'text/plain',
    Id: randomBytes(8).toString('hex'),
    Type: 'MESSAGE',
    ParticipantId: 'p-1',
    DisplayName: 'Customer',
    ParticipantRole: 'CUSTOMER',
    InitialContactId: contactId,
    ContactId: contactId,
  };
  return {
    message: JSON.stringify(item),
    attributes: {
      InitialContactId: contactId,
      ContactId: contactId,
      ParticipantRole: 'CUSTOMER',
      InstanceId: 'instance-1',
      AccountId: MOTO_ACCOUNT_ID,
      Type: 'MESSAGE',
      ContentType: 'text/plain',
      MessageVisibility: 'ALL',
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<SinkError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SinkError, `expected a SinkError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

test('a published chat item reaches an SQS subscriber as the SNS envelope, Message and attributes as sent', async () => {
  const topicArn = await createTopic(peer, 'chat-stream');
  const queueUrl = await subscribeQueue(peer, topicArn, 'chat-consumer');
  const publisher = new SnsTopicPublisher(options());
  try {
    const first = chatItem('contact-1', 'Hello, ünïcode & <xml>');
    const second = chatItem('contact-1', 'second');
    const a = await publisher.publish({ topicArn, ...first });
    const b = await publisher.publish({ topicArn, ...second });
    const got = await receiveAll(peer, queueUrl, 2);
    assert.equal(got.length, 2, JSON.stringify(got));
    const byId = new Map(got.map((e) => [e.MessageId, e]));
    for (const [sent, { messageId }] of [
      [first, a],
      [second, b],
    ] as const) {
      const envelope = byId.get(messageId);
      assert.ok(envelope, `message ${messageId} not received: ${JSON.stringify(got)}`);
      assert.equal(envelope.Type, 'Notification');
      assert.equal(envelope.TopicArn, topicArn);
      assert.equal(envelope.Message, sent.message);
      assert.deepEqual(
        envelope.MessageAttributes,
        Object.fromEntries(
          Object.entries(sent.attributes).map(([k, v]) => [k, { Type: 'String', Value: v }]),
        ),
      );
    }
  } finally {
    publisher.close();
  }
});

test('a topic that does not exist, or a FIFO topic, is a permanent error', async () => {
  const publisher = new SnsTopicPublisher(options());
  try {
    const missing = await rejection(
      publisher.publish({
        topicArn: `arn:aws:sns:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:no-such-topic`,
        ...chatItem('c', 'x'),
      }),
    );
    assert.equal(missing.retryable, false, missing.message);
    assert.equal(missing.code, 'NotFoundException', missing.message);
    assert.equal(missing.status, 404);

    const fifoArn = await createTopic(peer, 'chat-stream.fifo', true);
    const fifo = await rejection(publisher.publish({ topicArn: fifoArn, ...chatItem('c', 'x') }));
    assert.equal(fifo.retryable, false, fifo.message);
    assert.equal(fifo.status, 400, fifo.message);
  } finally {
    publisher.close();
  }
});

test('a stopped peer is a retryable error, well within the timeouts', async () => {
  const gone = await startMoto();
  const c = motoClients(gone.endpoint);
  const topicArn = await createTopic(c, 'soon-gone');
  const publisher = new SnsTopicPublisher(options({ endpoint: gone.endpoint, connectTimeoutMs: 1_000 }));
  const sink = new S3ObjectSink(options({ endpoint: gone.endpoint, connectTimeoutMs: 1_000 }));
  try {
    await publisher.publish({ topicArn, ...chatItem('c', 'while up') });
    await gone.stop();
    const started = Date.now();
    const err = await rejection(publisher.publish({ topicArn, ...chatItem('c', 'while down') }));
    const s3err = await rejection(
      sink.put({ bucket: 'any-bucket', key: 'k', body: 'x', contentType: 'text/plain' }),
    );
    const elapsed = Date.now() - started;
    assert.equal(err.retryable, true, err.message);
    assert.equal(err.status, undefined);
    assert.equal(err.code, 'ECONNREFUSED', err.message);
    assert.equal(s3err.retryable, true, s3err.message);
    assert.ok(elapsed < 8_000, `took ${elapsed} ms`);
  } finally {
    publisher.close();
    sink.close();
    await gone.stop();
  }
});

test('a peer that accepts the connection and never answers is a retryable timeout', async () => {
  const sockets = new Set<Socket>();
  const silent = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const { port } = silent.address() as { port: number };
  const publisher = new SnsTopicPublisher(
    options({ endpoint: `http://127.0.0.1:${port}`, requestTimeoutMs: 1_000 }),
  );
  try {
    const started = Date.now();
    const err = await rejection(
      publisher.publish({
        topicArn: `arn:aws:sns:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:t`,
        ...chatItem('c', 'x'),
      }),
    );
    const elapsed = Date.now() - started;
    assert.equal(err.retryable, true, err.message);
    assert.equal(err.status, undefined);
    // Two tries of a second each, and the SDK's backoff between them; far from unbounded.
    assert.ok(elapsed >= 1_000 && elapsed < 10_000, `took ${elapsed} ms`);
    assert.ok(sockets.size >= 1 && sockets.size <= 2, `${sockets.size} connections`);
  } finally {
    publisher.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  }
});

test('an object put to S3 reads back with the same bytes and content type; a missing bucket is permanent', async () => {
  await createBucket(peer, 'transcripts');
  const sink = new S3ObjectSink(options());
  try {
    const body = Buffer.concat([randomBytes(70_000), Buffer.from([0, 0xff, 0xfe])]);
    await sink.put({
      bucket: 'transcripts',
      key: 'connect/c-1/transcript.bin',
      body,
      contentType: 'application/x-custom',
    });
    const json = '{"Transcript":[{"Content":"héllo"}]}';
    await sink.put({ bucket: 'transcripts', key: 'a b/ü.json', body: json, contentType: 'application/json' });

    const bin = await getObject(peer, 'transcripts', 'connect/c-1/transcript.bin');
    assert.ok(bin.body.equals(body), 'bytes differ');
    assert.equal(bin.contentType, 'application/x-custom');
    const text = await getObject(peer, 'transcripts', 'a b/ü.json');
    assert.equal(text.body.toString('utf8'), json);
    assert.equal(text.contentType, 'application/json');

    const err = await rejection(
      sink.put({ bucket: 'no-such-bucket', key: 'k', body: 'x', contentType: 'text/plain' }),
    );
    assert.equal(err.retryable, false, err.message);
    assert.equal(err.code, 'NoSuchBucket', err.message);
  } finally {
    sink.close();
  }
});

test('the localconnect profile, its files and AWS_ENDPOINT_URL in the environment are not used by the outbound clients', async () => {
  // What a developer's shell has after pasting the lines the node prints for its clients: the
  // node's own files and profile (its key, its region, endpoint_url = the node itself, here a
  // port nothing answers on), plus AWS_ENDPOINT_URL at the node.
  const dataDir = tempDir();
  const files = clientFiles(dataDir);
  const deadPort = await freePort();
  const nodeUrl = `http://127.0.0.1:${deadPort}`;
  writeCredentialFiles({ ...files, adminPassword: '' }, nodeUrl, 'eu-west-3', {
    accessKeyId: 'LKIANODESOWNKEY',
    secretAccessKey: 'node-secret',
  });
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_PROFILE: PROFILE,
    AWS_SHARED_CREDENTIALS_FILE: files.credentials,
    AWS_CONFIG_FILE: files.config,
    AWS_ENDPOINT_URL: nodeUrl,
    AWS_ENDPOINT_URL_SNS: moto.endpoint,
  });
  const config = loadConfig(['--data-dir', dataDir, '--region', MOTO_REGION], process.env);
  const outbound: OutboundOptions = {
    endpoint: config.snsEndpoint,
    region: config.region,
    own: { profile: PROFILE, files: Object.values(files) },
  };
  const publisher = new SnsTopicPublisher(outbound);
  try {
    assert.equal(config.snsEndpoint, moto.endpoint);
    assert.equal(config.s3Endpoint, undefined, 'AWS_ENDPOINT_URL alone names no S3 endpoint');
    const resolved = outboundClientConfig(outbound);
    assert.equal((await resolved.credentials()).accessKeyId, 'AKIDCONFIGURED');
    assert.equal(await resolved.region(), MOTO_REGION);

    const topicArn = await createTopic(peer, 'isolated');
    const queueUrl = await subscribeQueue(peer, topicArn, 'isolated-consumer');
    const sent = chatItem('contact-2', 'through the configured credentials');
    const { messageId } = await publisher.publish({ topicArn, ...sent });
    const got = await receiveAll(peer, queueUrl, 1);
    assert.deepEqual(
      got.map((e) => [e.MessageId, e.Message]),
      [[messageId, sent.message]],
    );
  } finally {
    publisher.close();
    rmSync(dataDir, { recursive: true, force: true });
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
});
