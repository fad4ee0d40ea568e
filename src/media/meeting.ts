/**
 * A meeting on this node (shared spec webrtc-media.md §§3, 5, 7): its attendees, each known in
 * the meeting by an audio stream id, present or not, muted or not, and on one session (socket
 * and peer) at a time; and the sessions that are open.
 *
 * - Presence: an attendee is announced to everyone (AUDIO_STREAM_ID_INFO with its attendee id)
 *   once its first audio arrives, as Chime does; a session that joins is sent the attendees
 *   present so far, and changes after that. A mute is announced with the stream id and `muted`;
 *   an attendee who left with the stream id alone, or `dropped` if its socket went away and it
 *   did not come back within DROP_GRACE_MS.
 * - Audio: with two attendees, each one's Opus is forwarded as it is to the other's downlink.
 *   Before the second is present, the node's own announcer speaks the flow's prompts and plays
 *   hold audio to the customer; it stops once a second attendee is heard.
 * - Video (§7): an attendee whose call lets its side send video, and who offers its camera, is
 *   given a stream (allocated once, for the attendee); every other session is sent an INDEX
 *   listing it, subscribes, and gets its packets; a new subscriber asks it for a key frame. An
 *   attendee who may not send video gets no stream: what its camera sends goes nowhere, and no
 *   one is told of a tile.
 * - Volume: once a second, every session is sent AUDIO_METADATA with each present attendee's
 *   volume (the loudest level its client put in its packets, RFC 6464's −dBov, which the SDK's
 *   volume indicator reads as is), its mute, and a full signal.
 * - A JOIN on a new socket (the SDK's reconnect, or another device) takes the attendee's place
 *   from the session before, which is closed; the attendee keeps its stream id and presence.
 *
 * The meeting owns its sessions: ending it (the call ended) or closing it (the node stops)
 * closes every session, and so every peer.
 */
import type { RtpPacket } from 'werift';
import type { CallAudio } from '../ports/call-audio.ts';
import { Announcer } from './announcer.ts';
import type { EndpointLog } from '../gateway/websocket-endpoint.ts';
import type { MeetingAttendee } from '../domain/calls/web-calls.ts';
import {
  AttendeeSession,
  type OutFrame,
  type SessionHost,
  type SessionOptions,
  type SignalLink,
  type VideoAllocation,
} from './attendee-session.ts';
import { CAMERA_TRACK_LABEL, FrameType, MediaType, type ISdkSignalFrame } from './signaling/signal-frames.ts';

/** How long a vanished session's attendee stays present, for the SDK to reconnect in. */
export const DROP_GRACE_MS = 10_000;

type StreamInfo = NonNullable<NonNullable<ISdkSignalFrame['audioStreamIdInfo']>['streams']>[number];

/** What the media plane tells the call of its attendees. */
export interface MeetingEvents {
  /** An attendee's media is up (its first audio has come). */
  attendeeUp(attendee: MeetingAttendee): Promise<unknown>;
  /**
   * An attendee left the meeting (LEAVE), or its socket went away and it did not come back in
   * time: its participant has hung up.
   */
  attendeeLeft(attendee: MeetingAttendee): Promise<unknown>;
  /** The meetings of these attendees (one of each) are alive on this node. */
  mediaAlive(attendees: MeetingAttendee[]): Promise<unknown>;
}

interface Member {
  attendee: MeetingAttendee;
  audioStreamId: number;
  present: boolean;
  muted: boolean;
  session: AttendeeSession | undefined;
  dropTimer?: NodeJS.Timeout;
  /** The loudest level (−dBov, 0 loudest) of its packets since the last AUDIO_METADATA. */
  loudest: number;
}

/** How often everyone is told each present attendee's volume (AUDIO_METADATA). */
export const METADATA_MS = 1000;
/** The quietest level reported: the SDK shows −42 dB and below as silence. */
const SILENT = 127;

export interface MeetingOptions extends SessionOptions {
  events: MeetingEvents;
  audio: CallAudio;
  log: EndpointLog;
  /** The meeting has nothing open and nobody in it any more. */
  onEmpty: () => void;
}

export class Meeting implements SessionHost {
  readonly id: string;
  readonly #o: MeetingOptions;
  readonly #members = new Map<string, Member>();
  readonly #sessions = new Set<AttendeeSession>();
  #nextAudioStreamId = 1;
  /** By attendee id, the video stream of each attendee who sends video. */
  readonly #videoSources = new Map<string, VideoAllocation>();
  /** Video stream and group ids, meeting-wide (the audio's are apart). */
  #nextVideoId = 2;
  #ended = false;
  #announcer: Announcer | undefined;
  #metadata: NodeJS.Timeout | undefined;

  constructor(id: string, o: MeetingOptions) {
    this.id = id;
    this.#o = o;
  }

  /** A new socket of one of the meeting's attendees. */
  open(attendee: MeetingAttendee, link: SignalLink): AttendeeSession {
    const session = new AttendeeSession(attendee, this, link, this.#o);
    this.#sessions.add(session);
    if (this.#ended) session.meetingEnded();
    return session;
  }

  /** The flow said something to the customer. */
  say(text: string): void {
    this.#announcing()?.say(text);
  }

  /** The customer waits in a queue (hold audio), or no longer does. */
  hold(on: boolean): void {
    if (on) this.#announcing()?.hold(true);
    else this.#announcer?.hold(false);
  }

  /** The call has ended: every session is told, and closed. */
  end(): void {
    this.#ended = true;
    for (const s of this.#sessions) s.meetingEnded();
    this.#release();
  }

  /** The node is stopping. */
  close(): void {
    for (const s of this.#sessions) s.close();
    this.#release();
  }

  // ---- SessionHost

  joined(session: AttendeeSession): void {
    const { attendeeId } = session.attendee;
    let m = this.#members.get(attendeeId);
    if (!m) {
      m = {
        attendee: session.attendee,
        audioStreamId: this.#nextAudioStreamId++,
        present: false,
        muted: false,
        session,
        loudest: SILENT,
      };
      this.#members.set(attendeeId, m);
    }
    clearTimeout(m.dropTimer);
    const before = m.session;
    m.session = session;
    if (before && before !== session) before.replaced();
    const roster = [...this.#members.values()].filter((x) => x.present).map(presence);
    if (roster.length > 0) session.send(streamInfo(roster));
  }

  index(session: AttendeeSession): NonNullable<OutFrame['index']> {
    const sources = [];
    for (const [attendeeId, source] of this.#videoSources) {
      if (attendeeId === session.attendee.attendeeId) continue;
      const publisher = this.#members.get(attendeeId)!.attendee;
      sources.push({
        attendeeId,
        externalUserId: publisher.participantId,
        mediaType: MediaType.VIDEO,
        streamId: source.streamId,
        groupId: source.groupId,
        trackLabel: CAMERA_TRACK_LABEL,
        framerate: 15,
        maxBitrateKbps: 1400,
        avgBitrateBps: 1_000_000,
      });
    }
    return { atCapacity: false, sources, numParticipants: Math.max(1, this.#members.size) };
  }

  videoSending(session: AttendeeSession, sending: boolean): VideoAllocation | undefined {
    const m = this.#memberOf(session);
    if (!m) return undefined;
    const { attendeeId, videoAllowed } = m.attendee;
    const had = this.#videoSources.get(attendeeId);
    if (sending && videoAllowed) {
      if (had) return had;
      const source = { streamId: this.#nextVideoId, groupId: this.#nextVideoId };
      this.#nextVideoId += 1;
      this.#videoSources.set(attendeeId, source);
      this.#indexChanged(attendeeId);
      return source;
    }
    if (had) {
      this.#videoSources.delete(attendeeId);
      this.#indexChanged(attendeeId);
    }
    return undefined;
  }

  videoStreams(session: AttendeeSession): ReadonlySet<number> {
    const streams = new Set<number>();
    for (const [attendeeId, source] of this.#videoSources)
      if (attendeeId !== session.attendee.attendeeId) streams.add(source.streamId);
    return streams;
  }

  keyFrameWanted(streamId: number): void {
    for (const [attendeeId, source] of this.#videoSources)
      if (source.streamId === streamId) this.#members.get(attendeeId)?.session?.requestKeyFrame();
  }

  video(session: AttendeeSession, rtp: RtpPacket): void {
    const m = this.#memberOf(session);
    const source = m && this.#videoSources.get(m.attendee.attendeeId);
    if (!source) return; // not allowed, or not offered: dropped
    for (const other of this.#members.values())
      if (other !== m) other.session?.sendVideo(session, source.streamId, rtp);
  }

  audio(session: AttendeeSession, rtp: RtpPacket, level: number | undefined): void {
    const m = this.#memberOf(session);
    if (!m) return;
    if (level !== undefined && level < m.loudest) m.loudest = level;
    if (!m.present) {
      m.present = true;
      this.#broadcast(presence(m));
      this.#tell('attendeeUp', m.attendee);
      if (this.#presentCount() > 1) this.#stopAnnouncing();
      this.#metadata ??= setInterval(() => this.#sendMetadata(), METADATA_MS);
      this.#metadata.unref();
    }
    for (const other of this.#members.values()) if (other !== m) other.session?.sendAudio(session, rtp);
  }

  muted(session: AttendeeSession, muted: boolean): void {
    const m = this.#memberOf(session);
    if (!m || m.muted === muted) return;
    m.muted = muted;
    this.#broadcast({ audioStreamId: m.audioStreamId, muted });
  }

  left(session: AttendeeSession): void {
    const m = this.#memberOf(session);
    if (!m) return;
    m.session = undefined;
    this.#remove(m, false);
    this.#tell('attendeeLeft', m.attendee);
  }

  gone(session: AttendeeSession): void {
    this.#sessions.delete(session);
    const m = this.#memberOf(session);
    if (m) {
      m.session = undefined;
      m.dropTimer = setTimeout(() => this.#remove(m, true), DROP_GRACE_MS);
      m.dropTimer.unref();
    }
    this.#emptied();
  }

  // ------------------------------------------------------------------------------------------

  #memberOf(session: AttendeeSession): Member | undefined {
    const m = this.#members.get(session.attendee.attendeeId);
    return m?.session === session ? m : undefined;
  }

  #remove(m: Member, dropped: boolean): void {
    clearTimeout(m.dropTimer);
    if (this.#members.get(m.attendee.attendeeId) !== m || m.session) return;
    this.#members.delete(m.attendee.attendeeId);
    if (this.#videoSources.delete(m.attendee.attendeeId)) this.#indexChanged(m.attendee.attendeeId);
    if (m.present) this.#broadcast({ audioStreamId: m.audioStreamId, ...(dropped && { dropped: true }) });
    if (dropped) this.#tell('attendeeLeft', m.attendee);
    this.#emptied();
  }

  /** The video sources changed with this attendee's: everyone else is sent a new INDEX. */
  #indexChanged(attendeeId: string): void {
    for (const other of this.#members.values())
      if (other.attendee.attendeeId !== attendeeId && other.session)
        other.session.send({ type: FrameType.INDEX, index: this.index(other.session) });
  }

  #broadcast(info: StreamInfo): void {
    for (const m of this.#members.values()) m.session?.send(streamInfo([info]));
  }

  /** One of the meeting's attendees, while it has any. */
  get anyAttendee(): MeetingAttendee | undefined {
    return this.#members.values().next().value?.attendee;
  }

  #tell(what: 'attendeeUp' | 'attendeeLeft', attendee: MeetingAttendee): void {
    this.#o.events[what](attendee).catch((err: unknown) =>
      this.#o.log.warn(
        { endpoint: 'signaling', err, meetingId: this.id },
        `could not tell the call: ${what}`,
      ),
    );
  }

  #emptied(): void {
    for (const s of this.#sessions) if (s.over) this.#sessions.delete(s);
    if (this.#sessions.size === 0 && this.#members.size === 0) this.#release();
  }

  /** The announcer, made on first use; none once two attendees are present. */
  #announcing(): Announcer | undefined {
    if (this.#ended || this.#presentCount() > 1) return undefined;
    this.#announcer ??= new Announcer(
      this.#o.audio,
      (rtp) => {
        for (const m of this.#members.values())
          if (m.attendee.customer) m.session?.sendAudio(this.#announcer!, rtp);
      },
      this.#o.log,
    );
    return this.#announcer;
  }

  #stopAnnouncing(): void {
    this.#announcer?.stop();
    this.#announcer = undefined;
  }

  #presentCount(): number {
    let n = 0;
    for (const m of this.#members.values()) if (m.present) n++;
    return n;
  }

  #sendMetadata(): void {
    const attendeeStates = [];
    for (const m of this.#members.values()) {
      if (!m.present) continue;
      attendeeStates.push({
        audioStreamId: m.audioStreamId,
        volume: m.loudest,
        muted: m.muted,
        signalStrength: 2,
      });
      m.loudest = SILENT;
    }
    for (const m of this.#members.values())
      m.session?.send({ type: FrameType.AUDIO_METADATA, audioMetadata: { attendeeStates } });
  }

  #release(): void {
    clearInterval(this.#metadata);
    this.#metadata = undefined;
    this.#stopAnnouncing();
    for (const m of this.#members.values()) clearTimeout(m.dropTimer);
    this.#members.clear();
    this.#sessions.clear();
    this.#o.onEmpty();
  }
}

const presence = (m: Member): StreamInfo => ({
  audioStreamId: m.audioStreamId,
  attendeeId: m.attendee.attendeeId,
  externalUserId: m.attendee.participantId,
  ...(m.muted && { muted: true }),
});

const streamInfo = (streams: StreamInfo[]) => ({
  type: FrameType.AUDIO_STREAM_ID_INFO,
  audioStreamIdInfo: { streams },
});
