/**
 * The call-audio thread (ThreadedCallAudio): speech synthesis with eSpeak NG (compiled to
 * WebAssembly) and Opus encoding take tens to hundreds of milliseconds a prompt, which the
 * main thread's sockets and media cannot give. It answers `audio.speak(text)` and
 * `audio.holdAudio()` calls (rpc.ts).
 */
import { parentPort } from 'node:worker_threads';
import ESpeakNg from 'espeak-ng';
import { serveCalls } from '../../domain-thread/rpc.ts';
import { encodeOpusFrames, holdAudioPcm, resample, wavPcm } from './opus-frames.ts';

const OUT = '/prompt.wav';

const audio = {
  async speak(text: string): Promise<Uint8Array[]> {
    // An argument, not a command line: nothing in the text is read as an option.
    const espeak = await ESpeakNg({ arguments: ['-v', 'en-us', '-w', OUT, '--', text] });
    const { pcm, rate } = wavPcm(espeak.FS.readFile(OUT));
    return encodeOpusFrames(resample(pcm, rate));
  },
  async holdAudio(): Promise<Uint8Array[]> {
    return encodeOpusFrames(holdAudioPcm());
  },
};

serveCalls(parentPort!, { audio }, (m) => {
  if (m === 'close') parentPort!.close();
});
