/**
 * Instance storage configs through the AWS SDK for JavaScript v3: Associate, Describe, List,
 * Update and Disassociate InstanceStorageConfig for chat transcripts and call recordings in
 * S3, and every way a request can be refused. Each test works in an instance of its own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AssociateInstanceStorageConfigCommand,
  CreateInstanceCommand,
  DescribeInstanceCommand,
  DescribeInstanceStorageConfigCommand,
  DisassociateInstanceStorageConfigCommand,
  ListInstanceStorageConfigsCommand,
  UpdateInstanceStorageConfigCommand,
  type ConnectClient,
  type InstanceStorageConfig,
  type InstanceStorageResourceType,
} from '@aws-sdk/client-connect';
import { startTestNode, type TestNode } from '../support/node.ts';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const s3 = (BucketName: string, BucketPrefix: string, KeyId?: string): InstanceStorageConfig => ({
  StorageType: 'S3',
  S3Config: {
    BucketName,
    BucketPrefix,
    ...(KeyId && { EncryptionConfig: { EncryptionType: 'KMS', KeyId } }),
  },
});

/** Asserts the call fails with this modelled error and HTTP status. */
async function refused(
  call: Promise<unknown>,
  name: string,
  status: number,
  message?: RegExp,
): Promise<void> {
  await assert.rejects(call, (err: any) => {
    assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
    assert.equal(err.$metadata?.httpStatusCode, status);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('instance storage configs with @aws-sdk/client-connect', () => {
  let node: TestNode;
  let connect: ConnectClient;
  let instances = 0;
  before(async () => {
    node = await startTestNode();
    connect = node.connect();
  });
  after(() => node.close());

  async function newInstance(): Promise<string> {
    const out = await connect.send(
      new CreateInstanceCommand({
        InstanceAlias: `storage-${process.pid}-${++instances}`,
        IdentityManagementType: 'CONNECT_MANAGED',
        InboundCallsEnabled: true,
        OutboundCallsEnabled: true,
      }),
    );
    return out.Id!;
  }

  const associate = (
    InstanceId: string,
    ResourceType: InstanceStorageResourceType | string,
    StorageConfig: InstanceStorageConfig,
    ClientToken?: string,
  ) =>
    connect.send(
      new AssociateInstanceStorageConfigCommand({
        InstanceId,
        ResourceType: ResourceType as InstanceStorageResourceType,
        StorageConfig,
        ClientToken,
      }),
    );
  const describeConfig = (
    InstanceId: string,
    AssociationId: string,
    ResourceType: InstanceStorageResourceType,
  ) => connect.send(new DescribeInstanceStorageConfigCommand({ InstanceId, AssociationId, ResourceType }));
  const list = (InstanceId: string, ResourceType: InstanceStorageResourceType, extra = {}) =>
    connect.send(new ListInstanceStorageConfigsCommand({ InstanceId, ResourceType, ...extra }));

  test('associate, describe and list a chat transcript bucket and a call recording bucket', async () => {
    const instanceId = await newInstance();
    const chats = await associate(
      instanceId,
      'CHAT_TRANSCRIPTS',
      s3('amazon-connect-abc123', 'connect/shop/ChatTranscripts', KEY),
    );
    assert.equal(typeof chats.AssociationId, 'string');
    assert.ok(chats.AssociationId!.length > 0);
    const calls = await associate(instanceId, 'CALL_RECORDINGS', s3('recordings.example-1', 'calls'));
    assert.notEqual(calls.AssociationId, chats.AssociationId);

    const described = await describeConfig(instanceId, chats.AssociationId!, 'CHAT_TRANSCRIPTS');
    assert.deepEqual(described.StorageConfig, {
      AssociationId: chats.AssociationId,
      ...s3('amazon-connect-abc123', 'connect/shop/ChatTranscripts', KEY),
    });
    assert.deepEqual((await list(instanceId, 'CHAT_TRANSCRIPTS')).StorageConfigs, [described.StorageConfig]);
    const listed = await list(instanceId, 'CALL_RECORDINGS', { MaxResults: 1 });
    assert.deepEqual(listed.StorageConfigs, [
      { AssociationId: calls.AssociationId, ...s3('recordings.example-1', 'calls') },
    ]);
    assert.equal(listed.NextToken, undefined);
    assert.deepEqual((await list(instanceId, 'CONTACT_TRACE_RECORDS')).StorageConfigs, []);
    // An instance ARN works as InstanceId.
    const { Instance } = await connect.send(new DescribeInstanceCommand({ InstanceId: instanceId }));
    assert.deepEqual((await list(Instance!.Arn!, 'CHAT_TRANSCRIPTS')).StorageConfigs, [
      described.StorageConfig,
    ]);
  });

  test('a second association of the same resource type is ResourceConflictException; a repeated ClientToken is not', async () => {
    const instanceId = await newInstance();
    const token = 'storage-token-1';
    const first = await associate(instanceId, 'CHAT_TRANSCRIPTS', s3('bucket-one', 'p'), token);
    const again = await associate(instanceId, 'CHAT_TRANSCRIPTS', s3('bucket-one', 'p'), token);
    assert.equal(again.AssociationId, first.AssociationId);
    await refused(
      associate(instanceId, 'CHAT_TRANSCRIPTS', s3('bucket-two', 'p')),
      'ResourceConflictException',
      409,
      /CHAT_TRANSCRIPTS/,
    );
    await refused(
      associate(instanceId, 'CHAT_TRANSCRIPTS', s3('bucket-two', 'p'), token),
      'IdempotencyException',
      409,
    );
    assert.deepEqual((await list(instanceId, 'CHAT_TRANSCRIPTS')).StorageConfigs, [
      { AssociationId: first.AssociationId, ...s3('bucket-one', 'p') },
    ]);
  });

  test('update replaces the bucket, prefix and encryption; disassociate removes the association', async () => {
    const instanceId = await newInstance();
    const { AssociationId } = await associate(instanceId, 'CHAT_TRANSCRIPTS', s3('bucket-one', 'p', KEY));
    await connect.send(
      new UpdateInstanceStorageConfigCommand({
        InstanceId: instanceId,
        AssociationId,
        ResourceType: 'CHAT_TRANSCRIPTS',
        StorageConfig: s3('bucket-two', 'connect/other/ChatTranscripts'),
      }),
    );
    assert.deepEqual((await describeConfig(instanceId, AssociationId!, 'CHAT_TRANSCRIPTS')).StorageConfig, {
      AssociationId,
      ...s3('bucket-two', 'connect/other/ChatTranscripts'),
    });

    const disassociate = (ClientToken?: string) =>
      connect.send(
        new DisassociateInstanceStorageConfigCommand({
          InstanceId: instanceId,
          AssociationId,
          ResourceType: 'CHAT_TRANSCRIPTS',
          ClientToken,
        }),
      );
    await disassociate('storage-token-2');
    await disassociate('storage-token-2'); // a retry of the same request succeeds again
    await refused(disassociate(), 'ResourceNotFoundException', 404);
    await refused(
      describeConfig(instanceId, AssociationId!, 'CHAT_TRANSCRIPTS'),
      'ResourceNotFoundException',
      404,
    );
    assert.deepEqual((await list(instanceId, 'CHAT_TRANSCRIPTS')).StorageConfigs, []);

    const next = await associate(instanceId, 'CHAT_TRANSCRIPTS', s3('bucket-three', 'p'));
    assert.notEqual(next.AssociationId, AssociationId);
  });

  test('an unknown AssociationId, or one of another resource type, is ResourceNotFoundException', async () => {
    const instanceId = await newInstance();
    const { AssociationId } = await associate(instanceId, 'CALL_RECORDINGS', s3('calls', 'p'));
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const [id, type] of [
      [unknown, 'CALL_RECORDINGS'],
      [AssociationId!, 'CHAT_TRANSCRIPTS'],
    ] as const) {
      const ids = { InstanceId: instanceId, AssociationId: id, ResourceType: type };
      await refused(describeConfig(instanceId, id, type), 'ResourceNotFoundException', 404);
      await refused(
        connect.send(new UpdateInstanceStorageConfigCommand({ ...ids, StorageConfig: s3('calls', 'q') })),
        'ResourceNotFoundException',
        404,
      );
      await refused(
        connect.send(new DisassociateInstanceStorageConfigCommand(ids)),
        'ResourceNotFoundException',
        404,
      );
    }
    // Still there, unchanged.
    assert.deepEqual((await describeConfig(instanceId, AssociationId!, 'CALL_RECORDINGS')).StorageConfig, {
      AssociationId,
      ...s3('calls', 'p'),
    });
  });

  test('every operation in an unknown instance is ResourceNotFoundException', async () => {
    const InstanceId = '11111111-2222-4333-8444-555555555555';
    const ids = { InstanceId, AssociationId: 'a', ResourceType: 'CHAT_TRANSCRIPTS' as const };
    for (const call of [
      () => associate(InstanceId, 'CHAT_TRANSCRIPTS', s3('bucket', 'p')),
      () => describeConfig(InstanceId, 'a', 'CHAT_TRANSCRIPTS'),
      () => list(InstanceId, 'CHAT_TRANSCRIPTS'),
      () =>
        connect.send(new UpdateInstanceStorageConfigCommand({ ...ids, StorageConfig: s3('bucket', 'p') })),
      () => connect.send(new DisassociateInstanceStorageConfigCommand(ids)),
    ]) {
      await refused(call(), 'ResourceNotFoundException', 404, /Instance/);
    }
  });

  test('other resource types and storage types are InvalidRequestException', async () => {
    const instanceId = await newInstance();
    await refused(
      associate(instanceId, 'CONTACT_TRACE_RECORDS', s3('bucket', 'p')),
      'InvalidRequestException',
      400,
      /CONTACT_TRACE_RECORDS/,
    );
    await refused(
      associate(instanceId, 'CHAT_TRANSCRIPTS', {
        StorageType: 'KINESIS_STREAM',
        KinesisStreamConfig: { StreamArn: 'arn:aws:kinesis:us-east-1:111122223333:stream/s' },
      }),
      'InvalidRequestException',
      400,
      /KINESIS_STREAM/,
    );
    await refused(
      associate(instanceId, 'NOT_A_TYPE', s3('bucket', 'p')),
      'InvalidParameterException',
      400,
      /enum/,
    );
    const { AssociationId } = await associate(instanceId, 'CHAT_TRANSCRIPTS', s3('bucket', 'p'));
    await refused(
      connect.send(
        new UpdateInstanceStorageConfigCommand({
          InstanceId: instanceId,
          AssociationId,
          ResourceType: 'CHAT_TRANSCRIPTS',
          StorageConfig: { StorageType: 'KINESIS_FIREHOSE', KinesisFirehoseConfig: { FirehoseArn: 'arn:f' } },
        }),
      ),
      'InvalidRequestException',
      400,
    );
    assert.equal((await list(instanceId, 'CONTACT_TRACE_RECORDS')).StorageConfigs!.length, 0);
  });

  test('bucket names, S3Config and EncryptionConfig are checked', async () => {
    const instanceId = await newInstance();
    const bad: [string, InstanceStorageConfig, RegExp][] = [
      ['too short', s3('ab', 'p'), /3 to 63/],
      ['too long', s3('a'.repeat(64), 'p'), /3 to 63/],
      ['upper case', s3('My-Bucket', 'p'), /lowercase/],
      ['underscore', s3('my_bucket', 'p'), /lowercase/],
      ['leading hyphen', s3('-bucket', 'p'), /begins and ends/],
      ['trailing dot', s3('bucket.', 'p'), /begins and ends/],
      ['adjacent dots', s3('my..bucket', 'p'), /adjacent dots/],
      ['an IP address', s3('192.168.5.4', 'p'), /IP address/],
      ['reserved prefix', s3('xn--bucket', 'p'), /reserves/],
      ['no S3Config', { StorageType: 'S3' }, /S3Config/],
      [
        'another config beside S3Config',
        { ...s3('bucket', 'p'), KinesisStreamConfig: { StreamArn: 'arn:s' } },
        /KinesisStreamConfig/,
      ],
      ['a key id that is not an ARN', s3('bucket', 'p', '1234abcd-12ab-34cd-56ef-1234567890ab'), /full ARN/],
      ['an empty prefix', s3('bucket', ''), /bucketPrefix/i],
      ['no prefix', { StorageType: 'S3', S3Config: { BucketName: 'bucket' } as never }, /bucketPrefix/i],
      [
        'another encryption type',
        {
          StorageType: 'S3',
          S3Config: {
            BucketName: 'bucket',
            BucketPrefix: 'p',
            EncryptionConfig: { EncryptionType: 'AES256' as never, KeyId: KEY },
          },
        },
        /enum/,
      ],
    ];
    for (const [what, config, message] of bad) {
      await assert.rejects(associate(instanceId, 'CHAT_TRANSCRIPTS', config), (err: any) => {
        assert.equal(err.name, 'InvalidParameterException', `${what}: ${err.name} ${err.message}`);
        assert.equal(err.$metadata.httpStatusCode, 400);
        assert.match(err.message, message, what);
        return true;
      });
    }
    assert.deepEqual((await list(instanceId, 'CHAT_TRANSCRIPTS')).StorageConfigs, []);

    // The same checks on update; the stored config stays as it was.
    const good = s3(
      'my.bucket-2024',
      'connect/a/ChatTranscripts',
      'arn:aws:kms:eu-west-2:111122223333:alias/connect',
    );
    const { AssociationId } = await associate(instanceId, 'CHAT_TRANSCRIPTS', good);
    await refused(
      connect.send(
        new UpdateInstanceStorageConfigCommand({
          InstanceId: instanceId,
          AssociationId,
          ResourceType: 'CHAT_TRANSCRIPTS',
          StorageConfig: s3('Bad_Bucket', 'p'),
        }),
      ),
      'InvalidParameterException',
      400,
      /BucketName/,
    );
    assert.deepEqual((await describeConfig(instanceId, AssociationId!, 'CHAT_TRANSCRIPTS')).StorageConfig, {
      AssociationId,
      ...good,
    });
  });

  test('ListInstanceStorageConfigs: MaxResults is 1 to 10, a NextToken it never gave is refused', async () => {
    const instanceId = await newInstance();
    await associate(instanceId, 'CHAT_TRANSCRIPTS', s3('bucket', 'p'));
    await refused(list(instanceId, 'CHAT_TRANSCRIPTS', { MaxResults: 11 }), 'InvalidParameterException', 400);
    await refused(list(instanceId, 'CHAT_TRANSCRIPTS', { MaxResults: 0 }), 'InvalidParameterException', 400);
    await refused(
      list(instanceId, 'CHAT_TRANSCRIPTS', { NextToken: 'bm90LWEtdG9rZW4' }),
      'InvalidParameterException',
      400,
      /NextToken/,
    );
    assert.equal((await list(instanceId, 'CHAT_TRANSCRIPTS', { MaxResults: 10 })).StorageConfigs!.length, 1);
  });
});
