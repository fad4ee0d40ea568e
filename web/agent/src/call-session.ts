/**
 * A call the agent is in: the agent's attendee in the call's meeting, joined with the Amazon
 * Chime SDK (loaded when the first call is) from the connection the accept answered, or a fresh
 * one after a reload. The agent's microphone goes in, and what the customer says plays in the
 * session's audio element; components read its state through useCallSession.
 */
import type { AudioVideoFacade, MeetingSession } from 'amazon-chime-sdk-js';
import type { ContactConnection } from './contact-connections.ts';
import type { CallConnectionData } from './types.ts';

export interface CallSnapshot {
  status: 'joining' | 'in call' | 'reconnecting' | 'ended' | 'failed';
  muted: boolean;
  /** The agent's camera is on. */
  camera: boolean;
  /** The customer's video is shown. */
  remoteVideo: boolean;
  error?: string;
}

export class CallSession implements ContactConnection {
  readonly contactId: string;
  /** Where the call's audio plays, and the customer's video shows; the call panel puts them in the page. */
  readonly audio: HTMLAudioElement;
  readonly video: HTMLVideoElement;
  readonly #fetchConnection: () => Promise<CallConnectionData>;
  #fresh?: CallConnectionData;
  #session?: MeetingSession;
  #stopped = false;
  readonly #listeners = new Set<() => void>();
  #snap: CallSnapshot = { status: 'joining', muted: false, camera: false, remoteVideo: false };

  constructor(
    contactId: string,
    fetchConnection: () => Promise<CallConnectionData>,
    fresh?: CallConnectionData,
  ) {
    this.contactId = contactId;
    this.#fetchConnection = fetchConnection;
    this.#fresh = fresh;
    this.audio = document.createElement('audio');
    this.audio.autoplay = true;
    this.audio.dataset.testid = 'call-audio';
    this.video = document.createElement('video');
    this.video.autoplay = true;
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.className = 'call-video';
    this.video.dataset.testid = 'call-video';
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): CallSnapshot => this.#snap;

  start(): void {
    this.#join().catch((err: unknown) => {
      if (!this.#stopped)
        this.#update({ status: 'failed', error: err instanceof Error ? err.message : String(err) });
    });
  }

  setMuted(muted: boolean): void {
    const av = this.#av();
    if (!av) return;
    if (muted) av.realtimeMuteLocalAudio();
    else av.realtimeUnmuteLocalAudio();
    this.#update({ muted });
  }

  /** Turns the agent's camera on (its first one) or off. */
  async setCamera(on: boolean): Promise<void> {
    const av = this.#av();
    if (!av) return;
    if (on) {
      const cameras = await av.listVideoInputDevices();
      if (!cameras[0]) throw new Error('No camera found');
      await av.startVideoInput(cameras[0].deviceId);
      av.startLocalVideoTile();
    } else {
      av.stopLocalVideoTile();
      await av.stopVideoInput();
    }
    this.#update({ camera: on });
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    const av = this.#av();
    if (av) {
      void av.stop();
      void av.stopAudioInput();
    }
    if (this.#snap.status !== 'failed') this.#update({ status: 'ended' });
  }

  dispose(): void {
    this.stop();
    this.audio.remove();
    this.video.remove();
  }

  async #join(): Promise<void> {
    const connection = this.#fresh ?? (await this.#fetchConnection());
    this.#fresh = undefined;
    const sdk = await import('amazon-chime-sdk-js');
    if (this.#stopped) return;
    const logger = new sdk.ConsoleLogger('call', sdk.LogLevel.WARN);
    const { Meeting, Attendee } = connection.connectionData;
    const session = new sdk.DefaultMeetingSession(
      new sdk.MeetingSessionConfiguration(Meeting, Attendee),
      logger,
      new sdk.DefaultDeviceController(logger),
    );
    this.#session = session;
    const av = session.audioVideo;
    av.addObserver({
      audioVideoDidStartConnecting: (reconnecting) => {
        if (reconnecting) this.#update({ status: 'reconnecting' });
      },
      audioVideoDidStart: () => this.#update({ status: 'in call' }),
      audioVideoDidStop: () => {
        if (this.#snap.status !== 'failed') this.#update({ status: 'ended' });
      },
      videoTileDidUpdate: (tile) => {
        if (tile.localTile || !tile.boundAttendeeId || tile.tileId === null) return;
        av.bindVideoElement(tile.tileId, this.video);
        this.#update({ remoteVideo: true });
      },
      videoTileWasRemoved: () => this.#update({ remoteVideo: false }),
    });
    const inputs = await av.listAudioInputDevices();
    if (inputs[0]) await av.startAudioInput(inputs[0].deviceId);
    await av.bindAudioElement(this.audio);
    if (this.#stopped) return;
    av.start();
  }

  #av(): AudioVideoFacade | undefined {
    return this.#session?.audioVideo;
  }

  #update(patch: Partial<CallSnapshot>): void {
    this.#snap = { ...this.#snap, ...patch };
    for (const listener of this.#listeners) listener();
  }
}
