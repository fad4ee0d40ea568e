/**
 * Real-time chat streaming through a real node: StartContactStreaming and StopContactStreaming
 * with the AWS SDK for JS and the AWS CLI (the seed command verbatim), their rules, and what a
 * streaming chat leaves in the node's outbox for SNS — every item of the chat from the start of
 * streaming on, in order, in Amazon Connect's format, chat.ended last. The outbox is read from
 * the node's SQLite file, opened read-only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  CreateContactFlowCommand,
  CreateParticipantCommand,
  DescribeContactCommand,
  StartChatContactCommand,
  StartContactStreamingCommand,
  StopContactCommand,
  StopContactStreamingCommand,
} from '@aws-sdk/client-connect';
import {
  ConnectParticipantClient,
  CreateParticipantConnectionCommand,
  DisconnectParticipantCommand,
  SendEventCommand,
  SendMessageCommand,
} from '@aws-sdk/client-connectparticipant';
import { startTestNode, type TestNode } from '../support/node.ts';
import { designerFlow } from '../support/flows.ts';
import { AWS_CLI, skipUnless } from '../support/tools.ts';

const EVENT = 'application/vnd.amazonaws.connect.event.';
const topic = (name: string, region = 'us-east-1') => `arn:aws:sns:${region}:123456789012:${name}`;

interface Entry {
  id: string;
  destination: string;
  orderKey: string;
  payload: { topicArn: string; message: string; attributes: Record<string, string> };
}

describe('chat streaming', () => {
  let node: TestNode;
  let participant: ConnectParticipantClient;
  let db: DatabaseSync;

  before(async () => {
    node = await startTestNode();
    participant = new ConnectParticipantClient({
      endpoint: node.url,
      region: node.region,
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
      maxAttempts: 1,
    });
    db = new DatabaseSync(join(node.dataDir, 'localconnect.db'), { readOnly: true });
  });
  after(async () => {
    db.close();
    await node.close();
  });

  /** The outbox entries for one topic, in the order they were added. */
  const outbox = (topicArn: string): Entry[] =>
    db
      .prepare('SELECT id, destination, order_key, payload FROM outbox WHERE destination = ? ORDER BY seq')
      .all(`sns:${topicArn}`)
      .map((r) => ({
        id: r.id as string,
        destination: r.destination as string,
        orderKey: r.order_key as string,
        payload: JSON.parse(r.payload as string),
      }));

  const startChat = async (flowId = node.flowId) =>
    node.connect().send(
      new StartChatContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: flowId,
        ParticipantDetails: { DisplayName: 'Jane' },
      }),
    );

  const stream = (contactId: string, arn: string, clientToken: string = randomUUID()) =>
    node.connect().send(
      new StartContactStreamingCommand({
        InstanceId: node.instanceId,
        ContactId: contactId,
        ChatStreamingConfiguration: { StreamingEndpointArn: arn },
        ClientToken: clientToken,
      }),
    );

  const connectAs = async (participantToken: string, connectParticipant?: boolean) =>
    (
      await participant.send(
        new CreateParticipantConnectionCommand({
          ParticipantToken: participantToken,
          Type: ['CONNECTION_CREDENTIALS'],
          ConnectParticipant: connectParticipant,
        }),
      )
    ).ConnectionCredentials!.ConnectionToken!;

  const refused = async (p: Promise<unknown>, name: string, status: number) => {
    await assert.rejects(p, (err: any) => {
      assert.equal(err.name, name, err.message);
      assert.equal(err.$metadata.httpStatusCode, status);
      return true;
    });
  };

  async function waitForEnd(contactId: string) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { Contact } = await node
        .connect()
        .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: contactId }));
      if (Contact!.DisconnectTimestamp) return Contact!;
      if (Date.now() > deadline) throw new Error('the chat did not end');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test('refuses endpoints that are not a standard SNS topic of the instance Region', async () => {
    const chat = await startChat();
    for (const arn of [
      topic('chat.fifo'),
      'arn:aws:sqs:us-east-1:123456789012:chat',
      'arn:aws:lambda:us-east-1:123456789012:function:chat',
      'not-an-arn',
      'arn:aws:sns:us-east-1:chat',
      topic('chat', 'eu-west-1'),
    ]) {
      await refused(stream(chat.ContactId!, arn), 'InvalidParameterException', 400);
    }
    await refused(stream(randomUUID(), topic('chat')), 'ResourceNotFoundException', 404);
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: chat.ContactId }));
    await refused(stream(chat.ContactId!, topic('chat')), 'InvalidRequestException', 400);
  });

  test('a ClientToken answers the same StreamingId; a topic keeps its StreamingId; at most 2 topics', async () => {
    const chat = await startChat();
    const token = randomUUID();
    const first = await stream(chat.ContactId!, topic('a'), token);
    assert.match(first.StreamingId!, /^[0-9a-f-]{36}$/);
    assert.equal((await stream(chat.ContactId!, topic('a'), token)).StreamingId, first.StreamingId);
    await refused(stream(chat.ContactId!, topic('b'), token), 'IdempotencyException', 409);
    assert.equal((await stream(chat.ContactId!, topic('a'))).StreamingId, first.StreamingId);
    const second = await stream(chat.ContactId!, topic('b'));
    assert.notEqual(second.StreamingId, first.StreamingId);
    await refused(stream(chat.ContactId!, topic('c')), 'LimitExceededException', 429);
    // Another chat streaming to the same topic has a stream of its own.
    const other = await startChat();
    assert.notEqual((await stream(other.ContactId!, topic('a'))).StreamingId, first.StreamingId);

    const stop = (contactId: string, streamingId: string) =>
      node.connect().send(
        new StopContactStreamingCommand({
          InstanceId: node.instanceId,
          ContactId: contactId,
          StreamingId: streamingId,
        }),
      );
    await refused(stop(chat.ContactId!, randomUUID()), 'ResourceNotFoundException', 404);
    await stop(chat.ContactId!, first.StreamingId!);
    await refused(stop(chat.ContactId!, first.StreamingId!), 'ResourceNotFoundException', 404);
    // Room for another topic now; the stopped one starts again with its StreamingId.
    assert.equal((await stream(chat.ContactId!, topic('a'))).StreamingId, first.StreamingId);
    for (const c of [chat, other]) {
      await node
        .connect()
        .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: c.ContactId }));
    }
  });

  test('ConnectParticipant connects a customer only on a streaming chat', async () => {
    const chat = await startChat();
    await refused(connectAs(chat.ParticipantToken!, true), 'ValidationException', 400);
    await stream(chat.ContactId!, topic('connect'));
    assert.ok(await connectAs(chat.ParticipantToken!, true));
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: chat.ContactId }));
  });

  test("every item of the chat from streaming on goes to each topic, in order, in Amazon Connect's format", async () => {
    const [ask, echo, bye] = Array.from({ length: 3 }, () => randomUUID());
    const { ContactFlowId } = await node.connect().send(
      new CreateContactFlowCommand({
        InstanceId: node.instanceId,
        Name: `flow-${randomUUID()}`,
        Type: 'CONTACT_FLOW',
        Content: designerFlow([
          {
            Identifier: ask,
            Type: 'GetParticipantInput',
            Parameters: {
              Text: 'Your name?',
              StoreInput: 'True',
              InputValidation: { CustomValidation: { MaximumLength: '30' } },
            },
            Transitions: { NextAction: echo, Errors: [{ ErrorType: 'NoMatchingError', NextAction: bye }] },
          },
          {
            Identifier: echo,
            Type: 'MessageParticipant',
            Parameters: { Text: 'Nice to meet you, $.StoredCustomerInput.' },
            Transitions: { NextAction: bye, Errors: [{ ErrorType: 'NoMatchingError', NextAction: bye }] },
          },
          { Identifier: bye, Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
        ]),
      }),
    );
    const chat = await startChat(ContactFlowId);
    const contactId = chat.ContactId!;
    const one = topic('chat-one');
    const two = topic('chat-two');
    const s1 = (await stream(contactId, one)).StreamingId!;
    const s2 = (await stream(contactId, two)).StreamingId!;
    const customer = await connectAs(chat.ParticipantToken!, true);

    const bot = await node.connect().send(
      new CreateParticipantCommand({
        InstanceId: node.instanceId,
        ContactId: contactId,
        ParticipantDetails: { ParticipantRole: 'CUSTOM_BOT', DisplayName: 'Helper' },
      }),
    );
    const botToken = await connectAs(bot.ParticipantCredentials!.ParticipantToken!);
    const botSays = await participant.send(
      new SendMessageCommand({ ConnectionToken: botToken, ContentType: 'text/plain', Content: 'Bot here' }),
    );
    // A read receipt is not streamed.
    await participant.send(
      new SendEventCommand({
        ConnectionToken: customer,
        ContentType: `${EVENT}message.read`,
        Content: JSON.stringify({ messageId: botSays.Id }),
      }),
    );
    await participant.send(new DisconnectParticipantCommand({ ConnectionToken: botToken }));
    const typing = await participant.send(
      new SendEventCommand({ ConnectionToken: customer, ContentType: `${EVENT}typing` }),
    );
    const says = await participant.send(
      new SendMessageCommand({ ConnectionToken: customer, ContentType: 'text/plain', Content: 'Jane' }),
    );
    const ended = await waitForEnd(contactId);
    assert.equal(ended.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');

    const entries = outbox(one);
    const items = entries.map((e) => JSON.parse(e.payload.message));
    // The greeting was said before streaming started.
    assert.deepEqual(
      items.map((i) => [i.Type, i.ContentType, i.ParticipantRole ?? '-', i.Content ?? '']),
      [
        ['EVENT', `${EVENT}participant.joined`, 'CUSTOM_BOT', ''],
        ['MESSAGE', 'text/plain', 'CUSTOM_BOT', 'Bot here'],
        ['EVENT', `${EVENT}participant.left`, 'CUSTOM_BOT', ''],
        ['EVENT', `${EVENT}typing`, 'CUSTOMER', ''],
        ['MESSAGE', 'text/plain', 'CUSTOMER', 'Jane'],
        ['MESSAGE', 'text/plain', 'SYSTEM', 'Nice to meet you, Jane.'],
        ['EVENT', `${EVENT}chat.ended`, '-', ''],
      ],
    );
    assert.equal(items[1].Id, botSays.Id);
    assert.equal(items[3].Id, typing.Id);
    assert.equal(items[4].Id, says.Id);
    assert.equal(items[4].AbsoluteTime, says.AbsoluteTime);
    assert.equal(items[1].ParticipantId, bot.ParticipantId);
    assert.equal(items[4].ParticipantId, chat.ParticipantId);
    assert.equal(items[4].DisplayName, 'Jane');
    const accountId = ended.Arn!.split(':')[4];
    for (const [n, e] of entries.entries()) {
      const item = items[n];
      assert.equal(e.id, `${s1}:${item.Id}`);
      assert.equal(e.orderKey, contactId);
      assert.equal(e.payload.topicArn, one);
      assert.equal(item.ContactId, contactId);
      assert.equal(item.InitialContactId, contactId);
      assert.deepEqual(e.payload.attributes, {
        InitialContactId: contactId,
        ContactId: contactId,
        ...(item.ParticipantRole && { ParticipantRole: item.ParticipantRole }),
        InstanceId: node.instanceId,
        AccountId: accountId,
        Type: item.Type,
        ContentType: item.ContentType,
        MessageVisibility: 'ALL',
      });
    }
    // The second topic gets the same items, under its own stream's ids.
    assert.deepEqual(
      outbox(two).map((e) => [e.id, e.payload.message]),
      entries.map((e) => [e.id.replace(s1, s2), e.payload.message]),
    );
  });

  test('a stopped stream gets nothing more; the other goes on', async () => {
    const chat = await startChat();
    const kept = topic('kept');
    const dropped = topic('dropped');
    await stream(chat.ContactId!, kept);
    const gone = (await stream(chat.ContactId!, dropped)).StreamingId!;
    const customer = await connectAs(chat.ParticipantToken!);
    const send = (Content: string) =>
      participant.send(
        new SendMessageCommand({ ConnectionToken: customer, ContentType: 'text/plain', Content }),
      );
    await send('before');
    await node.connect().send(
      new StopContactStreamingCommand({
        InstanceId: node.instanceId,
        ContactId: chat.ContactId,
        StreamingId: gone,
      }),
    );
    await send('after');
    const contents = (arn: string) => outbox(arn).map((e) => JSON.parse(e.payload.message).Content);
    assert.deepEqual(contents(dropped), ['before']);
    assert.deepEqual(contents(kept), ['before', 'after']);
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: chat.ContactId }));
    assert.equal(JSON.parse(outbox(kept).at(-1)!.payload.message).ContentType, `${EVENT}chat.ended`);
    assert.equal(outbox(dropped).length, 1);
  });

  test('the AWS CLI seed command starts streaming', { skip: skipUnless('aws-cli') }, async () => {
    const chat = await startChat();
    const clientToken = `7d2e${randomUUID().replaceAll('-', '').slice(0, 28)}`;
    const args = [
      'connect',
      'start-contact-streaming',
      '--endpoint-url',
      node.url,
      '--instance-id',
      node.instanceId,
      '--contact-id',
      chat.ContactId!,
      '--chat-streaming-configuration',
      'StreamingEndpointArn=arn:aws:sns:us-east-1:123456789012:chat-stream',
      '--client-token',
      clientToken,
    ];
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        AWS_CLI,
        args,
        { env: { ...process.env, ...node.awsEnv }, timeout: 60_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const { StreamingId } = JSON.parse(out);
    assert.equal(
      (await stream(chat.ContactId!, 'arn:aws:sns:us-east-1:123456789012:chat-stream', clientToken))
        .StreamingId,
      StreamingId,
    );
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: chat.ContactId }));
    const last = outbox('arn:aws:sns:us-east-1:123456789012:chat-stream').at(-1)!;
    assert.equal(last.id.split(':')[0], StreamingId);
    assert.equal(JSON.parse(last.payload.message).ContentType, `${EVENT}chat.ended`);
  });
});
