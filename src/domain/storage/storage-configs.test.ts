import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { testInstance } from '../../ports/store.fixtures.ts';
import { openSqliteStore } from '../../adapters/store/sqlite/sqlite-store.ts';
import { ManualClock } from '../../ports/clock.ts';
import { randomIds } from '../../ports/ids.ts';
import type { Store } from '../../ports/store.ts';
import { ResourceService } from '../resources/resource-service.ts';
import { StorageConfigs, s3StorageFor } from './storage-configs.ts';

const instance = testInstance('instance-1');
let store: Store;
let configs: StorageConfigs;

beforeEach(async () => {
  store = await openSqliteStore(':memory:');
  const clock = new ManualClock();
  configs = new StorageConfigs(new ResourceService(clock, randomIds), clock);
  await store.transaction((tx) => tx.instances.insert(instance));
});
afterEach(() => store.close());

const s3 = (BucketName: string, BucketPrefix: string) => ({
  StorageType: 'S3' as const,
  S3Config: { BucketName, BucketPrefix },
});

describe('s3StorageFor', () => {
  it('answers the S3 destination of the resource type while it is associated, and nothing after', async () => {
    const chats = await store.transaction((tx) =>
      configs.associate(tx, instance, {
        ResourceType: 'CHAT_TRANSCRIPTS',
        StorageConfig: s3('chats', 'connect/x/ChatTranscripts'),
      }),
    );
    await store.transaction((tx) =>
      configs.associate(tx, instance, { ResourceType: 'CALL_RECORDINGS', StorageConfig: s3('calls', 'rec') }),
    );
    const query = () =>
      store.transaction(async (tx) => ({
        chats: await s3StorageFor(tx, instance.id, 'CHAT_TRANSCRIPTS'),
        calls: await s3StorageFor(tx, instance.id, 'CALL_RECORDINGS'),
        elsewhere: await s3StorageFor(tx, 'another-instance', 'CHAT_TRANSCRIPTS'),
      }));
    assert.deepEqual(await query(), {
      chats: { BucketName: 'chats', BucketPrefix: 'connect/x/ChatTranscripts' },
      calls: { BucketName: 'calls', BucketPrefix: 'rec' },
      elsewhere: undefined,
    });

    await store.transaction((tx) =>
      configs.update(tx, instance, chats, 'CHAT_TRANSCRIPTS', {
        StorageType: 'S3',
        S3Config: {
          BucketName: 'chats-2',
          BucketPrefix: 'p',
          EncryptionConfig: { EncryptionType: 'KMS', KeyId: 'arn:aws:kms:us-east-1:111111111111:key/k1' },
        },
      }),
    );
    assert.deepEqual((await query()).chats, {
      BucketName: 'chats-2',
      BucketPrefix: 'p',
      EncryptionConfig: { EncryptionType: 'KMS', KeyId: 'arn:aws:kms:us-east-1:111111111111:key/k1' },
    });

    await store.transaction((tx) =>
      configs.disassociate(tx, instance, { AssociationId: chats, ResourceType: 'CHAT_TRANSCRIPTS' }),
    );
    assert.equal((await query()).chats, undefined);
    assert.deepEqual((await query()).calls, { BucketName: 'calls', BucketPrefix: 'rec' });
  });
});
