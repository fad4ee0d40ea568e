/**
 * Chat transcripts through a real node and a real S3 peer (moto_server): once an instance has a
 * CHAT_TRANSCRIPTS storage config (AssociateInstanceStorageConfig with the AWS SDK), an ended
 * chat's transcript lands in that bucket under the config's prefix, in Amazon Connect's key
 * layout and file format, and not under the data dir; a node killed with SIGKILL after the
 * chat ended, while S3 was down, delivers it once S3 and the node are back.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import {
  AssociateInstanceStorageConfigCommand,
  DescribeContactCommand,
  DisassociateInstanceStorageConfigCommand,
  StartChatContactCommand,
} from '@aws-sdk/client-connect';
import {
  ConnectParticipantClient,
  CreateParticipantConnectionCommand,
  DisconnectParticipantCommand,
  SendMessageCommand,
} from '@aws-sdk/client-connectparticipant';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { spawnNode, startTestNode, tempDir, type TestNode } from '../support/node.ts';
import { createBucket, freePort, getObject, motoClients, startMoto, type Moto } from '../support/moto.ts';

// The node's S3 client signs with these (moto takes any key).
process.env.AWS_ACCESS_KEY_ID = 'AKIDCONFIGURED';
process.env.AWS_SECRET_ACCESS_KEY = 'configured-secret';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
delete process.env.AWS_PROFILE;
delete process.env.AWS_REGION;

const EVENT = 'application/vnd.amazonaws.connect.event.';

let moto: Moto;
let peer: ReturnType<typeof motoClients>;

before(async () => {
  moto = await startMoto();
  peer = motoClients(moto.endpoint);
});

after(async () => {
  await moto?.stop();
});

/** Amazon Connect's key of a transcript: the prefix, then the contact's initiation date and minute (UTC). */
function expectedKey(prefix: string, contactId: string, initiated: Date): string {
  const t = initiated.toISOString();
  const [y, m, d, hm] = [t.slice(0, 4), t.slice(5, 7), t.slice(8, 10), t.slice(11, 16)];
  return `${prefix}/${y}/${m}/${d}/${contactId}_${y}${m}${d}T${hm}_UTC.json`;
}

const associate = (node: TestNode, BucketName: string, BucketPrefix: string) =>
  node.connect().send(
    new AssociateInstanceStorageConfigCommand({
      InstanceId: node.instanceId,
      ResourceType: 'CHAT_TRANSCRIPTS',
      StorageConfig: { StorageType: 'S3', S3Config: { BucketName, BucketPrefix } },
    }),
  );

/** A chat in which the customer says each of `messages`, then leaves (which ends it). */
async function chatAndLeave(
  node: TestNode,
  messages: string[],
): Promise<{ contactId: string; participantId: string; initiated: Date }> {
  const chat = await node.connect().send(
    new StartChatContactCommand({
      InstanceId: node.instanceId,
      ContactFlowId: node.flowId,
      ParticipantDetails: { DisplayName: 'Jane' },
    }),
  );
  const participant = new ConnectParticipantClient({
    endpoint: node.url,
    region: node.region,
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    maxAttempts: 1,
  });
  try {
    const conn = await participant.send(
      new CreateParticipantConnectionCommand({
        ParticipantToken: chat.ParticipantToken,
        Type: ['CONNECTION_CREDENTIALS'],
      }),
    );
    const ConnectionToken = conn.ConnectionCredentials!.ConnectionToken!;
    for (const Content of messages) {
      await participant.send(new SendMessageCommand({ ConnectionToken, ContentType: 'text/plain', Content }));
    }
    await participant.send(new DisconnectParticipantCommand({ ConnectionToken }));
  } finally {
    participant.destroy();
  }
  const { Contact } = await node
    .connect()
    .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: chat.ContactId }));
  assert.equal(Contact!.DisconnectReason, 'CUSTOMER_DISCONNECT');
  return {
    contactId: chat.ContactId!,
    participantId: chat.ParticipantId!,
    initiated: Contact!.InitiationTimestamp!,
  };
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function keysUnder(bucket: string, prefix: string): Promise<string[]> {
  const out = await peer.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

/** Files of the data dir's BlobStore whose name names the contact. */
function blobsOf(dataDir: string, contactId: string): string[] {
  const dir = join(dataDir, 'blobs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes(contactId));
}

test('with a CHAT_TRANSCRIPTS storage config, an ended chat is stored in its bucket under its prefix', async () => {
  const node = await startTestNode(['--s3-endpoint', moto.endpoint]);
  try {
    await createBucket(peer, 'transcripts-shop');
    const prefix = 'connect/shop/ChatTranscripts';
    const { AssociationId } = await associate(node, 'transcripts-shop', prefix);
    // A long chat: the transcript is one object of a few hundred kilobytes.
    const said = Array.from({ length: 150 }, (_, n) => `${n}: ${'x'.repeat(1000)}`.slice(0, 1024));
    const chat = await chatAndLeave(node, said);

    const key = expectedKey(prefix, chat.contactId, chat.initiated);
    const keys = await eventually('the transcript in the bucket', async () => {
      const found = await keysUnder('transcripts-shop', `${prefix}/`);
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(keys, [key]);
    const { body, contentType } = await getObject(peer, 'transcripts-shop', key);
    assert.equal(contentType, 'application/json');
    assert.ok(body.length > 150_000, `${body.length} bytes`);
    const transcript = JSON.parse(body.toString('utf8'));
    assert.equal(transcript.Version, '2019-08-26');
    assert.match(transcript.AWSAccountId, /^\d{12}$/);
    assert.equal(transcript.InstanceId, node.instanceId);
    assert.equal(transcript.InitialContactId, chat.contactId);
    assert.equal(transcript.ContactId, chat.contactId);
    assert.deepEqual(transcript.Participants, [{ ParticipantId: chat.participantId }]);
    const items = transcript.Transcript as { Type: string; ContentType: string; Content?: string }[];
    assert.deepEqual(
      items.filter((i) => i.Type === 'MESSAGE' && i.Content?.includes('xxx')).map((i) => i.Content),
      said,
    );
    assert.equal(items.at(-2)!.ContentType, `${EVENT}participant.left`);
    assert.equal(items.at(-1)!.ContentType, `${EVENT}chat.ended`);
    assert.deepEqual(blobsOf(node.dataDir, chat.contactId), [], 'written under the data dir too');

    // Without the config again, the next chat's transcript stays under the data dir.
    await node.connect().send(
      new DisassociateInstanceStorageConfigCommand({
        InstanceId: node.instanceId,
        AssociationId,
        ResourceType: 'CHAT_TRANSCRIPTS',
      }),
    );
    const local = await chatAndLeave(node, ['hello']);
    const files = await eventually('the transcript under the data dir', async () => {
      const found = blobsOf(node.dataDir, local.contactId).filter((f) => f.endsWith('.json'));
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(files, [
      expectedKey(`connect/${node.instanceId}/ChatTranscripts`, local.contactId, local.initiated),
    ]);
    assert.deepEqual(await keysUnder('transcripts-shop', ''), [key]);
  } finally {
    await node.close();
  }
});

test('a transcript whose chat ended while S3 was down survives kill -9 and lands once S3 is back', async () => {
  const dataDir = tempDir();
  const port = await freePort();
  const args = ['--s3-endpoint', `http://127.0.0.1:${port}`];
  let s3: Moto | undefined;
  const first = await spawnNode(args, { dataDir });
  try {
    const prefix = 'connect/crash/ChatTranscripts';
    await associate(first, 'transcripts-crash', prefix);
    const chat = await chatAndLeave(first, ['before the crash']);
    // The chat has ended and the node has tried the upload, in vain: nothing answers at the port.
    const db = new DatabaseSync(join(dataDir, 'localconnect.db'), { readOnly: true });
    try {
      await eventually('a failed upload', async () => {
        const row = db
          .prepare('SELECT attempts FROM outbox WHERE destination = ?')
          .get(`s3:transcripts-crash/${expectedKey(prefix, chat.contactId, chat.initiated)}`);
        return row && (row.attempts as number) > 0 ? true : undefined;
      });
    } finally {
      db.close();
    }
    first.child.kill('SIGKILL');
    assert.equal(await first.exited, 'SIGKILL');

    s3 = await startMoto({ port });
    const clients = motoClients(s3.endpoint);
    await createBucket(clients, 'transcripts-crash');
    const second = await spawnNode(args, { dataDir });
    try {
      const key = expectedKey(prefix, chat.contactId, chat.initiated);
      const { body } = await eventually(
        'the transcript after the restart',
        () => getObject(clients, 'transcripts-crash', key),
        60_000,
      );
      const transcript = JSON.parse(body.toString('utf8'));
      assert.equal(transcript.ContactId, chat.contactId);
      const items = transcript.Transcript as { ContentType: string; Content?: string }[];
      assert.ok(items.some((i) => i.Content === 'before the crash'));
      assert.equal(items.at(-1)!.ContentType, `${EVENT}chat.ended`);
      clients.s3.destroy();
    } finally {
      await second.close();
    }
  } finally {
    await first.close();
    await s3?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
