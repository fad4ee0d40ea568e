/**
 * One attendee session's WebRTC peer (werift), as the Chime SDK expects it (shared spec
 * webrtc-media.md §§4, 7): the SDK offers, the server answers, with every candidate in the SDP
 * (no trickle). The audio m-line is answered sendrecv with the session's downlink track, whose
 * MediaStream id the SDK needs (it drops a track that comes without one); video lines are
 * inactive until video forwarding exists. Opus is the only audio codec answered (the SDK
 * offers RED first), VP8 the only video one.
 *
 * What the attendee says comes out of `onAudio`, packet by packet; what it hears goes into
 * its downlink with `sendAudio`, from one source or another (the other attendee, a reconnected
 * one, the node's own prompts): a packet of a new source re-bases the downlink's sequence
 * numbers and timestamps, without which the browser drops the new source's audio (§7).
 */
import {
  MediaStream,
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
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

/** Host candidates gather in milliseconds; an offer not answered by then is one the peer cannot answer. */
const ANSWER_TIMEOUT_MS = 5_000;

export interface MeetingPeerOptions {
  /** Host addresses announced besides the machine's own (loopback, or a public address). */
  hostAddresses: string[];
  /** The UDP ports the peer may bind, inclusive. */
  portRange?: [number, number];
  /** Each RTP packet of the attendee's own audio, as it arrives. */
  onAudio: (rtp: RtpPacket) => void;
}

/** Who a downlink packet comes from: a source and its SSRC, so that either changing re-bases. */
export type AudioSource = object;

export class MeetingPeer {
  readonly #pc: RTCPeerConnection;
  readonly #downlink = new MediaStreamTrack({ kind: 'audio' });
  readonly #streamId: string;
  #lastSource: { source: AudioSource; ssrc: number } | undefined;
  #closed = false;

  constructor(streamId: string, o: MeetingPeerOptions) {
    this.#streamId = streamId;
    this.#pc = new RTCPeerConnection({
      codecs: CODECS,
      iceAdditionalHostAddresses: o.hostAddresses,
      ...(o.portRange && { icePortRange: o.portRange }),
      iceUseIpv6: false,
    });
    this.#pc.onTrack.subscribe((track) => {
      if (track.kind === 'audio') track.onReceiveRtp.subscribe((rtp) => o.onAudio(rtp));
    });
  }

  /** Writes a packet into the attendee's downlink, re-basing it if its source is not the last one's. */
  sendAudio(source: AudioSource, rtp: RtpPacket): void {
    if (this.#closed) return;
    const last = this.#lastSource;
    if (last?.source !== source || last.ssrc !== rtp.header.ssrc) {
      if (last) this.#downlink.notifySourceChanged(rtp.header);
      this.#lastSource = { source, ssrc: rtp.header.ssrc };
    }
    this.#downlink.writeRtp(rtp);
  }

  /**
   * The answer to an offer (the first, or a re-offer), with its candidates. Rejects an offer it
   * cannot answer, or cannot answer within ANSWER_TIMEOUT_MS.
   */
  answer(offer: string): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the offer was not answered in time')), ANSWER_TIMEOUT_MS);
    });
    return Promise.race([this.#answer(offer), late]).finally(() => clearTimeout(timer));
  }

  async #answer(offer: string): Promise<string> {
    if (!/^m=audio /m.test(offer)) throw new Error('the offer has no audio section');
    const pc = this.#pc;
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    for (const t of pc.getTransceivers()) {
      if (t.kind !== 'audio') {
        t.setDirection('inactive');
        continue;
      }
      t.setDirection('sendrecv');
      if (t.sender.track !== this.#downlink) {
        await t.sender.replaceTrack(this.#downlink);
        t.sender.setStreams([new MediaStream({ id: this.#streamId })]);
      }
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
    return pc.localDescription!.sdp;
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#downlink.stop();
    return this.#pc.close();
  }
}
