/**
 * CallAudio on the call-audio thread (audio-thread.ts). Hold audio is made once and kept; a
 * prompt longer than MAX_PROMPT_CHARS is cut there.
 */
import type { CallAudio } from '../../ports/call-audio.ts';
import { OnDemandThread } from '../../lib/on-demand-thread.ts';

/** More than any flow prompt (MessageParticipant's text is at most 1,024 characters). */
const MAX_PROMPT_CHARS = 4096;

export class ThreadedCallAudio implements CallAudio {
  readonly #thread = new OnDemandThread(
    new URL('./audio-thread.ts', import.meta.url),
    undefined,
    (why) => new Error(`the call-audio thread ${why}`),
  );
  #hold: Promise<Uint8Array[]> | undefined;

  speak(text: string): Promise<Uint8Array[]> {
    return this.#thread.call('audio', 'speak', [text.slice(0, MAX_PROMPT_CHARS)]) as Promise<Uint8Array[]>;
  }

  holdAudio(): Promise<Uint8Array[]> {
    this.#hold ??= (this.#thread.call('audio', 'holdAudio', []) as Promise<Uint8Array[]>).catch((err) => {
      this.#hold = undefined;
      throw err;
    });
    return this.#hold;
  }

  close(): Promise<void> {
    return this.#thread.close();
  }
}
