/**
 * A meeting's signaling socket from the client's side, as the Chime SDK 3.32.0 opens and
 * speaks it (shared/spec/webrtc-media.md §2): its query, its JoinToken as a subprotocol, and
 * its frames (0x05 and the SDK's own protobuf). It keeps the server's frames, decoded.
 */
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import signaling from 'amazon-chime-sdk-js/build/signalingprotocol/SignalingProtocol.js';
import type { ISdkSignalFrame } from '../../src/media/signaling/signal-frames.ts';

const { SdkSignalFrame } = signaling;
export const T = SdkSignalFrame.Type;
/** What the SDK 3.32.0 appends to the SignalingUrl. */
export const SDK_QUERY =
  '?X-Chime-Control-Protocol-Version=3&X-Amzn-Chime-Send-Close-On-Error=1&X-Amzn-Version=3.32.0&X-Amzn-User-Agent=chrome-156';

export class SignalingClient {
  readonly ws: WebSocket;
  readonly frames: any[] = [];
  /** Every frame the server sent, kept after next() takes them. */
  readonly all: any[] = [];
  #waiters: (() => void)[] = [];
  constructor(url: string, protocols: string[]) {
    this.ws = new WebSocket(url + SDK_QUERY, protocols);
    this.ws.on('error', () => {});
    this.ws.on('message', (data: Buffer) => {
      assert.equal(data[0], 0x05, 'every frame starts with 0x05');
      const frame = SdkSignalFrame.decode(data.subarray(1));
      this.frames.push(frame);
      this.all.push(frame);
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  send(frame: Omit<ISdkSignalFrame, 'timestampMs'>): void {
    const body = SdkSignalFrame.encode(SdkSignalFrame.create({ ...frame, timestampMs: Date.now() })).finish();
    this.ws.send(Buffer.concat([Buffer.from([0x05]), body]));
  }
  /** The next frame of the type (those before it are dropped from `frames`). */
  async next(type: number, timeoutMs = 3000): Promise<any> {
    for (;;) {
      const i = this.frames.findIndex((f) => f.type === type);
      if (i >= 0) return this.frames.splice(0, i + 1).at(-1);
      await new Promise<void>((resolve, reject) => {
        this.#waiters.push(resolve);
        setTimeout(
          () => reject(new Error(`no frame of type ${type}; got ${JSON.stringify(this.frames)}`)),
          timeoutMs,
        ).unref();
      });
    }
  }
  /** Waits until some frame the server sent satisfies the check. */
  async until(check: (all: any[]) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this.all)) {
      if (Date.now() > deadline) throw new Error(`${what}: not seen in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 100).unref();
      });
    }
  }
}
