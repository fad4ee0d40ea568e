/**
 * Audio for calls as Opus frames: 16-bit PCM at any rate, resampled to 48 kHz and encoded
 * 20 ms a frame (opusscript: libopus compiled to WebAssembly), and the node's hold audio.
 */
import OpusScript from 'opusscript';

export const OPUS_RATE = 48_000;
/** Samples in a 20 ms frame at 48 kHz. */
export const FRAME_SAMPLES = 960;

/** Linear resampling: enough for speech and tones heard over a call. */
export function resample(pcm: Int16Array, fromRate: number, toRate = OPUS_RATE): Int16Array {
  if (fromRate === toRate) return pcm;
  const out = new Int16Array(Math.floor((pcm.length * toRate) / fromRate));
  const step = fromRate / toRate;
  for (let i = 0; i < out.length; i++) {
    const x = i * step;
    const j = Math.floor(x);
    const a = pcm[j] ?? 0;
    const b = pcm[j + 1] ?? a;
    out[i] = Math.round(a + (b - a) * (x - j));
  }
  return out;
}

/** 48 kHz mono PCM as Opus frames; the last one padded with silence. */
export function encodeOpusFrames(pcm: Int16Array): Uint8Array[] {
  const encoder = new OpusScript(OPUS_RATE, 1, OpusScript.Application.AUDIO);
  try {
    const frames: Uint8Array[] = [];
    for (let at = 0; at < pcm.length; at += FRAME_SAMPLES) {
      const frame = new Int16Array(FRAME_SAMPLES);
      frame.set(pcm.subarray(at, at + FRAME_SAMPLES));
      frames.push(new Uint8Array(encoder.encode(Buffer.from(frame.buffer), FRAME_SAMPLES)));
    }
    return frames;
  } finally {
    encoder.delete();
  }
}

/** Hold audio: four soft notes (C5 E5 G5 E5), half a second each, a 2 s loop. */
export function holdAudioPcm(): Int16Array {
  const notes = [523.25, 659.25, 783.99, 659.25];
  const perNote = OPUS_RATE / 2;
  const pcm = new Int16Array(notes.length * perNote);
  notes.forEach((hz, n) => {
    for (let i = 0; i < perNote; i++) {
      const t = i / OPUS_RATE;
      const envelope = Math.min(1, i / 2400) * Math.min(1, (perNote - i) / 4800);
      pcm[n * perNote + i] = Math.round(5000 * envelope * Math.sin(2 * Math.PI * hz * t));
    }
  });
  return pcm;
}

/** The PCM of a 16-bit mono WAV file (what eSpeak NG writes), and its rate. */
export function wavPcm(wav: Uint8Array): { pcm: Int16Array; rate: number } {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  let at = 12;
  let rate = 0;
  while (at + 8 <= wav.length) {
    const id = String.fromCharCode(...wav.subarray(at, at + 4));
    const size = view.getUint32(at + 4, true);
    if (id === 'fmt ') rate = view.getUint32(at + 12, true);
    if (id === 'data') {
      const bytes = wav.slice(at + 8, at + 8 + Math.min(size, wav.length - at - 8));
      return { pcm: new Int16Array(bytes.buffer, 0, bytes.length >> 1), rate };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error('not a WAV file with data');
}
