/**
 * The meetings' signaling sockets, at each meeting's SignalingUrl (/control/<MeetingId>), as the
 * Chime SDK opens them (shared/spec/webrtc-media.md §§2–3): the JoinToken comes as the second
 * of the subprotocols `_aws_wt_session, <token>`, and the server selects `_aws_wt_session`. A
 * token that is not an attendee's of that meeting's live call gets an opened socket closed at
 * once with 4403, which the SDK takes as final (an HTTP 403 would make it retry every 2 s).
 *
 * Each socket is an attendee session of its meeting on this node's media plane
 * (media-plane.ts, meeting.ts, attendee-session.ts), which answers its frames; anything that
 * is not a frame is ignored, as the SDK ignores what it does not know. A socket opened just as
 * the call ends is checked again once its meeting listens for the end, so it is told either way.
 */
import type { Server } from 'node:http';
import type { WebSocket } from 'ws';
import type { MeetingAttendee, WebCalls } from '../../domain/calls/web-calls.ts';
import { attachWebSocketEndpoint, type EndpointLog } from '../../gateway/websocket-endpoint.ts';
import type { MediaPlane } from '../media-plane.ts';
import { decodeFrame, encodeFrame, type Frame } from './signal-frames.ts';

export const SIGNALING_PATH = '/control/';
/** The subprotocol the SDK offers before its JoinToken, and the one the server selects. */
export const SESSION_PROTOCOL = '_aws_wt_session';
/** An SDP offer with every candidate is a few KiB; nothing the SDK sends comes near this. */
const MAX_FRAME_BYTES = 256 * 1024;
/** Closes the socket for a token that is not a live attendee's: the SDK stops, without retrying. */
const CLOSE_NOT_AN_ATTENDEE = 4403;

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
  media: MediaPlane,
  log: EndpointLog,
  now: () => number,
): SignalingGateway {
  const serve = (ws: WebSocket, { attendee, joinToken }: Session) => {
    const session = media.open(attendee, {
      send: (frame) => endpoint.send(ws, encodeFrame(frame, now())),
      close: (code, reason) => ws.close(code, reason),
    });
    ws.on('close', () => session.socketClosed());
    calls.attendeeOf(joinToken, attendee.meetingId).then(
      (still) => void (still || session.meetingEnded()),
      (err: unknown) => {
        log.warn({ endpoint: 'signaling', err }, 'could not check a signaling socket again');
        ws.close(4500, 'Could not check the attendee');
      },
    );
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const frame: Frame | undefined = decodeFrame(data, isBinary);
      if (frame) session.handle(frame);
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

  return {
    close: () => {
      media.close();
      endpoint.close();
    },
  };
}
