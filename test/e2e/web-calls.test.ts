/**
 * StartWebRTCContact through the AWS SDK for JavaScript against a real node: what it answers
 * (the contact, the customer, the meeting on this node and the customer's attendee), what
 * DescribeContact and ListContactReferences read back, ClientToken idempotency, the rules of
 * its members, the concurrent-calls quota, StopContact, and the join window. The media plane
 * the meeting points at is issue 15's part 2.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateContactFlowCommand,
  DescribeContactCommand,
  ListContactReferencesCommand,
  StartWebRTCContactCommand,
  StopContactCommand,
  type StartWebRTCContactCommandInput,
} from '@aws-sdk/client-connect';
import {
  ConnectParticipantClient,
  CreateParticipantConnectionCommand,
} from '@aws-sdk/client-connectparticipant';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connectAtClock, startTestNode, type TestNode } from '../support/node.ts';
import { awsCliWith } from '../support/tools.ts';
import { ManualClock } from '../../src/ports/clock.ts';

const call = (node: TestNode, extra: Partial<StartWebRTCContactCommandInput> = {}) =>
  node.connect().send(
    new StartWebRTCContactCommand({
      InstanceId: node.instanceId,
      ContactFlowId: node.flowId,
      ParticipantDetails: { DisplayName: 'Jane' },
      ...extra,
    }),
  );

describe('StartWebRTCContact', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode(['--quota', 'activeCallsPerInstance=3']);
  });
  after(() => node.close());

  test('a call answers its contact, its customer and a meeting on this node; DescribeContact and ListContactReferences read it back', async () => {
    const out = await call(node, {
      AllowedCapabilities: { Customer: { Video: 'SEND' }, Agent: { Video: 'SEND' } },
      References: {
        order: { Value: 'https://shop.example/o/42', Type: 'URL' },
        total: { Value: '42.50', Type: 'NUMBER' },
        due: { Value: '1767225600', Type: 'DATE' },
        note: { Value: 'gift wrap', Type: 'STRING' },
      },
      Description: 'Video support',
      Attributes: { plan: 'gold' },
    });
    assert.match(out.ContactId!, /^[0-9a-f-]{36}$/);
    assert.match(out.ParticipantId!, /^[0-9a-f-]{36}$/);
    assert.ok(out.ParticipantToken!.length > 0);
    const { Meeting, Attendee } = out.ConnectionData!;
    const port = new URL(node.url).port;
    assert.match(Meeting!.MeetingId!, /^[0-9a-f-]{36}$/);
    assert.equal(Meeting!.MediaRegion, node.region);
    assert.equal(
      Meeting!.MediaPlacement!.SignalingUrl,
      `ws://127.0.0.1:${port}/control/${Meeting!.MeetingId}`,
    );
    assert.equal(Meeting!.MediaPlacement!.AudioHostUrl, `127.0.0.1:${port}`);
    assert.equal(Meeting!.MediaPlacement!.EventIngestionUrl, `http://127.0.0.1:${port}/meetings/events`);
    assert.equal(Meeting!.MeetingFeatures!.Audio!.EchoReduction, 'UNAVAILABLE');
    assert.match(Attendee!.AttendeeId!, /^[0-9a-f-]{36}$/);
    // The SDK sends the JoinToken as a websocket subprotocol: RFC 7230 token characters only.
    assert.match(Attendee!.JoinToken!, /^[A-Za-z0-9_-]{40,}$/);

    const { Contact } = await node
      .connect()
      .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: out.ContactId }));
    assert.equal(Contact!.Channel, 'VOICE');
    assert.equal(Contact!.InitiationMethod, 'WEBRTC_API');
    assert.equal(Contact!.Description, 'Video support');
    assert.deepEqual(Contact!.Attributes, { plan: 'gold' });

    const refs = await node.connect().send(
      new ListContactReferencesCommand({
        InstanceId: node.instanceId,
        ContactId: out.ContactId,
        ReferenceTypes: ['URL', 'NUMBER', 'DATE'],
      }),
    );
    assert.deepEqual(
      refs.ReferenceSummaryList!.map((r) => JSON.stringify(r)).sort(),
      [
        { Url: { Name: 'order', Value: 'https://shop.example/o/42' } },
        { Number: { Name: 'total', Value: '42.50' } },
        { Date: { Name: 'due', Value: '1767225600' } },
      ]
        .map((r) => JSON.stringify(r))
        .sort(),
    );
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: out.ContactId }));
  });

  test('a ClientToken repeat answers the same call; the token with other members is IdempotencyException', async () => {
    const ClientToken = 'web-call-token-1';
    const first = await call(node, { ClientToken });
    const again = await call(node, { ClientToken });
    assert.deepEqual(again, { ...first, $metadata: again.$metadata });
    await assert.rejects(call(node, { ClientToken, Description: 'another call' }), {
      name: 'IdempotencyException',
    });
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: first.ContactId }));
  });

  test('references a contact cannot start with, or over 4,096 bytes, are InvalidParameterException', async () => {
    for (const [what, References] of [
      ['an ATTACHMENT', { file: { Type: 'ATTACHMENT', Value: 'x.pdf' } }],
      ['an EMAIL_MESSAGE', { mail: { Type: 'EMAIL_MESSAGE', Value: 'x' } }],
      ['a URL that is not one', { order: { Type: 'URL', Value: 'not a url' } }],
      ['a NUMBER that is not one', { total: { Type: 'NUMBER', Value: 'forty-two' } }],
      ['a DATE that is not epoch seconds', { due: { Type: 'DATE', Value: '2026-12-04' } }],
      ['an EMAIL that is not one', { who: { Type: 'EMAIL', Value: 'jane' } }],
      [
        'over 4,096 bytes in all',
        Object.fromEntries(
          Array.from({ length: 3 }, (_, i) => [`note${i}`, { Type: 'STRING', Value: 'é'.repeat(700) }]),
        ),
      ],
    ] as const) {
      await assert.rejects(
        call(node, { References: References as never }),
        { name: 'InvalidParameterException' },
        what,
      );
    }
    await assert.rejects(call(node, { Attributes: { 'not a key!': 'x' } }), {
      name: 'InvalidParameterException',
    });
  });

  test('an unknown flow, contact or instance is ResourceNotFoundException; a flow of another type InvalidRequestException', async () => {
    await assert.rejects(call(node, { ContactFlowId: '00000000-0000-4000-8000-000000000000' }), {
      name: 'ResourceNotFoundException',
    });
    await assert.rejects(call(node, { RelatedContactId: '00000000-0000-4000-8000-000000000000' }), {
      name: 'ResourceNotFoundException',
    });
    await assert.rejects(call(node, { InstanceId: '00000000-0000-4000-8000-000000000000' }), {
      name: 'ResourceNotFoundException',
    });
    const hold = await node.connect().send(
      new CreateContactFlowCommand({
        InstanceId: node.instanceId,
        Name: 'Hold music',
        Type: 'CUSTOMER_HOLD',
        Content: JSON.stringify({
          Version: '2019-10-30',
          StartAction: 'end',
          Actions: [{ Identifier: 'end', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} }],
        }),
      }),
    );
    await assert.rejects(call(node, { ContactFlowId: hold.ContactFlowId }), {
      name: 'InvalidRequestException',
    });
  });

  test('the concurrent-calls quota refuses a call over it until one ends; StopContact ends a call once', async () => {
    const calls = [await call(node), await call(node), await call(node)];
    await assert.rejects(call(node), { name: 'LimitExceededException' });
    const stop = () =>
      node
        .connect()
        .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: calls[0].ContactId }));
    await stop();
    await assert.rejects(stop(), { name: 'ContactNotFoundException' });
    const { Contact } = await node
      .connect()
      .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: calls[0].ContactId }));
    assert.equal(Contact!.DisconnectReason, 'API');
    calls.push(await call(node));
    for (const c of calls.slice(1))
      await node
        .connect()
        .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: c.ContactId }));
  });

  test("a call's participant token opens no chat connection", async () => {
    const out = await call(node);
    const participant = new ConnectParticipantClient({
      endpoint: node.url,
      region: node.region,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    await assert.rejects(
      participant.send(
        new CreateParticipantConnectionCommand({
          ParticipantToken: out.ParticipantToken,
          Type: ['WEBSOCKET'],
        }),
      ),
      { name: 'ValidationException' },
    );
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: out.ContactId }));
  });
});

const SEED = ['connect', 'start-web-rtc-contact'];
const cli = awsCliWith(SEED);

describe('the AWS CLI', { skip: cli ? false : 'no AWS CLI here has start-web-rtc-contact' }, () => {
  test("the issue's seed command runs verbatim and prints the call's ConnectionData", async () => {
    const node = await startTestNode();
    try {
      const run = (clientToken: string) =>
        promisify(execFile)(
          cli!,
          [
            ...SEED,
            ...['--endpoint-url', node.url, '--instance-id', node.instanceId],
            ...['--contact-flow-id', node.flowId, '--participant-details', 'DisplayName=Jane'],
            ...['--allowed-capabilities', 'Customer={Video=SEND},Agent={Video=SEND}'],
            ...[
              '--references',
              'order={Value=https://shop.example/o/42,Type=URL}',
              '--description',
              'Video support',
            ],
            ...['--attributes', 'plan=gold', '--client-token', clientToken],
          ],
          { env: { ...process.env, ...node.awsEnv }, timeout: 60_000 },
        ).then(({ stdout }) => JSON.parse(stdout));
      const out = await run('5b9e0c8a-5d1e-4a41-9b53-4d6f0c1e2a77');
      assert.match(out.ContactId, /^[0-9a-f-]{36}$/);
      assert.match(
        out.ConnectionData.Meeting.MediaPlacement.SignalingUrl,
        /^ws:\/\/127\.0\.0\.1:\d+\/control\//,
      );
      assert.match(out.ConnectionData.Attendee.JoinToken, /^[A-Za-z0-9_-]+$/);
      assert.equal((await run('5b9e0c8a-5d1e-4a41-9b53-4d6f0c1e2a77')).ContactId, out.ContactId, 'a repeat');
      const { Contact } = await node
        .connect()
        .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: out.ContactId }));
      assert.equal(Contact!.Description, 'Video support');
    } finally {
      await node.close();
    }
  });
});

describe('the join window', () => {
  test('a call whose customer does not join within 5 minutes ends (EXPIRED)', async () => {
    const clock = new ManualClock(Date.now());
    const node = await startTestNode([], { clock });
    try {
      const out = await call(node);
      const describeIt = () =>
        connectAtClock(node, clock).send(
          new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: out.ContactId }),
        );
      clock.advance(4 * 60_000);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(
        (await describeIt()).Contact!.DisconnectReason,
        undefined,
        'still waiting after 4 minutes',
      );
      clock.advance(60_000 + 1000);
      let reason: string | undefined;
      for (let i = 0; i < 40 && !reason; i++) {
        await new Promise((r) => setTimeout(r, 100));
        reason = (await describeIt()).Contact!.DisconnectReason;
      }
      assert.equal(reason, 'EXPIRED');
    } finally {
      await node.close();
    }
  });
});
