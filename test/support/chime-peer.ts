/**
 * A meeting attendee without a browser: a werift peer that joins as the Chime SDK does (JOIN,
 * then SUBSCRIBE with a complete offer: audio sendrecv, the camera line inactive), answers
 * with the server's SDP, and once connected sends a tone as real Opus, 50 packets a second.
 * It keeps what it hears, decoded, so a test can ask which tone came through, and what the
 * server said on the signaling socket (presence, mutes).
 */
import { once } from 'node:events';
import OpusScript from 'opusscript';
import { OpusDecoder } from 'opus-decoder';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import type { ConnectionData } from '@aws-sdk/client-connect';
import { SignalingClient, T } from './chime-signaling.ts';
import { dominantFrequency } from './tone.ts';

const RATE = 48_000;
const FRAME = 960; // 20 ms
const OPUS_PT = 111;

export class ChimeTestPeer {
  readonly signal: SignalingClient;
  readonly pc = new RTCPeerConnection({
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: RATE, channels: 2 })],
      video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90_000 })],
    },
    iceUseIpv6: false,
    // As the browser offers: every m-line on one transport.
    bundlePolicy: 'max-bundle',
  });
  /** Packets heard, and the newest decoded audio (mono, 48 kHz). */
  packetsHeard = 0;
  readonly #heard: Float32Array[] = [];
  readonly #uplink = new MediaStreamTrack({ kind: 'audio' });
  readonly #encoder = new OpusScript(RATE, 1, OpusScript.Application.AUDIO);
  readonly #decoder = new OpusDecoder({ channels: 1, sampleRate: RATE });
  #sending: NodeJS.Timeout | undefined;
  #seq = Math.floor(Math.random() * 65_535);
  #ts = Math.floor(Math.random() * 2 ** 31);
  #phase = 0;
  #onHeard: ((rtp: RtpPacket) => void) | undefined;
  #decode = true;

  readonly connectionData: ConnectionData;

  private constructor(connectionData: ConnectionData) {
    this.connectionData = connectionData;
    const { Meeting, Attendee } = connectionData;
    this.signal = new SignalingClient(Meeting!.MediaPlacement!.SignalingUrl!, [
      '_aws_wt_session',
      Attendee!.JoinToken!,
    ]);
  }

  /**
   * Joins the meeting and connects its media; resolves once ICE is connected. `onHeard` sees
   * every packet that arrives; `decode: false` keeps only the count (a benchmark's many peers).
   */
  static async join(
    connectionData: ConnectionData,
    o: { onHeard?: (rtp: RtpPacket) => void; decode?: boolean } = {},
  ): Promise<ChimeTestPeer> {
    const peer = new ChimeTestPeer(connectionData);
    peer.#onHeard = o.onHeard;
    peer.#decode = o.decode ?? true;
    await peer.#join();
    return peer;
  }

  /** Sends one Opus frame now, as the next packet of its stream (a benchmark paces them). */
  sendFrame(payload: Buffer): void {
    const header = new RtpHeader({
      payloadType: OPUS_PT,
      sequenceNumber: (this.#seq = (this.#seq + 1) & 0xffff),
      timestamp: (this.#ts = (this.#ts + FRAME) >>> 0),
      marker: false,
    });
    this.#uplink.writeRtp(new RtpPacket(header, payload));
  }

  /** The RTP timestamp of the last frame it sent. */
  get lastTimestamp(): number {
    return this.#ts;
  }

  get attendeeId(): string {
    return this.connectionData.Attendee!.AttendeeId!;
  }

  async #join(): Promise<void> {
    await once(this.signal.ws, 'open');
    await this.#decoder.ready;
    this.signal.send({
      type: T.JOIN,
      join: { protocolVersion: 2, flags: 2, audioSessionId: 1, wantsCompressedSdp: true },
    });
    await this.signal.next(T.INDEX);
    this.pc.addTransceiver(this.#uplink, { direction: 'sendrecv' });
    this.pc.addTransceiver('video', { direction: 'inactive' });
    this.pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        this.packetsHeard++;
        this.#onHeard?.(rtp);
        if (!this.#decode) return;
        const { channelData } = this.#decoder.decodeFrame(new Uint8Array(rtp.payload));
        if (channelData[0]?.length) this.#heard.push(channelData[0]);
        if (this.#heard.length > 100) this.#heard.shift();
      });
    });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    if (this.pc.iceGatheringState !== 'complete')
      await new Promise<void>((resolve) =>
        this.pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve()),
      );
    this.signal.send({
      type: T.SUBSCRIBE,
      sub: {
        duplex: 3,
        sendStreams: [{ streamId: 1, groupId: 1, trackLabel: 'AmazonChimeExpressAudio', mediaType: 1 }],
        receiveStreamIds: [0],
        sdpOffer: this.pc.localDescription!.sdp,
        audioHost: this.connectionData.Meeting!.MediaPlacement!.AudioHostUrl,
      },
    });
    const ack = await this.signal.next(T.SUBSCRIBE_ACK, 10_000);
    await this.pc.setRemoteDescription({ type: 'answer', sdp: ack.suback.sdpAnswer });
    if (this.pc.connectionState !== 'connected')
      await new Promise<void>((resolve) =>
        this.pc.connectionStateChange.subscribe((s) => s === 'connected' && resolve()),
      );
  }

  /** Sends a tone of `hz` from now on (real Opus, 20 ms a packet). */
  sendTone(hz: number): void {
    this.stopSending();
    this.#sending = setInterval(() => {
      const pcm = new Int16Array(FRAME);
      for (let i = 0; i < FRAME; i++) {
        pcm[i] = Math.round(8000 * Math.sin(this.#phase));
        this.#phase += (2 * Math.PI * hz) / RATE;
      }
      this.sendFrame(Buffer.from(this.#encoder.encode(Buffer.from(pcm.buffer), FRAME)));
    }, 20);
  }

  stopSending(): void {
    clearInterval(this.#sending);
  }

  /** The dominant frequency of what it heard in the last second (0 for silence). */
  heardFrequency(): number {
    const recent = this.#heard.slice(-50);
    const all = new Float32Array(recent.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of recent) {
      all.set(f, at);
      at += f.length;
    }
    return dominantFrequency(all, RATE);
  }

  /** The level (RMS, 0…1) of what it heard in the last second. */
  heardLevel(): number {
    const recent = this.#heard.slice(-50);
    let sum = 0;
    let n = 0;
    for (const f of recent) {
      for (const v of f) sum += v * v;
      n += f.length;
    }
    return n ? Math.sqrt(sum / n) : 0;
  }

  /** Waits until what it heard in the last second satisfies the check. */
  async hearsWhen(check: (p: ChimeTestPeer) => boolean, what: string, timeoutMs = 8000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      if (Date.now() > deadline)
        throw new Error(
          `${what}: heard ${this.heardFrequency().toFixed(0)} Hz at level ${this.heardLevel().toFixed(3)} (${this.packetsHeard} packets)`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits until it hears a tone near `hz`. */
  async hears(hz: number, timeoutMs = 8000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.heardFrequency();
      if (Math.abs(f - hz) <= hz * 0.03) return;
      if (Date.now() > deadline)
        throw new Error(`heard ${f.toFixed(0)} Hz (${this.packetsHeard} packets), not ${hz} Hz`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  leave(): void {
    this.signal.send({ type: T.LEAVE, leave: {} });
  }

  async close(): Promise<void> {
    this.stopSending();
    this.signal.ws.close();
    await this.pc.close();
    this.#encoder.delete();
    this.#decoder.free();
  }
}
