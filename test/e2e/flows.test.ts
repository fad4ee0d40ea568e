/**
 * Contact flows as a customer meets them: flows saved through the Connect API (written as the
 * flow designer exports them) run when a chat starts, talk to the customer, wait for replies,
 * set attributes, branch, and end the chat — and broken flows are refused on save or end the
 * contact cleanly at run time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateContactFlowCommand,
  DescribeContactCommand,
  GetContactAttributesCommand,
  StartChatContactCommand,
  UpdateContactFlowContentCommand,
} from '@aws-sdk/client-connect';
import {
  ConnectParticipantClient,
  CreateParticipantConnectionCommand,
  GetTranscriptCommand,
  SendMessageCommand,
} from '@aws-sdk/client-connectparticipant';
import { startTestNode, type TestNode } from '../support/node.ts';
import { designerFlow } from '../support/flows.ts';

const ids = () => Array.from({ length: 8 }, () => randomUUID());

describe('contact flows that run in chats', () => {
  let node: TestNode;
  let participant: ConnectParticipantClient;
  before(async () => {
    node = await startTestNode();
    participant = new ConnectParticipantClient({
      endpoint: node.url,
      region: node.region,
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
      maxAttempts: 1,
    });
  });
  after(() => node.close());

  const saveFlow = async (content: string) =>
    (
      await node.connect().send(
        new CreateContactFlowCommand({
          InstanceId: node.instanceId,
          Name: `flow-${randomUUID()}`,
          Type: 'CONTACT_FLOW',
          Content: content,
        }),
      )
    ).ContactFlowId!;

  const chatIn = async (flowId: string, attributes: Record<string, string> = {}) => {
    const chat = await node.connect().send(
      new StartChatContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: flowId,
        ParticipantDetails: { DisplayName: 'Jane' },
        Attributes: attributes,
      }),
    );
    const conn = await participant.send(
      new CreateParticipantConnectionCommand({
        ParticipantToken: chat.ParticipantToken,
        Type: ['CONNECTION_CREDENTIALS'],
      }),
    );
    return { chat, token: conn.ConnectionCredentials!.ConnectionToken! };
  };

  /** Polls the transcript until `count` SYSTEM messages have arrived; returns their texts. */
  const systemMessages = async (token: string, count: number): Promise<string[]> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const t = await participant.send(
        new GetTranscriptCommand({ ConnectionToken: token, SortOrder: 'ASCENDING', MaxResults: 100 }),
      );
      const texts = t.Transcript!.filter((i) => i.ParticipantRole === 'SYSTEM').map((i) => i.Content!);
      if (texts.length >= count) return texts;
      if (Date.now() > deadline) throw new Error(`only ${JSON.stringify(texts)} after 5 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const contactOf = async (contactId: string) =>
    (
      await node
        .connect()
        .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: contactId }))
    ).Contact!;

  const waitForEnd = async (contactId: string) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const c = await contactOf(contactId);
      if (c.DisconnectTimestamp) return c;
      if (Date.now() > deadline) throw new Error('the contact did not end');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  /** The messages of an ended chat, from the transcript it left in the BlobStore. */
  const messagesOf = async (contactId: string): Promise<string[]> => {
    const dir = join(node.dataDir, 'blobs', 'connect', node.instanceId, 'ChatTranscripts');
    const deadline = Date.now() + 5000;
    let file: string | undefined;
    while (!file && Date.now() < deadline) {
      file = existsSync(dir)
        ? // .json: not a blob still being written under its temporary name
          readdirSync(dir, { recursive: true, encoding: 'utf8' }).find(
            (f) => f.includes(contactId) && f.endsWith('.json'),
          )
        : undefined;
      if (!file) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(file, 'no transcript written');
    const transcript = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    return transcript.Transcript.filter((i: any) => i.Type === 'MESSAGE').map(
      (i: any) => `${i.ParticipantRole}: ${i.Content}`,
    );
  };

  test('greets by name, branches on an attribute, stores the reply, echoes it and disconnects', async () => {
    const [setAttrs, hello, compare, gold, standard, ask, echo, bye] = ids();
    const flowId = await saveFlow(
      designerFlow([
        {
          Identifier: setAttrs,
          Type: 'UpdateContactAttributes',
          Parameters: {
            Attributes: { greeted: 'yes', tierSeen: '$.Attributes.customerTier' },
            TargetContact: 'Current',
          },
          Transitions: { NextAction: hello, Errors: [{ ErrorType: 'NoMatchingError', NextAction: hello }] },
        },
        {
          Identifier: hello,
          Type: 'MessageParticipant',
          Parameters: { Text: 'Hello $.Attributes.firstName!' },
          Transitions: {
            NextAction: compare,
            Errors: [{ ErrorType: 'NoMatchingError', NextAction: compare }],
          },
        },
        {
          Identifier: compare,
          Type: 'Compare',
          Parameters: { ComparisonValue: '$.Attributes.customerTier' },
          Transitions: {
            NextAction: standard,
            Conditions: [{ NextAction: gold, Condition: { Operator: 'Equals', Operands: ['gold'] } }],
            Errors: [{ ErrorType: 'NoMatchingCondition', NextAction: standard }],
          },
        },
        {
          Identifier: gold,
          Type: 'MessageParticipant',
          Parameters: { Text: 'Thanks for being a gold member.' },
          Transitions: { NextAction: ask, Errors: [{ ErrorType: 'NoMatchingError', NextAction: ask }] },
        },
        {
          Identifier: standard,
          Type: 'MessageParticipant',
          Parameters: { Text: 'Thanks for reaching out.' },
          Transitions: { NextAction: ask, Errors: [{ ErrorType: 'NoMatchingError', NextAction: ask }] },
        },
        {
          Identifier: ask,
          Type: 'GetParticipantInput',
          Parameters: {
            Text: 'What is your order number?',
            StoreInput: 'True',
            InputValidation: { CustomValidation: { MaximumLength: '20' } },
            InputTimeLimitSeconds: '60',
          },
          Transitions: { NextAction: echo, Errors: [{ ErrorType: 'NoMatchingError', NextAction: bye }] },
        },
        {
          Identifier: echo,
          Type: 'MessageParticipant',
          Parameters: { Text: 'Looking up order $.StoredCustomerInput.' },
          Transitions: { NextAction: bye, Errors: [{ ErrorType: 'NoMatchingError', NextAction: bye }] },
        },
        { Identifier: bye, Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
      ]),
    );

    const { chat, token } = await chatIn(flowId, { firstName: 'Jane', customerTier: 'gold' });
    assert.deepEqual(await systemMessages(token, 3), [
      'Hello Jane!',
      'Thanks for being a gold member.',
      'What is your order number?',
    ]);
    await participant.send(
      new SendMessageCommand({ ConnectionToken: token, ContentType: 'text/plain', Content: 'A-1234' }),
    );
    const ended = await waitForEnd(chat.ContactId!);
    assert.equal(ended.DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    const { Attributes } = await node
      .connect()
      .send(
        new GetContactAttributesCommand({ InstanceId: node.instanceId, InitialContactId: chat.ContactId }),
      );
    assert.deepEqual(Attributes, {
      firstName: 'Jane',
      customerTier: 'gold',
      greeted: 'yes',
      tierSeen: 'gold',
    });

    // The other branch: no tier.
    const other = await chatIn(flowId, { firstName: 'Sam' });
    assert.deepEqual(await systemMessages(other.token, 3), [
      'Hello Sam!',
      'Thanks for reaching out.',
      'What is your order number?',
    ]);
  });

  test('the reply reaches the flow: the echo comes before the chat ends', async () => {
    const [ask, echo, bye] = ids();
    const flowId = await saveFlow(
      designerFlow([
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
    );
    const { chat, token } = await chatIn(flowId);
    await systemMessages(token, 1);
    await participant.send(
      new SendMessageCommand({ ConnectionToken: token, ContentType: 'text/plain', Content: 'Jane' }),
    );
    assert.equal((await waitForEnd(chat.ContactId!)).DisconnectReason, 'CONTACT_FLOW_DISCONNECT');
    // The chat has ended, so the transcript it left behind tells what the flow said.
    assert.deepEqual(await messagesOf(chat.ContactId!), [
      'SYSTEM: Your name?',
      'CUSTOMER: Jane',
      'SYSTEM: Nice to meet you, Jane.',
    ]);
  });

  test('flows that cannot be valid are refused on save with the problems listed', async () => {
    const [a, b] = ids();
    const bad = [
      designerFlow([{ Identifier: a, Type: 'NoSuchAction', Parameters: {}, Transitions: {} }]),
      designerFlow([
        {
          Identifier: a,
          Type: 'MessageParticipant',
          Parameters: { Text: 'x' },
          Transitions: { NextAction: b },
        },
      ]),
      '{"Version":"2019-10-30"',
    ];
    for (const content of bad) {
      await assert.rejects(
        node.connect().send(
          new CreateContactFlowCommand({
            InstanceId: node.instanceId,
            Name: `bad-${randomUUID()}`,
            Type: 'CONTACT_FLOW',
            Content: content,
          }),
        ),
        (err: any) => {
          assert.equal(err.name, 'InvalidContactFlowException');
          assert.equal(err.$metadata.httpStatusCode, 400);
          return true;
        },
      );
    }
    const flowId = await saveFlow(
      designerFlow([{ Identifier: a, Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} }]),
    );
    await assert.rejects(
      node.connect().send(
        new UpdateContactFlowContentCommand({
          InstanceId: node.instanceId,
          ContactFlowId: flowId,
          Content: bad[0],
        }),
      ),
      { name: 'InvalidContactFlowException' },
    );
  });

  test('a flow that loops forever or points at a missing queue ends the contact; the node carries on', async () => {
    const [loop, missing, sorry, end] = ids();
    const looping = await saveFlow(
      designerFlow([
        {
          Identifier: loop,
          Type: 'Compare',
          Parameters: { ComparisonValue: '$.Channel' },
          Transitions: {
            NextAction: loop,
            Conditions: [{ NextAction: loop, Condition: { Operator: 'Equals', Operands: ['CHAT'] } }],
            Errors: [{ ErrorType: 'NoMatchingCondition', NextAction: loop }],
          },
        },
      ]),
    );
    // No connection: the loop is stopped (and the chat ended) within milliseconds of its start.
    const chat = await node.connect().send(
      new StartChatContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: looping,
        ParticipantDetails: { DisplayName: 'Jane' },
      }),
    );
    assert.equal((await waitForEnd(chat.ContactId!)).DisconnectReason, 'CONTACT_FLOW_DISCONNECT');

    const noQueue = await saveFlow(
      designerFlow([
        {
          Identifier: missing,
          Type: 'UpdateContactTargetQueue',
          Parameters: {
            QueueId:
              'arn:aws:connect:us-east-1:000000000000:instance/x/queue/00000000-0000-4000-8000-000000000000',
          },
          Transitions: { NextAction: end, Errors: [{ ErrorType: 'NoMatchingError', NextAction: sorry }] },
        },
        {
          Identifier: sorry,
          Type: 'MessageParticipant',
          Parameters: { Text: 'That queue does not exist.' },
          Transitions: { NextAction: end, Errors: [{ ErrorType: 'NoMatchingError', NextAction: end }] },
        },
        { Identifier: end, Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
      ]),
    );
    const second = await node.connect().send(
      new StartChatContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: noQueue,
        ParticipantDetails: { DisplayName: 'Jane' },
      }),
    );
    await waitForEnd(second.ContactId!);
    assert.deepEqual(await messagesOf(second.ContactId!), ['SYSTEM: That queue does not exist.']);

    // Still serving.
    await chatIn(node.flowId);
  });
});
