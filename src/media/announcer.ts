/**
 * What a meeting's node itself says into the call: the flow's prompts, spoken in the order the
 * flow said them, and hold audio, looped while the customer waits in a queue (after any prompt
 * still playing). It paces its Opus frames 20 ms apart by the clock, not by timer ticks, so a
 * late tick sends what is due rather than drifting. It is one source of the downlink among
 * others (meeting-peer.ts re-bases when it starts or stops).
 */
import { RtpHeader, RtpPacket } from 'werift';
import type { CallAudio } from '../ports/call-audio.ts';
import type { EndpointLog } from '../gateway/websocket-endpoint.ts';

const FRAME_MS = 20;
const SAMPLES_PER_FRAME = 960;
/** The SDK's Opus payload type; the sender writes each peer's own. */
const OPUS_PT = 111;

export class Announcer {
  readonly #audio: CallAudio;
  readonly #send: (rtp: RtpPacket) => void;
  readonly #log: EndpointLog;
  /** Prompts said and not yet played, in order, each spoken once its turn comes. */
  #prompts: Promise<Uint8Array[] | undefined>[] = [];
  #playing: { frames: Uint8Array[]; at: number } | undefined;
  #hold: Uint8Array[] | undefined;
  #holding = false;
  #timer: NodeJS.Timeout | undefined;
  /** A run of frames is under way (waiting for its next frame's time, or for a prompt to be spoken). */
  #active = false;
  #nextAt = 0;
  #seq = Math.floor(Math.random() * 0xffff);
  #timestamp = Math.floor(Math.random() * 0xffffffff);
  readonly #ssrc = Math.floor(Math.random() * 0xffffffff);
  #stopped = false;

  constructor(audio: CallAudio, send: (rtp: RtpPacket) => void, log: EndpointLog) {
    this.#audio = audio;
    this.#send = send;
    this.#log = log;
  }

  say(text: string): void {
    if (this.#stopped) return;
    this.#prompts.push(
      this.#audio.speak(text).catch((err: unknown) => {
        this.#log.warn({ endpoint: 'signaling', err }, 'could not speak a prompt');
        return undefined;
      }),
    );
    this.#run();
  }

  hold(on: boolean): void {
    if (this.#stopped) return;
    this.#holding = on;
    if (!on) {
      if (this.#playing?.frames === this.#hold) this.#playing = undefined;
      return;
    }
    this.#audio.holdAudio().then(
      (frames) => {
        this.#hold = frames;
        this.#run();
      },
      (err: unknown) => this.#log.warn({ endpoint: 'signaling', err }, 'could not make hold audio'),
    );
  }

  /** Nothing more is said, and nothing still playing goes on. */
  stop(): void {
    this.#stopped = true;
    this.#prompts = [];
    this.#playing = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #run(): void {
    if (this.#active || this.#stopped) return;
    this.#active = true;
    this.#nextAt = performance.now();
    this.#tick();
  }

  #tick = (): void => {
    this.#timer = undefined;
    void this.#due().then((more) => {
      if (!more || this.#stopped) {
        this.#active = false;
        return;
      }
      this.#timer = setTimeout(this.#tick, Math.max(0, this.#nextAt - performance.now()));
    });
  };

  /** Sends every frame that is due; whether anything is left to send. */
  async #due(): Promise<boolean> {
    while (this.#nextAt <= performance.now() + 1) {
      const frame = await this.#nextFrame();
      if (!frame) return false;
      this.#seq = (this.#seq + 1) & 0xffff;
      this.#timestamp = (this.#timestamp + SAMPLES_PER_FRAME) >>> 0;
      const header = new RtpHeader({
        payloadType: OPUS_PT,
        sequenceNumber: this.#seq,
        timestamp: this.#timestamp,
        ssrc: this.#ssrc,
      });
      if (this.#stopped) return false;
      this.#send(new RtpPacket(header, Buffer.from(frame)));
      this.#nextAt += FRAME_MS;
    }
    return true;
  }

  async #nextFrame(): Promise<Uint8Array | undefined> {
    for (;;) {
      const playing = this.#playing;
      if (playing && playing.at < playing.frames.length) return playing.frames[playing.at++];
      this.#playing = undefined;
      const next = this.#prompts.shift();
      if (next) {
        const frames = await next;
        if (frames && !this.#stopped) {
          this.#playing = { frames, at: 0 };
          // Speaking took time: the prompt starts now, not when its first frame was due.
          this.#nextAt = Math.max(this.#nextAt, performance.now());
        }
        continue;
      }
      if (this.#holding && this.#hold && this.#hold.length > 0) {
        this.#playing = { frames: this.#hold, at: 0 };
        continue;
      }
      return undefined;
    }
  }
}
