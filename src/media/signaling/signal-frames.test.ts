import { test } from 'node:test';
import assert from 'node:assert/strict';
import signaling from 'amazon-chime-sdk-js/build/signalingprotocol/SignalingProtocol.js';
import { decodeFrame, encodeFrame, FrameType, type ISdkSignalFrame } from './signal-frames.ts';

const { SdkSignalFrame } = signaling;

/** A frame as the SDK writes it: 0x05, then its protobuf. */
const fromSdk = (frame: ISdkSignalFrame) =>
  Buffer.concat([Buffer.from([0x05]), SdkSignalFrame.encode(SdkSignalFrame.create(frame)).finish()]);

test('a JOIN as the SDK sends it is read with its fields', () => {
  const frame = decodeFrame(
    fromSdk({
      type: FrameType.JOIN,
      timestampMs: 1_700_000_000_000,
      join: {
        protocolVersion: 2,
        flags: 2,
        clientDetails: {
          appName: 'test-call',
          clientSource: 'amazon-chime-sdk-js',
          chimeSdkVersion: '3.32.0',
        },
        audioSessionId: 123_456_789,
        wantsCompressedSdp: true,
      },
    }),
  );
  assert.ok(frame, 'a frame');
  assert.equal(frame.type, FrameType.JOIN);
  assert.equal(frame.join?.protocolVersion, 2);
  assert.equal(frame.join?.wantsCompressedSdp, true);
  assert.equal(frame.join?.clientDetails?.chimeSdkVersion, '3.32.0');
  assert.equal(Number(frame.join?.audioSessionId), 123_456_789);
  assert.equal(Number(frame.timestampMs), 1_700_000_000_000);
});

test('what the server sends is 0x05 and a frame the SDK reads, stamped with the time', () => {
  const ack = encodeFrame(
    { type: FrameType.JOIN_ACK, joinack: { videoSubscriptionLimit: 25, wantsCompressedSdp: false } },
    42,
  );
  assert.equal(ack[0], 0x05);
  const read = SdkSignalFrame.decode(ack.subarray(1));
  assert.equal(read.type, FrameType.JOIN_ACK);
  assert.equal(Number(read.timestampMs), 42);
  assert.equal(read.joinack?.videoSubscriptionLimit, 25);
  assert.equal(read.joinack?.wantsCompressedSdp, false);

  const pong = SdkSignalFrame.decode(
    encodeFrame({ type: FrameType.PING_PONG, pingPong: { type: 2, pingId: 7 } }, 43).subarray(1),
  );
  assert.deepEqual([pong.type, pong.pingPong?.type, pong.pingPong?.pingId], [FrameType.PING_PONG, 2, 7]);
});

test('anything else is not a frame, and reading it never throws', () => {
  const join = fromSdk({ type: FrameType.JOIN, timestampMs: 1, join: { protocolVersion: 2 } });
  const bad: [string, Uint8Array, boolean?][] = [
    ['a text message', Buffer.from('{"topic":"aws/subscribe"}'), false],
    ['no bytes', Buffer.alloc(0)],
    ['the prefix alone', Buffer.from([0x05])],
    ['another prefix', Buffer.concat([Buffer.from([0x02]), join.subarray(1)])],
    // The SDK always writes both required fields (timestamp_ms 1, type 2); these lack one.
    ['no type (a required field)', Buffer.from([0x05, 0x08, 0x01])],
    ['no time (a required field)', Buffer.from([0x05, 0x10, 0x09])],
    ['a frame cut short', join.subarray(0, join.length - 3)],
    ['the type sent as bytes', Buffer.from([0x05, 0x0a, 0x01, 0x01])],
  ];
  for (const [what, bytes, binary] of bad) assert.equal(decodeFrame(bytes, binary ?? true), undefined, what);

  // Seeded random bytes after the prefix: each is a frame that verifies, or not a frame.
  let seed = 0x5eed;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let frames = 0;
  for (let i = 0; i < 5_000; i++) {
    const bytes = Buffer.alloc(1 + Math.floor(random() * 64));
    bytes[0] = 0x05;
    for (let j = 1; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256);
    const frame = decodeFrame(bytes);
    if (frame) {
      frames++;
      assert.equal(SdkSignalFrame.verify(frame), null);
    }
  }
  assert.ok(frames < 5_000, `most random bytes are not frames (${frames} were)`);
});
