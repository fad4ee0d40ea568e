/**
 * The Chime SDK's signaling frames (shared/spec/webrtc-media.md §2): every binary message on
 * the signaling socket, both ways, is one byte 0x05 and then a protobuf SdkSignalFrame. The
 * schema is the SDK's own generated protobufjs module, from the amazon-chime-sdk-js release
 * the project pins, so that what the SDK writes is what is read here.
 */
import signaling from 'amazon-chime-sdk-js/build/signalingprotocol/SignalingProtocol.js';
import type {
  ISdkSignalFrame,
  SdkSignalFrame as Frame,
} from 'amazon-chime-sdk-js/build/signalingprotocol/SignalingProtocol.js';

const { SdkSignalFrame, SdkStreamMediaType } = signaling;

/** The frame types (JOIN 1, JOIN_ACK 2, SUBSCRIBE 3 …, as the SDK numbers them). */
export const FrameType = SdkSignalFrame.Type;
/** A stream descriptor's media type (AUDIO 1, VIDEO 2). */
export const MediaType = SdkStreamMediaType;
/** The track label of an attendee's camera stream, in SUBSCRIBE, SUBSCRIBE_ACK and INDEX. */
export const CAMERA_TRACK_LABEL = 'AmazonChimeExpressVideo';
export type { Frame, ISdkSignalFrame };

/** The byte before every frame's protobuf. */
const SIGNAL_PREFIX = 0x05;

/** A frame to send (its type and payload), stamped with the time it is encoded at. */
export function encodeFrame(frame: Omit<ISdkSignalFrame, 'timestampMs'>, nowMs: number): Uint8Array {
  const body = SdkSignalFrame.encode(SdkSignalFrame.create({ ...frame, timestampMs: nowMs })).finish();
  const out = new Uint8Array(body.length + 1);
  out[0] = SIGNAL_PREFIX;
  out.set(body, 1);
  return out;
}

/**
 * A client's message as a frame; undefined for anything that is not one: text, a message
 * without the prefix, bytes that are not an SdkSignalFrame (truncated, a required field
 * missing, a payload of the wrong wire type). It never throws.
 */
export function decodeFrame(data: Uint8Array, isBinary = true): Frame | undefined {
  if (!isBinary || data.length < 2 || data[0] !== SIGNAL_PREFIX) return undefined;
  try {
    const frame = SdkSignalFrame.decode(data.subarray(1));
    return SdkSignalFrame.verify(frame) === null ? frame : undefined;
  } catch {
    return undefined;
  }
}
