/**
 * The meetings' signaling sockets, at each meeting's SignalingUrl (/control/<MeetingId>), as the
 * Chime SDK opens them (shared/spec/webrtc-media.md §§2–3): the JoinToken comes as the second
 * of the subprotocols `_aws_wt_session, <token>`, and the server selects `_aws_wt_session`. A
 * token that is not an attendee's of that meeting's live call gets an opened socket closed at
 * once with 4403, which the SDK takes as final (an HTTP 403 would make it retry every 2 s).
 *
 * A session answers JOIN with JOIN_ACK and then INDEX (the other attendees' video sources:
 * none yet), SUBSCRIBE (the SDK's SDP offer) with SUBSCRIBE_ACK (the answer of the session's
 * peer, meeting-peer.ts), one at a time and in order, PING with PONG, and LEAVE with LEAVE_ACK;
 * a JOIN starts the session's media again (a reconnect). Anything that is not a frame is
 * ignored, as the SDK ignores what it does not know. Media forwarding comes next.
 * When the call ends (topics.meeting), each session is sent AUDIO_STATUS 410, which the SDK
 * takes as MeetingEnded, and closed.
 */
import type { Server } from 'node:http';
import type { WebSocket } from 'ws';
import { topics, type EventBus } from '../../ports/event-bus.ts';
import type { MeetingAttendee, WebCalls } from '../../domain/calls/web-calls.ts';
import { attachWebSocketEndpoint, type EndpointLog } from '../../gateway/websocket-endpoint.ts';
import { MeetingPeer } from '../meeting-peer.ts';
import { decodeFrame, encodeFrame, FrameType, type Frame, type ISdkSignalFrame } from './signal-frames.ts';

export const SIGNALING_PATH = '/control/';
/** The subprotocol the SDK offers before its JoinToken, and the one the server selects. */
export const SESSION_PROTOCOL = '_aws_wt_session';
/** An SDP offer with every candidate is a few KiB; nothing the SDK sends comes near this. */
const MAX_FRAME_BYTES = 256 * 1024;
/** The most video tiles a client is told to subscribe to. */
const VIDEO_SUBSCRIPTION_LIMIT = 25;
/** Closes the socket for a token that is not a live attendee's: the SDK stops, without retrying. */
const CLOSE_NOT_AN_ATTENDEE = 4403;
/** AUDIO_STATUS of a meeting that has ended, and the close that follows it. */
const MEETING_ENDED = 410;
const CLOSE_MEETING_ENDED = 4410;
/** An offer the peer cannot take: the SDK stops (SignalingBadRequest) rather than retry it. */
const CLOSE_BAD_OFFER = 4400;
/** Announced besides the machine's addresses, so that a call on one machine always connects. */
const HOST_ADDRESSES = ['127.0.0.1'];

interface Session {
  attendee: MeetingAttendee;
  /** To check the attendee again once the session listens for the meeting's end. */
  joinToken: string;
}

export interface SignalingGateway {
  close(): void;
}

export function attachSignalingGateway(
  server: Server,
  calls: Pick<WebCalls, 'attendeeOf'>,
  bus: EventBus,
  log: EndpointLog,
  now: () => number,
): SignalingGateway {
  const send = (ws: WebSocket, frame: Omit<ISdkSignalFrame, 'timestampMs'>) =>
    endpoint.send(ws, encodeFrame(frame, now()));

  const serve = (ws: WebSocket, { attendee, joinToken }: Session) => {
    let over = false;
    const ended = () => {
      if (over) return;
      over = true;
      send(ws, { type: FrameType.AUDIO_STATUS, audioStatus: { audioStatus: MEETING_ENDED } });
      setImmediate(() => ws.close(CLOSE_MEETING_ENDED, 'Meeting ended'));
    };
    let peer: MeetingPeer | undefined;
    const closePeer = () => {
      peer
        ?.close()
        .catch((err: unknown) => log.debug({ endpoint: 'signaling', err }, 'closing a peer failed'));
      peer = undefined;
    };
    ws.on('close', closePeer);
    // SUBSCRIBEs are answered in the order they came, each once the one before is.
    let subscribing = Promise.resolve();
    const subscribe = async (frame: Frame) => {
      const offer = frame.sub?.sdpOffer;
      if (!offer || ws.readyState !== ws.OPEN) return;
      peer ??= new MeetingPeer(`audio-${attendee.attendeeId}`, { hostAddresses: HOST_ADDRESSES });
      let sdpAnswer: string;
      try {
        sdpAnswer = await peer.answer(offer);
      } catch (err) {
        log.debug({ endpoint: 'signaling', err }, 'an SDP offer the peer could not answer');
        ws.close(CLOSE_BAD_OFFER, 'The SDP offer could not be answered');
        return;
      }
      send(ws, {
        type: FrameType.SUBSCRIBE_ACK,
        suback: { duplex: frame.sub?.duplex, sdpAnswer, allocations: [], tracks: [] },
      });
    };
    // Listening first, then asking again: a call that ended in between is seen either way.
    const unsubscribe = bus.subscribe(topics.meeting(attendee.meetingId), ended);
    ws.on('close', unsubscribe);
    calls.attendeeOf(joinToken, attendee.meetingId).then(
      (still) => void (still || ended()),
      (err: unknown) => {
        log.warn({ endpoint: 'signaling', err }, 'could not check a signaling socket again');
        ws.close(4500, 'Could not check the attendee');
      },
    );
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const frame: Frame | undefined = decodeFrame(data, isBinary);
      if (!frame) return;
      switch (frame.type) {
        case FrameType.JOIN:
          closePeer(); // a JOIN (a reconnect too) starts the session's media again
          // JOIN_ACK first: the SDK stops listening for it once INDEX has come.
          send(ws, {
            type: FrameType.JOIN_ACK,
            joinack: { videoSubscriptionLimit: VIDEO_SUBSCRIPTION_LIMIT, wantsCompressedSdp: false },
          });
          send(ws, { type: FrameType.INDEX, index: { atCapacity: false, sources: [], numParticipants: 1 } });
          break;
        case FrameType.SUBSCRIBE:
          subscribing = subscribing
            .then(() => subscribe(frame))
            .catch((err: unknown) =>
              log.warn({ endpoint: 'signaling', err }, 'could not answer a SUBSCRIBE'),
            );
          break;
        case FrameType.PING_PONG:
          if (frame.pingPong?.type === 1)
            send(ws, { type: FrameType.PING_PONG, pingPong: { type: 2, pingId: frame.pingPong.pingId } });
          break;
        case FrameType.LEAVE:
          send(ws, { type: FrameType.LEAVE_ACK, leaveAck: {} });
          break;
        default:
          log.debug(
            { endpoint: 'signaling', type: frame.type, meetingId: attendee.meetingId },
            'frame not handled yet',
          );
      }
    });
  };

  const endpoint = attachWebSocketEndpoint<Session>({
    server,
    path: SIGNALING_PATH,
    protocol: SESSION_PROTOCOL,
    name: 'signaling',
    maxPayload: MAX_FRAME_BYTES,
    log,
    authenticate: async (req, url) => {
      let meetingId: string;
      try {
        meetingId = decodeURIComponent(url.pathname.slice(SIGNALING_PATH.length));
      } catch {
        return { closeCode: CLOSE_NOT_AN_ATTENDEE, reason: 'Not a meeting' };
      }
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      const token = offered[0] === SESSION_PROTOCOL ? offered[1] : undefined;
      const attendee = token ? await calls.attendeeOf(token, meetingId) : undefined;
      if (!attendee || !token)
        return { closeCode: CLOSE_NOT_AN_ATTENDEE, reason: 'Not an attendee of this meeting' };
      return { attendee, joinToken: token };
    },
    serve,
  });

  return { close: () => endpoint.close() };
}
