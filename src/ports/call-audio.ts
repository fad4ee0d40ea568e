/**
 * CallAudio: what a call's customer hears from the node itself — a flow's prompts spoken, and
 * hold audio while queued — as 20 ms Opus frames (48 kHz, mono), ready to send as RTP.
 */
export interface CallAudio {
  /** The text, spoken. */
  speak(text: string): Promise<Uint8Array[]>;
  /** A stretch of hold audio that loops without a seam. */
  holdAudio(): Promise<Uint8Array[]>;
  close(): Promise<void>;
}
