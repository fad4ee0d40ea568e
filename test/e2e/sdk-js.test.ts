/**
 * The Connect API through the AWS SDK for JavaScript v3, as an application would call it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConnectClient as Client,
  CreateQueueCommand,
  DescribeContactCommand,
  DescribeInstanceCommand,
  GetContactAttributesCommand,
  ListContactFlowsCommand,
  ListInstancesCommand,
  StartChatContactCommand,
  StopContactCommand,
  UpdateContactAttributesCommand,
  paginateListHoursOfOperations,
  paginateListQueues,
  type ConnectClient,
} from '@aws-sdk/client-connect';
import { startTestNode, type TestNode } from '../support/node.ts';

describe('Connect API with @aws-sdk/client-connect', () => {
  let node: TestNode;
  let connect: ConnectClient;
  before(async () => {
    node = await startTestNode();
    connect = node.connect();
  });
  after(() => node.close());

  const startChat = (extra: Record<string, unknown> = {}) =>
    connect.send(
      new StartChatContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: node.flowId,
        ParticipantDetails: { DisplayName: 'Jane' },
        ...extra,
      }),
    );

  test("a request signed for another region than the node's is refused, as an AWS endpoint refuses it", async () => {
    for (const region of ['eu-west-1', 'xx-madeup-9']) {
      const elsewhere = new Client({
        endpoint: node.url,
        region,
        credentials: node.credentials,
        maxAttempts: 1,
      });
      await assert.rejects(
        elsewhere.send(new ListInstancesCommand({})),
        (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
          assert.equal(err.name, 'InvalidSignatureException');
          assert.equal(err.$metadata?.httpStatusCode, 403);
          assert.match(err.message, new RegExp(`valid region, not '${region}'`));
          return true;
        },
      );
    }
    assert.ok((await connect.send(new ListInstancesCommand({}))).InstanceSummaryList?.length);
  });

  test('StartChatContact returns ids and an unguessable token; DescribeContact shows the chat', async () => {
    const before = Date.now();
    const out = await startChat({ Attributes: { customerTier: 'gold' }, ChatDurationInMinutes: 90 });
    assert.match(out.ContactId!, /^[0-9a-f-]{36}$/);
    assert.match(out.ParticipantId!, /^[0-9a-f-]{36}$/);
    assert.ok(
      Buffer.from(out.ParticipantToken!, 'base64url').length >= 16,
      'token carries at least 128 bits',
    );
    assert.match(out.$metadata.requestId!, /^[0-9a-f-]{36}$/);

    const { Contact } = await connect.send(
      new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: out.ContactId }),
    );
    assert.equal(Contact!.Id, out.ContactId);
    assert.equal(Contact!.InitialContactId, out.ContactId);
    assert.equal(Contact!.Channel, 'CHAT');
    assert.equal(Contact!.InitiationMethod, 'API');
    assert.ok(Contact!.InitiationTimestamp instanceof Date);
    assert.ok(Math.abs(Contact!.InitiationTimestamp!.getTime() - before) < 5000);
    assert.ok(Contact!.LastUpdateTimestamp instanceof Date);
    assert.equal(Contact!.DisconnectTimestamp, undefined);
    assert.match(
      Contact!.Arn!,
      new RegExp(`^arn:aws:connect:us-east-1:\\d{12}:instance/${node.instanceId}/contact/${out.ContactId}$`),
    );
    assert.deepEqual(Contact!.Attributes, { customerTier: 'gold' });
  });

  test('an instance ARN works as InstanceId (percent-encoded path label)', async () => {
    const { Instance } = await connect.send(new DescribeInstanceCommand({ InstanceId: node.instanceId }));
    const out = await startChat();
    const { Contact } = await connect.send(
      new DescribeContactCommand({ InstanceId: Instance!.Arn, ContactId: out.ContactId }),
    );
    assert.equal(Contact!.Id, out.ContactId);
  });

  test('each token is different', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i++) tokens.add((await startChat()).ParticipantToken!);
    assert.equal(tokens.size, 20);
  });

  test('attributes: get, merge, remove with empty value, and update after the contact ended', async () => {
    const { ContactId } = await startChat({ Attributes: { a: '1', b: '2' } });
    await connect.send(
      new UpdateContactAttributesCommand({
        InstanceId: node.instanceId,
        InitialContactId: ContactId,
        Attributes: { b: '', c: '3' },
      }),
    );
    let got = await connect.send(
      new GetContactAttributesCommand({ InstanceId: node.instanceId, InitialContactId: ContactId }),
    );
    assert.deepEqual(got.Attributes, { a: '1', c: '3' });
    await connect.send(new StopContactCommand({ InstanceId: node.instanceId, ContactId }));
    await connect.send(
      new UpdateContactAttributesCommand({
        InstanceId: node.instanceId,
        InitialContactId: ContactId,
        Attributes: { d: '4' },
      }),
    );
    got = await connect.send(
      new GetContactAttributesCommand({ InstanceId: node.instanceId, InitialContactId: ContactId }),
    );
    assert.deepEqual(got.Attributes, { a: '1', c: '3', d: '4' });
  });

  test('StopContact ends the chat once; a second stop is ContactNotFoundException (410)', async () => {
    const { ContactId } = await startChat();
    await connect.send(new StopContactCommand({ InstanceId: node.instanceId, ContactId }));
    const { Contact } = await connect.send(
      new DescribeContactCommand({ InstanceId: node.instanceId, ContactId }),
    );
    assert.ok(Contact!.DisconnectTimestamp instanceof Date);
    assert.equal(Contact!.DisconnectReason, 'API');
    await assert.rejects(
      connect.send(new StopContactCommand({ InstanceId: node.instanceId, ContactId })),
      (err: any) => {
        assert.equal(err.name, 'ContactNotFoundException');
        assert.equal(err.$metadata.httpStatusCode, 410);
        return true;
      },
    );
  });

  test('modelled errors arrive as the SDK exception classes', async () => {
    await assert.rejects(startChat({ ContactFlowId: '00000000-0000-4000-8000-000000000000' }), (err: any) => {
      assert.equal(err.name, 'ResourceNotFoundException');
      assert.equal(err.$metadata.httpStatusCode, 404);
      assert.match(err.message, /Contact flow/);
      return true;
    });
    await assert.rejects(startChat({ ChatDurationInMinutes: 59 }), (err: any) => {
      assert.equal(err.name, 'InvalidParameterException');
      assert.match(err.message, /chatDurationInMinutes/);
      return true;
    });
  });

  test('pagination: the SDK paginator walks every page of ListQueues', async () => {
    const HoursOfOperationId = await basicHoursId();
    for (let i = 0; i < 5; i++) {
      await connect.send(
        new CreateQueueCommand({ InstanceId: node.instanceId, Name: `Q${i}`, HoursOfOperationId }),
      );
    }
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListQueues(
      { client: connect, pageSize: 2 },
      { InstanceId: node.instanceId },
    )) {
      pages++;
      names.push(...page.QueueSummaryList!.map((q) => q.Name!));
    }
    assert.deepEqual(names.sort(), ['BasicQueue', 'Q0', 'Q1', 'Q2', 'Q3', 'Q4']);
    assert.equal(pages, 3);
  });

  async function basicHoursId(): Promise<string> {
    for await (const page of paginateListHoursOfOperations(
      { client: connect },
      { InstanceId: node.instanceId },
    )) {
      const basic = page.HoursOfOperationSummaryList!.find((h) => h.Name === 'Basic Hours');
      if (basic) return basic.Id!;
    }
    throw new Error('Basic Hours missing');
  }

  test('the default inbound flow is listed with its type', async () => {
    const { ContactFlowSummaryList } = await connect.send(
      new ListContactFlowsCommand({ InstanceId: node.instanceId }),
    );
    const flow = ContactFlowSummaryList!.find((f) => f.Id === node.flowId)!;
    assert.equal(flow.Name, 'Default inbound flow');
    assert.equal(flow.ContactFlowType, 'CONTACT_FLOW');
    assert.equal(flow.ContactFlowStatus, 'PUBLISHED');
  });
});
