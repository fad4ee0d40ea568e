/**
 * One signaling socket of a meeting's attendee, as the Chime SDK drives it (shared spec
 * webrtc-media.md §3): JOIN is answered with JOIN_ACK and then INDEX (the SDK stops listening
 * for JOIN_ACK once INDEX has come), and makes the session the attendee's own in its meeting
 * (a JOIN on a new socket is a reconnect, or another device: it replaces the one before).
 * SUBSCRIBE, the SDK's SDP offer (the first and every re-offer), is answered by the session's
 * peer in SUBSCRIBE_ACK, one at a time and in order. AUDIO_CONTROL is a mute, PING gets its
 * PONG, LEAVE its LEAVE_ACK (the attendee has left the call). Frames it has no use for are
 * ignored, as the SDK ignores what it does not know.
 *
 * The session owns its peer: closing the session (its socket closed, the meeting over, the node
 * stopping) closes the peer and its tracks.
 */
import type { RtpPacket } from 'werift';
import type { EndpointLog } from '../gateway/websocket-endpoint.ts';
import type { MeetingAttendee } from '../domain/calls/web-calls.ts';
import type { MediaConfig } from '../config.ts';
import { MeetingPeer, type PacketSource } from './meeting-peer.ts';
import { turnCredentials } from './turn-credentials.ts';
import {
  CAMERA_TRACK_LABEL,
  FrameType,
  MediaType,
  type Frame,
  type ISdkSignalFrame,
} from './signaling/signal-frames.ts';

export type OutFrame = Omit<ISdkSignalFrame, 'timestampMs'>;

/** What a session needs of its socket. */
export interface SignalLink {
  send(frame: OutFrame): void;
  close(code: number, reason: string): void;
}

/** A video stream the meeting gave a publisher (SUBSCRIBE_ACK's allocations). */
export interface VideoAllocation {
  streamId: number;
  groupId: number;
}

/** What a session tells its meeting (meeting.ts), and asks of it. */
export interface SessionHost {
  joined(session: AttendeeSession): void;
  /** The INDEX a session is sent: the others' video sources. */
  index(session: AttendeeSession): NonNullable<OutFrame['index']>;
  /** The attendee offers its camera, or no longer does: its stream, if it may send video. */
  videoSending(session: AttendeeSession, sending: boolean): VideoAllocation | undefined;
  /** The video streams of the others, which the session may subscribe to. */
  videoStreams(session: AttendeeSession): ReadonlySet<number>;
  keyFrameWanted(streamId: number): void;
  /** A packet of the attendee's audio, and its level (−dBov) if the client sent one. */
  audio(session: AttendeeSession, rtp: RtpPacket, level: number | undefined): void;
  video(session: AttendeeSession, rtp: RtpPacket): void;
  muted(session: AttendeeSession, muted: boolean): void;
  left(session: AttendeeSession): void;
  gone(session: AttendeeSession): void;
}

export interface SessionOptions {
  /** How the peers are reached (their ICE candidates), and the TURN servers clients may relay through. */
  media: Pick<MediaConfig, 'hostAddresses' | 'portRange' | 'turn'>;
  log: EndpointLog;
  now: () => number;
}

/** The most video tiles a client is told to subscribe to. */
const VIDEO_SUBSCRIPTION_LIMIT = 25;
/** AUDIO_STATUS of a meeting that has ended, and the close that follows it. */
const MEETING_ENDED = 410;
const CLOSE_MEETING_ENDED = 4410;
/** AUDIO_STATUS of an attendee who joined again from another socket. */
const JOINED_FROM_ANOTHER_DEVICE = 301;
const CLOSE_REPLACED = 4409;
/** Closes a session whose media failed: the SDK reconnects (SignalingInternalServerError). */
const CLOSE_RECONNECT = 4500;
/** An offer the peer cannot take: the SDK stops (SignalingBadRequest) rather than retry it. */
const CLOSE_BAD_OFFER = 4400;
const PING = 1;
const PONG = 2;

export class AttendeeSession {
  readonly attendee: MeetingAttendee;
  readonly #host: SessionHost;
  readonly #link: SignalLink;
  readonly #o: SessionOptions;
  #peer: MeetingPeer | undefined;
  /** The video streams the last answer carries to the attendee. */
  #subscribed = new Set<number>();
  /** SUBSCRIBEs are answered in the order they came, each once the one before is. */
  #subscribing = Promise.resolve();
  #over = false;

  constructor(attendee: MeetingAttendee, host: SessionHost, link: SignalLink, o: SessionOptions) {
    this.attendee = attendee;
    this.#host = host;
    this.#link = link;
    this.#o = o;
  }

  get over(): boolean {
    return this.#over;
  }

  send(frame: OutFrame): void {
    if (!this.#over) this.#link.send(frame);
  }

  /** A frame from the socket. */
  handle(frame: Frame): void {
    if (this.#over) return;
    switch (frame.type) {
      case FrameType.JOIN:
        this.#closePeer(); // a JOIN starts the session's media again
        this.send({
          type: FrameType.JOIN_ACK,
          joinack: {
            videoSubscriptionLimit: VIDEO_SUBSCRIPTION_LIMIT,
            wantsCompressedSdp: false,
            // Only with a TURN server: the SDK then relays everything through it.
            ...(this.#o.media.turn && {
              turnCredentials: turnCredentials(this.#o.media.turn, this.attendee.attendeeId, this.#o.now()),
            }),
          },
        });
        this.#host.joined(this);
        this.send({ type: FrameType.INDEX, index: this.#host.index(this) });
        break;
      case FrameType.SUBSCRIBE:
        this.#subscribing = this.#subscribing
          .then(() => this.#subscribe(frame))
          .catch((err: unknown) =>
            this.#o.log.warn({ err, ...this.#where() }, 'could not answer a SUBSCRIBE'),
          );
        break;
      case FrameType.AUDIO_CONTROL:
        this.#host.muted(this, frame.audioControl?.muted === true);
        break;
      case FrameType.PING_PONG:
        if (frame.pingPong?.type === PING)
          this.send({ type: FrameType.PING_PONG, pingPong: { type: PONG, pingId: frame.pingPong.pingId } });
        break;
      case FrameType.LEAVE:
        this.send({ type: FrameType.LEAVE_ACK, leaveAck: {} });
        this.#closePeer();
        this.#host.left(this);
        break;
      default:
        this.#o.log.debug({ type: frame.type, ...this.#where() }, 'signaling frame not handled');
    }
  }

  /** Writes a packet of another source into this attendee's downlink (once its peer is up). */
  sendAudio(source: PacketSource, rtp: RtpPacket): void {
    this.#peer?.sendAudio(source, rtp);
  }

  /** Writes a packet of another attendee's video stream to this attendee, if it subscribed to it. */
  sendVideo(source: PacketSource, streamId: number, rtp: RtpPacket): void {
    this.#peer?.sendVideo(source, streamId, rtp);
  }

  /** A subscriber needs a key frame of this attendee's camera. */
  requestKeyFrame(): void {
    this.#peer?.requestKeyFrame();
  }

  /** The socket has closed: the session is over, its peer closed. */
  socketClosed(): void {
    if (this.#over) return;
    this.#end();
    this.#host.gone(this);
  }

  /** The call has ended: the SDK is told (MeetingEnded) and the socket closed. */
  meetingEnded(): void {
    this.#closeWith(MEETING_ENDED, CLOSE_MEETING_ENDED, 'Meeting ended');
  }

  /** The attendee has joined again on another socket: this one is told so, and closed. */
  replaced(): void {
    this.#closeWith(JOINED_FROM_ANOTHER_DEVICE, CLOSE_REPLACED, 'Joined from another socket');
  }

  /** The node is stopping. */
  close(): void {
    if (this.#over) return;
    this.#end();
    this.#link.close(1001, 'The node is stopping');
  }

  #closeWith(audioStatus: number, code: number, reason: string): void {
    if (this.#over) return;
    this.send({ type: FrameType.AUDIO_STATUS, audioStatus: { audioStatus } });
    this.#end();
    setImmediate(() => this.#link.close(code, reason));
  }

  #end(): void {
    this.#over = true;
    this.#closePeer();
  }

  async #subscribe(frame: Frame): Promise<void> {
    const offer = frame.sub?.sdpOffer;
    if (!offer || this.#over) return;
    this.#peer ??= this.#newPeer();
    const peer = this.#peer;
    const sub = frame.sub!;
    const allocation = this.#host.videoSending(
      this,
      (sub.sendStreams ?? []).some((s) => s.mediaType === MediaType.VIDEO),
    );
    let answered: Awaited<ReturnType<MeetingPeer['answer']>>;
    try {
      answered = await peer.answer(offer, {
        receiveCamera: allocation !== undefined,
        lines: sub.receiveStreamIds ?? [],
        available: this.#host.videoStreams(this),
      });
    } catch (err) {
      this.#o.log.debug({ err, ...this.#where() }, 'an SDP offer the peer could not answer');
      this.#end();
      this.#link.close(CLOSE_BAD_OFFER, 'The SDP offer could not be answered');
      return;
    }
    if (peer !== this.#peer) return; // a JOIN or a close came while it was being answered
    this.send({
      type: FrameType.SUBSCRIBE_ACK,
      suback: {
        duplex: sub.duplex,
        sdpAnswer: answered.sdp,
        allocations: allocation ? [{ trackLabel: CAMERA_TRACK_LABEL, ...allocation }] : [],
        tracks: answered.tracks,
      },
    });
    // A new subscriber's decoder starts from a key frame: ask now, and once media has had time to flow.
    const added = answered.tracks.map((t) => t.streamId).filter((id) => !this.#subscribed.has(id));
    this.#subscribed = new Set(answered.tracks.map((t) => t.streamId));
    for (const streamId of added) {
      this.#host.keyFrameWanted(streamId);
      setTimeout(() => this.#over || this.#host.keyFrameWanted(streamId), 1000).unref();
    }
  }

  #newPeer(): MeetingPeer {
    return new MeetingPeer(`audio-${this.attendee.attendeeId}`, {
      hostAddresses: this.#o.media.hostAddresses,
      portRange: this.#o.media.portRange,
      onAudio: (rtp, level) => {
        if (!this.#over) this.#host.audio(this, rtp, level);
      },
      onVideo: (rtp) => {
        if (!this.#over) this.#host.video(this, rtp);
      },
      onKeyFrameWanted: (streamId) => this.#host.keyFrameWanted(streamId),
      // The SDK reconnects on 45xx: a new socket and a new peer, the attendee's place kept.
      onFailed: () => {
        if (this.#over) return;
        this.#o.log.debug(this.#where(), 'a media connection failed; the client is asked to reconnect');
        this.#end();
        this.#link.close(CLOSE_RECONNECT, 'The media connection failed');
      },
    });
  }

  #closePeer(): void {
    const peer = this.#peer;
    this.#peer = undefined;
    this.#subscribed = new Set();
    peer
      ?.close()
      .catch((err: unknown) => this.#o.log.debug({ err, ...this.#where() }, 'closing a peer failed'));
  }

  #where() {
    return {
      endpoint: 'signaling',
      meetingId: this.attendee.meetingId,
      attendeeId: this.attendee.attendeeId,
    };
  }
}
