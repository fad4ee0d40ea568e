/**
 * A meeting's signaling socket as the Chime SDK opens it (shared/spec/webrtc-media.md §§2–3),
 * with a `ws` client writing the SDK's frames (its own protobuf module): the JoinToken as a
 * subprotocol, JOIN answered by JOIN_ACK then INDEX, PING by PONG, LEAVE by LEAVE_ACK, a
 * session told the meeting ended (AUDIO_STATUS 410) when the call ends, a token that is not
 * the meeting's live attendee's closed with 4403 after the upgrade; and the meeting's event
 * ingestion, for its attendee only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { RTCPeerConnection } from 'werift';
import {
  DescribeContactCommand,
  StartWebRTCContactCommand,
  StopContactCommand,
} from '@aws-sdk/client-connect';
import { startTestNode, type TestNode } from '../support/node.ts';
import { SDK_QUERY, SignalingClient, T } from '../support/chime-signaling.ts';

describe('signaling', () => {
  let node: TestNode;
  const start = () =>
    node.connect().send(
      new StartWebRTCContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: node.flowId,
        ParticipantDetails: { DisplayName: 'Jane' },
      }),
    );
  /** A new call, and its customer's signaling socket, open, as the SDK opens it. */
  const openSession = async () => {
    const call = await start();
    const { Meeting, Attendee } = call.ConnectionData!;
    const client = new SignalingClient(Meeting!.MediaPlacement!.SignalingUrl!, [
      '_aws_wt_session',
      Attendee!.JoinToken!,
    ]);
    await once(client.ws, 'open');
    return { call, client };
  };
  before(async () => {
    node = await startTestNode();
  });
  after(() => node.close());

  test('the attendee joins with its token as a subprotocol: JOIN_ACK then INDEX, PONG for PING, LEAVE_ACK for LEAVE', async () => {
    const { call, client } = await openSession();
    assert.equal(client.ws.protocol, '_aws_wt_session');

    client.send({
      type: T.JOIN,
      join: { protocolVersion: 2, flags: 2, audioSessionId: 99, wantsCompressedSdp: true },
    });
    const ack = await client.next(T.JOIN_ACK);
    assert.equal(ack.joinack.wantsCompressedSdp, false, 'plain SDP');
    assert.equal(ack.joinack.videoSubscriptionLimit, 25);
    assert.ok(Math.abs(Number(ack.timestampMs) - Date.now()) < 5000, 'stamped with the time');
    const index = await client.next(T.INDEX);
    assert.deepEqual(index.index.sources, []);
    assert.equal(client.frames.length, 0, 'INDEX right after JOIN_ACK');

    // What is not a frame is ignored; the session goes on.
    client.ws.send('{"not":"a frame"}');
    client.ws.send(Buffer.from([0x05, 0xff, 0xff, 0xff]));
    client.send({ type: T.PING_PONG, pingPong: { type: 1, pingId: 7 } });
    const pong = await client.next(T.PING_PONG);
    assert.deepEqual([pong.pingPong.type, pong.pingPong.pingId], [2, 7]);

    // LEAVE is the customer hanging up.
    client.send({ type: T.LEAVE, leave: {} });
    await client.next(T.LEAVE_ACK);
    client.ws.close();
    const { Contact } = await node
      .connect()
      .send(new DescribeContactCommand({ InstanceId: node.instanceId, ContactId: call.ContactId }));
    assert.equal(Contact!.DisconnectReason, 'CUSTOMER_DISCONNECT');
  });

  test('when the call ends (StopContact), its sessions are told the meeting ended (AUDIO_STATUS 410) and closed', async () => {
    const { call, client } = await openSession();
    client.send({ type: T.JOIN, join: { protocolVersion: 2 } });
    await client.next(T.INDEX);
    const closed = once(client.ws, 'close');
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: call.ContactId }));
    const status = await client.next(T.AUDIO_STATUS);
    assert.equal(status.audioStatus.audioStatus, 410);
    const [code] = await closed;
    assert.equal(code, 4410);
  });

  test("a token that is not the meeting's live attendee's opens a socket that closes at once with 4403", async () => {
    const [one, two] = [await start(), await start()];
    const url = (c: typeof one) => c.ConnectionData!.Meeting!.MediaPlacement!.SignalingUrl!;
    const token = (c: typeof one) => c.ConnectionData!.Attendee!.JoinToken!;
    const closesWith4403 = async (what: string, target: string, protocols: string[]) => {
      const ws = new WebSocket(target + SDK_QUERY, protocols);
      ws.on('error', () => {});
      const [code] = await once(ws, 'close');
      assert.equal(code, 4403, what);
    };
    await closesWith4403('another meeting', url(one), ['_aws_wt_session', token(two)]);
    await closesWith4403('a forged token', url(one), ['_aws_wt_session', `${token(one).slice(0, -4)}AAAA`]);
    await closesWith4403('no token', url(one), ['_aws_wt_session']);
    await closesWith4403('no subprotocol', url(one), []);
    await closesWith4403('a meeting that is not one', `${url(one)}%zz`, ['_aws_wt_session', token(one)]);
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: one.ContactId }));
    await closesWith4403('an ended call', url(one), ['_aws_wt_session', token(one)]);
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: two.ContactId }));
  });

  test("the meeting's events are taken from its attendee (bearer or beacon), from any page, and from nobody else", async () => {
    const call = await start();
    const ingestion = call.ConnectionData!.Meeting!.MediaPlacement!.EventIngestionUrl!;
    const token = call.ConnectionData!.Attendee!.JoinToken!;
    const batch = JSON.stringify({
      metadata: { meetingId: call.ConnectionData!.Meeting!.MeetingId },
      events: [],
    });
    const post = (init: { auth?: string; beacon?: boolean; body?: string }) =>
      fetch(init.beacon ? `${ingestion}?beacon=1` : ingestion, {
        method: 'POST',
        headers: {
          'content-type': 'text/plain;charset=UTF-8',
          origin: 'http://shop.example',
          ...(init.auth && { authorization: init.auth }),
        },
        body: init.body ?? batch,
      });

    const preflight = await fetch(ingestion, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-headers')!, /authorization/);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');

    const taken = await post({ auth: `Bearer ${token}` });
    assert.equal(taken.status, 200);
    assert.equal(taken.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(await taken.json(), {});
    const beacon = await post({ beacon: true, body: JSON.stringify({ events: [], authorization: token }) });
    assert.equal(beacon.status, 200);

    for (const [what, init] of [
      ['no token', {}],
      ['a forged token', { auth: `Bearer ${token.slice(0, -4)}AAAA` }],
      ['a beacon without its token', { beacon: true }],
      ['a beacon whose body is not JSON', { beacon: true, body: 'authorization' }],
    ] as const)
      assert.equal((await post(init)).status, 403, what);
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: call.ContactId }));
    assert.equal((await post({ auth: `Bearer ${token}` })).status, 403, 'an ended call');
  });

  test('a SUBSCRIBE whose SDP offer cannot be answered ends the session with 4400; the next session is answered', async () => {
    const { call, client } = await openSession();
    client.send({ type: T.JOIN, join: { protocolVersion: 2 } });
    await client.next(T.INDEX);
    const closed = once(client.ws, 'close');
    client.send({
      type: T.SUBSCRIBE,
      sub: { duplex: 3, sdpOffer: 'v=0\r\nthis is not SDP\r\n', audioHost: 'x' },
    });
    const [code] = await closed;
    assert.equal(code, 4400);
    const again = new SignalingClient(call.ConnectionData!.Meeting!.MediaPlacement!.SignalingUrl!, [
      '_aws_wt_session',
      call.ConnectionData!.Attendee!.JoinToken!,
    ]);
    await once(again.ws, 'open');
    again.send({ type: T.PING_PONG, pingPong: { type: 1, pingId: 1 } });
    await again.next(T.PING_PONG);
    again.ws.close();
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: call.ContactId }));
  });
});

describe('signaling on a node configured for a real deployment', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode([
      '--media-address',
      '127.0.0.5',
      '--media-ports',
      '41000-41019',
      '--turn-uri',
      'turn:turn.example.com:3478',
      '--turn-secret',
      'turn-s3cret',
      '--media-origin',
      'wss://cc.example.com',
    ]);
  });
  after(() => node.close());

  test('meetings name the media origin; JOIN_ACK carries TURN credentials; the answer announces the address, on a port of the range', async () => {
    const call = await node.connect().send(
      new StartWebRTCContactCommand({
        InstanceId: node.instanceId,
        ContactFlowId: node.flowId,
        ParticipantDetails: { DisplayName: 'Jane' },
      }),
    );
    const { Meeting, Attendee } = call.ConnectionData!;
    assert.equal(Meeting!.MediaPlacement!.SignalingUrl, `wss://cc.example.com/control/${Meeting!.MeetingId}`);
    assert.equal(Meeting!.MediaPlacement!.EventIngestionUrl, 'https://cc.example.com/meetings/events');
    assert.equal(Meeting!.MediaPlacement!.AudioHostUrl, 'cc.example.com');

    // The TLS proxy in front is not here: the test reaches the node itself.
    const port = new URL(node.url).port;
    const client = new SignalingClient(`ws://127.0.0.1:${port}/control/${Meeting!.MeetingId}`, [
      '_aws_wt_session',
      Attendee!.JoinToken!,
    ]);
    await once(client.ws, 'open');
    client.send({ type: T.JOIN, join: { protocolVersion: 2 } });
    const { joinack } = await client.next(T.JOIN_ACK);
    const turn = joinack.turnCredentials;
    assert.deepEqual(turn.uris, ['turn:turn.example.com:3478']);
    const [expiry, attendeeId] = turn.username.split(':');
    assert.equal(attendeeId, Attendee!.AttendeeId);
    assert.ok(Math.abs(Number(expiry) - Date.now() / 1000 - turn.ttl) < 60, 'expires after its ttl');
    assert.equal(turn.password, createHmac('sha1', 'turn-s3cret').update(turn.username).digest('base64'));

    const offerer = new RTCPeerConnection({ iceUseIpv6: false, bundlePolicy: 'max-bundle' });
    offerer.addTransceiver('audio', { direction: 'sendrecv' });
    await offerer.setLocalDescription(await offerer.createOffer());
    await new Promise<void>((resolve) =>
      offerer.iceGatheringState === 'complete'
        ? resolve()
        : offerer.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve()),
    );
    client.send({ type: T.SUBSCRIBE, sub: { duplex: 3, sdpOffer: offerer.localDescription!.sdp } });
    const { suback } = await client.next(T.SUBSCRIBE_ACK, 10_000);
    const candidates = [...suback.sdpAnswer.matchAll(/a=candidate:\S+ \d \S+ \d+ (\S+) (\d+) typ host/g)];
    assert.ok(
      candidates.some(([, address]) => address === '127.0.0.5'),
      suback.sdpAnswer,
    );
    for (const [, , p] of candidates) assert.ok(Number(p) >= 41000 && Number(p) <= 41019, `port ${p}`);
    await offerer.close();
    client.ws.close();
    await node
      .connect()
      .send(new StopContactCommand({ InstanceId: node.instanceId, ContactId: call.ContactId }));
  });
});
