/**
 * One attendee session's WebRTC peer (werift), as the Chime SDK expects it (shared spec
 * webrtc-media.md §§4, 7): the SDK offers, the server answers, with every candidate in the SDP
 * (no trickle). Opus is the only audio codec answered (the SDK offers RED first), VP8 the only
 * video one.
 *
 * - Audio: the audio m-line is answered sendrecv with the session's downlink track, whose
 *   MediaStream id the SDK needs (it drops a track that comes without one). What the attendee
 *   says comes out of `onAudio`, packet by packet; what it hears goes into its downlink with
 *   `sendAudio`, from one source or another (the other attendee, a reconnected one, the node's
 *   own prompts): a packet of a new source re-bases the downlink's sequence numbers and
 *   timestamps, without which the browser drops the new source's audio (§7).
 * - Video, by the VideoPlan of each offer: the first video m-line (the camera's) is received
 *   (recvonly) only when the attendee may send video and does, its packets out of `onVideo`;
 *   every other video m-line carries the stream the SDK subscribed to on it (sendonly, its
 *   MediaStream id the track label SUBSCRIBE_ACK maps to the stream), or nothing (inactive).
 *   werift registers a receiver only for a transceiver whose direction lets it receive before
 *   the offer is applied, so the camera line's is set first.
 */
import {
  MediaStream,
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  type RTCRtpTransceiver,
  type RtpPacket,
} from 'werift';

const CODECS = {
  audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })],
  video: [
    new RTCRtpCodecParameters({
      mimeType: 'video/VP8',
      clockRate: 90_000,
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
    }),
  ],
};

/** The RTP header extension of an audio packet's level, in −dBov (0 loudest, 127 silence). */
const AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/** Host candidates gather in milliseconds; an offer not answered by then is one the peer cannot answer. */
const ANSWER_TIMEOUT_MS = 5_000;

export interface MeetingPeerOptions {
  /** Host addresses announced besides the machine's own (loopback, or a public address). */
  hostAddresses: string[];
  /** The UDP ports the peer may bind, inclusive. */
  portRange?: [number, number];
  /** Each RTP packet of the attendee's own audio, as it arrives. */
  onAudio: (rtp: RtpPacket, level: number | undefined) => void;
  /** Each RTP packet of the attendee's camera, as it arrives (only while it is received). */
  onVideo: (rtp: RtpPacket) => void;
  /** A subscriber's decoder needs a key frame of the stream (its PLI). */
  onKeyFrameWanted: (streamId: number) => void;
  /** The media connection has failed (ICE consent lost, DTLS closed by the client): it will not come back. */
  onFailed: () => void;
}

/** What an offer's video lines are answered with. */
export interface VideoPlan {
  /** Whether the camera's line is received: the attendee may send video, and offers to. */
  receiveCamera: boolean;
  /** The SDK's receive_stream_ids: per video m-line in SDP order, the stream it wants on it (0: none). */
  lines: number[];
  /** The streams that exist now, of which a line may carry one. */
  available: ReadonlySet<number>;
}

/** SUBSCRIBE_ACK's tracks: which stream each sending video line carries. */
export interface VideoTrackMapping {
  streamId: number;
  ssrc: number;
  trackLabel: string;
}

/** Who a packet the peer sends on comes from: a source and its SSRC, so that either changing re-bases. */
export type PacketSource = object;

/**
 * A track the peer sends: packets of one source after another, re-based (sequence numbers and
 * timestamps continuing) whenever the source or its SSRC changes.
 */
class RebasingTrack {
  readonly track: MediaStreamTrack;
  #last: { source: PacketSource; ssrc: number } | undefined;

  constructor(kind: 'audio' | 'video') {
    this.track = new MediaStreamTrack({ kind });
  }

  write(source: PacketSource, rtp: RtpPacket): void {
    const last = this.#last;
    if (last?.source !== source || last.ssrc !== rtp.header.ssrc) {
      if (last) this.track.notifySourceChanged(rtp.header);
      this.#last = { source, ssrc: rtp.header.ssrc };
    }
    this.track.writeRtp(rtp);
  }

  stop(): void {
    this.track.stop();
  }
}

export class MeetingPeer {
  readonly #pc: RTCPeerConnection;
  readonly #downlink = new RebasingTrack('audio');
  readonly #streamId: string;
  /** By stream id, the track each subscribed video stream goes out on. */
  readonly #videoOut = new Map<number, RebasingTrack>();
  #camera: RTCRtpTransceiver | undefined;
  readonly #o: MeetingPeerOptions;
  #closed = false;

  constructor(streamId: string, o: MeetingPeerOptions) {
    this.#streamId = streamId;
    this.#o = o;
    this.#pc = new RTCPeerConnection({
      codecs: CODECS,
      // The speaker's level in each packet (RFC 6464), which the browser sends when it is offered.
      headerExtensions: { audio: [new RTCRtpHeaderExtensionParameters({ id: 1, uri: AUDIO_LEVEL })] },
      iceAdditionalHostAddresses: o.hostAddresses,
      ...(o.portRange && { icePortRange: o.portRange }),
      iceUseIpv6: false,
    });
    this.#pc.connectionStateChange.subscribe((state) => {
      if (!this.#closed && (state === 'failed' || state === 'closed')) o.onFailed();
    });
    this.#pc.onTrack.subscribe((track) => {
      if (track.kind === 'audio')
        track.onReceiveRtp.subscribe((rtp, extensions) =>
          o.onAudio(rtp, (extensions?.[AUDIO_LEVEL] as { level?: number } | undefined)?.level),
        );
      else
        track.onReceiveRtp.subscribe((rtp) => {
          if (this.#camera?.receiver.tracks.includes(track)) o.onVideo(rtp);
        });
    });
  }

  /** Writes a packet into the attendee's downlink, re-basing it if its source is not the last one's. */
  sendAudio(source: PacketSource, rtp: RtpPacket): void {
    if (!this.#closed) this.#downlink.write(source, rtp);
  }

  /** Writes a packet of a video stream to the line that carries it to the attendee, if one does. */
  sendVideo(source: PacketSource, streamId: number, rtp: RtpPacket): void {
    if (!this.#closed) this.#videoOut.get(streamId)?.write(source, rtp);
  }

  /** Asks the attendee's camera for a key frame (a PLI), for a new subscriber's decoder. */
  requestKeyFrame(): void {
    const receiver = this.#camera?.receiver;
    const ssrc = receiver?.tracks[0]?.ssrc;
    if (receiver && ssrc !== undefined) void receiver.sendRtcpPLI(ssrc).catch(() => undefined);
  }

  /**
   * The answer to an offer (the first, or a re-offer), with its candidates. Rejects an offer it
   * cannot answer, or cannot answer within ANSWER_TIMEOUT_MS.
   */
  answer(offer: string, video: VideoPlan): Promise<{ sdp: string; tracks: VideoTrackMapping[] }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the offer was not answered in time')), ANSWER_TIMEOUT_MS);
    });
    return Promise.race([this.#answer(offer, video), late]).finally(() => clearTimeout(timer));
  }

  async #answer(offer: string, video: VideoPlan): Promise<{ sdp: string; tracks: VideoTrackMapping[] }> {
    if (!/^m=audio /m.test(offer)) throw new Error('the offer has no audio section');
    const pc = this.#pc;
    // The camera's line must let receiving before the offer is applied, or werift drops its packets.
    if (this.#camera && video.receiveCamera) this.#camera.setDirection('recvonly');
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    const tracks: VideoTrackMapping[] = [];
    const carried = new Set<number>();
    let videoLine = 0;
    for (const t of [...pc.getTransceivers()].sort((a, b) => Number(a.mid) - Number(b.mid))) {
      if (t.kind === 'audio') {
        t.setDirection('sendrecv');
        if (t.sender.track !== this.#downlink.track) {
          await t.sender.replaceTrack(this.#downlink.track);
          t.sender.setStreams([new MediaStream({ id: this.#streamId })]);
        }
        continue;
      }
      const line = videoLine++;
      if (line === 0) {
        this.#camera = t;
        t.setDirection(video.receiveCamera ? 'recvonly' : 'inactive');
        continue;
      }
      const streamId = video.lines[line] ?? 0;
      if (!video.available.has(streamId) || carried.has(streamId)) {
        t.setDirection('inactive');
        continue;
      }
      carried.add(streamId);
      let out = this.#videoOut.get(streamId);
      if (!out) {
        out = new RebasingTrack('video');
        this.#videoOut.set(streamId, out);
        t.sender.onPictureLossIndication.subscribe(() => this.#o.onKeyFrameWanted(streamId));
      }
      const label = `v_${streamId}_${t.mid}`;
      t.setDirection('sendonly');
      if (t.sender.track !== out.track) await t.sender.replaceTrack(out.track);
      t.sender.setStreams([new MediaStream({ id: label })]);
      tracks.push({ streamId, ssrc: t.sender.ssrc, trackLabel: label });
    }
    for (const [streamId, out] of this.#videoOut)
      if (!carried.has(streamId)) {
        out.stop();
        this.#videoOut.delete(streamId);
      }
    await pc.setLocalDescription(await pc.createAnswer());
    if (pc.iceGatheringState !== 'complete')
      await new Promise<void>((resolve) => {
        const { unSubscribe } = pc.iceGatheringStateChange.subscribe((state) => {
          if (state !== 'complete') return;
          unSubscribe();
          resolve();
        });
      });
    return { sdp: pc.localDescription!.sdp, tracks };
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#downlink.stop();
    for (const out of this.#videoOut.values()) out.stop();
    this.#videoOut.clear();
    return this.#pc.close();
  }
}
