/**
 * A web call's media through a real node, with attendees that are werift peers speaking the
 * Chime SDK's signaling (test/support/chime-peer.ts) and sending real Opus tones: the flow
 * starts once the customer's media is up, the call is routed to an agent as a call, the agent
 * joins the same meeting, each hears the other's tone, presence and mutes reach both, a
 * second socket with the same token takes the attendee's place, and whoever leaves ends the
 * call with their disconnect reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import {
  DescribeContactCommand,
  StartWebRTCContactCommand,
  StopContactCommand,
} from '@aws-sdk/client-connect';
import { connectAtClock, startTestNode, tempDir, type TestNode } from '../support/node.ts';
import { ManualClock } from '../../src/ports/clock.ts';
import { AgentClient, availableAgent } from '../support/agent.ts';
import { ChimeTestPeer } from '../support/chime-peer.ts';
import { T } from '../support/chime-signaling.ts';

const CUSTOMER_HZ = 440;
const AGENT_HZ = 880;

describe('call media', () => {
  let node: TestNode;
  let agent: AgentClient;
  const peers: ChimeTestPeer[] = [];
  before(async () => {
    node = await startTestNode();
    agent = await availableAgent(node.url, node.connect(), node.instanceId, 'caller');
  });
  after(async () => {
    for (const p of peers) await p.close();
    await agent.disconnect();
    await node.close();
  });

  const describeContact = async (contactId: string) =>
    (
      await node
        .connect()
        .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: contactId }))
    ).Contact!;
  const join = async (connectionData: any) => {
    const peer = await ChimeTestPeer.join(connectionData);
    peers.push(peer);
    return peer;
  };
  const presentIn = (peer: ChimeTestPeer, attendeeId: string) =>
    peer.signal.until(
      (all) =>
        all.some(
          (f) =>
            f.type === T.AUDIO_STREAM_ID_INFO &&
            f.audioStreamIdInfo.streams.some((s: any) => s.attendeeId === attendeeId),
        ),
      `${attendeeId} present`,
    );

  /** A call whose customer (440 Hz) and agent (880 Hz) are connected and hear each other. */
  async function connectedCall() {
    const call = await node.connect().send(
      new StartWebRTCContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: node.flowId,
        ParticipantDetails: { DisplayName: 'Jane' },
      }),
    );
    const contactId = call.ContactId!;
    const customer = await join(call.ConnectionData);
    // Nothing routes the call before the customer's media is up: the flow starts with it.
    assert.equal((await describeContact(contactId)).QueueInfo, undefined);
    customer.sendTone(CUSTOMER_HZ);
    const offered = await agent.offer(contactId);
    // Before the agent answers, the customer hears the node speak the flow's greeting.
    await customer.hearsWhen((p) => p.heardLevel() > 0.01, 'the greeting');
    assert.equal(agent.latest!.contacts.find((c) => c.contactId === offered)!.channel, 'VOICE');
    const { connectionData, participantId } = await agent.acceptCall(contactId);
    assert.equal(connectionData.Meeting!.MeetingId, call.ConnectionData!.Meeting!.MeetingId);
    assert.notEqual(connectionData.Attendee!.AttendeeId, call.ConnectionData!.Attendee!.AttendeeId);
    const agentPeer = await join(connectionData);
    agentPeer.sendTone(AGENT_HZ);
    await customer.hears(AGENT_HZ);
    await agentPeer.hears(CUSTOMER_HZ);
    return { call, contactId, customer, agentPeer, agentParticipantId: participantId };
  }

  test('the flow starts once the customer is heard; the call is routed to the agent, who joins the meeting; each hears the other', async () => {
    const { contactId, customer, agentPeer, agentParticipantId } = await connectedCall();
    await presentIn(customer, agentPeer.attendeeId);
    await presentIn(agentPeer, customer.attendeeId);
    await presentIn(customer, customer.attendeeId);
    const contact = await describeContact(contactId);
    assert.equal(contact.Channel, 'VOICE');
    assert.ok(contact.QueueInfo?.Id, 'queued by the flow');
    assert.equal(contact.AgentInfo?.Id, agent.latest!.user.id);
    assert.equal(agent.latest!.contacts.find((c) => c.contactId === contactId)!.state, 'CONNECTED');
    assert.ok(agentParticipantId);

    // A mute is told to the other side, by the stream id presence gave.
    const customerStream = customer.signal.all
      .flatMap((f) => (f.type === T.AUDIO_STREAM_ID_INFO ? f.audioStreamIdInfo.streams : []))
      .find((s: any) => s.attendeeId === customer.attendeeId).audioStreamId;
    customer.signal.send({ type: T.AUDIO_CONTROL, audioControl: { muted: true } });
    await agentPeer.signal.until(
      (all) =>
        all.some(
          (f) =>
            f.type === T.AUDIO_STREAM_ID_INFO &&
            f.audioStreamIdInfo.streams.some((s: any) => s.audioStreamId === customerStream && s.muted),
        ),
      'the mute',
    );

    // The agent hangs up (the SDK's LEAVE): the call ends AGENT_DISCONNECT, the customer is told.
    agentPeer.leave();
    const status = await customer.signal.next(T.AUDIO_STATUS, 5000);
    assert.equal(status.audioStatus.audioStatus, 410);
    const [code] = await once(customer.signal.ws, 'close');
    assert.equal(code, 4410);
    const ended = await describeContact(contactId);
    assert.equal(ended.DisconnectReason, 'AGENT_DISCONNECT');
    await agent.until((s) => s.contacts.some((c) => c.contactId === contactId && c.state === 'ENDED'));
    assert.equal((await agent.command(contactId, 'clear')).status, 204);
  });

  test('while queued with no agent available, the customer hears the greeting and then hold audio; the agent who becomes available gets the call', async () => {
    await agent.setStatus('Offline');
    const call = await node.connect().send(
      new StartWebRTCContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: node.flowId,
        ParticipantDetails: { DisplayName: 'Jane' },
      }),
    );
    const customer = await join(call.ConnectionData);
    customer.sendTone(CUSTOMER_HZ);
    await customer.hearsWhen((p) => p.heardLevel() > 0.01, 'the greeting');
    // Hold audio is four notes (C5 E5 G5 E5), half a second each: each of them comes through.
    const HOLD_NOTES = [525, 660, 785];
    const seen = new Set<number>();
    await customer.hearsWhen(
      (p) => {
        const f = p.heardFrequency();
        for (const hz of HOLD_NOTES) if (Math.abs(f - hz) <= 10) seen.add(hz);
        return seen.size === HOLD_NOTES.length;
      },
      'every note of the hold audio',
      12_000,
    );
    assert.ok((await describeContact(call.ContactId!)).QueueInfo?.Id, 'queued');
    await agent.setStatus('Available');
    const { connectionData } = await agent.acceptCall(await agent.offer(call.ContactId!));
    const agentPeer = await join(connectionData);
    agentPeer.sendTone(AGENT_HZ);
    await customer.hears(AGENT_HZ);
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: call.ContactId }));
    await agent.until((s) => s.contacts.some((c) => c.contactId === call.ContactId && c.state === 'ENDED'));
    assert.equal((await agent.command(call.ContactId!, 'clear')).status, 204);
  });

  test("the customer's LEAVE ends the call CUSTOMER_DISCONNECT; the agent's meeting ends", async () => {
    const { contactId, customer, agentPeer } = await connectedCall();
    customer.leave();
    const status = await agentPeer.signal.next(T.AUDIO_STATUS, 5000);
    assert.equal(status.audioStatus.audioStatus, 410);
    assert.equal((await describeContact(contactId)).DisconnectReason, 'CUSTOMER_DISCONNECT');
    await agent.until((s) => s.contacts.some((c) => c.contactId === contactId && c.state === 'ENDED'));
    assert.equal((await agent.command(contactId, 'clear')).status, 204);
  });

  test('a second socket with the same token takes the attendee’s place: the first is told and closed, the call goes on', async () => {
    const { contactId, call, customer, agentPeer } = await connectedCall();
    const again = await join(call.ConnectionData);
    const status = await customer.signal.next(T.AUDIO_STATUS, 5000);
    assert.equal(status.audioStatus.audioStatus, 301, 'joined from another device');
    again.sendTone(660);
    await agentPeer.hears(660);
    await again.hears(AGENT_HZ);
    assert.equal((await describeContact(contactId)).DisconnectReason, undefined, 'still going');
    await node.connect().send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: contactId }));
    assert.equal((await again.signal.next(T.AUDIO_STATUS, 5000)).audioStatus.audioStatus, 410);
    await agent.until((s) => s.contacts.some((c) => c.contactId === contactId && c.state === 'ENDED'));
    assert.equal((await agent.command(contactId, 'clear')).status, 204);
  });
});

describe('call media that goes away', () => {
  const startCall = (node: TestNode, connect = node.connect()) =>
    connect.send(
      new StartWebRTCContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: node.flowId,
        ParticipantDetails: { DisplayName: 'Jane' },
      }),
    );
  const reasonOf = async (connect: ReturnType<TestNode['connect']>, node: TestNode, contactId: string) =>
    (await connect.send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: contactId })))
      .Contact!.DisconnectReason;

  test('a customer whose socket goes away and who does not come back within 10 s has hung up (CUSTOMER_DISCONNECT)', async () => {
    const node = await startTestNode();
    try {
      const call = await startCall(node);
      const customer = await ChimeTestPeer.join(call.ConnectionData!);
      customer.sendTone(CUSTOMER_HZ);
      await customer.hearsWhen((p) => p.heardLevel() > 0.01, 'the greeting');
      customer.signal.ws.terminate();
      await customer.close();
      await new Promise((r) => setTimeout(r, 5000));
      assert.equal(
        await reasonOf(node.connect(), node, call.ContactId!),
        undefined,
        'still waiting for a reconnect',
      );
      let reason: string | undefined;
      for (let i = 0; i < 80 && !reason; i++) {
        await new Promise((r) => setTimeout(r, 100));
        reason = await reasonOf(node.connect(), node, call.ContactId!);
      }
      assert.equal(reason, 'CUSTOMER_DISCONNECT');
    } finally {
      await node.close();
    }
  });

  test("a call whose node stops is kept by nobody: after its media lease (60 s) it ends TELECOM_PROBLEM; a live one's lease is renewed", async () => {
    const clock = new ManualClock(Date.now());
    const dataDir = tempDir();
    const first = await startTestNode([], { clock }, { dataDir });
    const connect = connectAtClock(first, clock);
    const call = await startCall(first, connect);
    const customer = await ChimeTestPeer.join(call.ConnectionData!);
    customer.sendTone(CUSTOMER_HZ);
    await customer.hearsWhen((p) => p.heardLevel() > 0.01, 'the greeting');
    // Ninety seconds of the node's clock, in steps its renewals keep up with: the call goes on.
    for (let i = 0; i < 6; i++) {
      clock.advance(15_000);
      await new Promise((r) => setTimeout(r, 1500));
    }
    assert.equal(await reasonOf(connect, first, call.ContactId!), undefined, 'a live call is kept');
    await customer.close();
    await first.close();

    const second = await startTestNode([], { clock }, { dataDir });
    try {
      const again = connectAtClock(second, clock);
      assert.equal(await reasonOf(again, second, call.ContactId!), undefined);
      clock.advance(61_000);
      let reason: string | undefined;
      for (let i = 0; i < 40 && !reason; i++) {
        await new Promise((r) => setTimeout(r, 100));
        reason = await reasonOf(again, second, call.ContactId!);
      }
      assert.equal(reason, 'TELECOM_PROBLEM');
    } finally {
      await second.close();
    }
  });
});

describe('a media connection that fails', () => {
  test('the session is closed with 4500 (the SDK reconnects), and a new session with the same token goes on', async () => {
    const node = await startTestNode();
    try {
      const call = await node.connect().send(
        new StartWebRTCContactCommand({
          InstanceId: node.instanceId,
          ContactFlowId: node.flowId,
          ParticipantDetails: { DisplayName: 'Jane' },
        }),
      );
      const customer = await ChimeTestPeer.join(call.ConnectionData!);
      customer.sendTone(CUSTOMER_HZ);
      await customer.hearsWhen((p) => p.heardLevel() > 0.01, 'the greeting');
      // The client's media goes away while its signaling socket stays.
      const closed = once(customer.signal.ws, 'close');
      customer.stopSending();
      await customer.pc.close();
      const [code] = await closed;
      assert.equal(code, 4500);
      const again = await ChimeTestPeer.join(call.ConnectionData!);
      await again.hearsWhen((p) => p.heardLevel() > 0.01, 'the hold audio, after the reconnect', 15_000);
      assert.equal(
        (
          await node
            .connect()
            .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: call.ContactId }))
        ).Contact!.DisconnectReason,
        undefined,
      );
      await again.close();
      await customer.close();
    } finally {
      await node.close();
    }
  });
});
