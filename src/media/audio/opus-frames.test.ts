import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpusDecoder } from 'opus-decoder';
import { encodeOpusFrames, FRAME_SAMPLES, holdAudioPcm, resample, wavPcm } from './opus-frames.ts';

test('a WAV read, resampled to 48 kHz and encoded comes back, decoded, as the same tone for as long', async () => {
  const rate = 22_050;
  const pcm = new Int16Array(rate / 2); // half a second of 500 Hz
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 500 * i) / rate));
  const wav = new Uint8Array(44 + pcm.byteLength);
  const v = new DataView(wav.buffer);
  wav.set(new TextEncoder().encode('RIFF'), 0);
  v.setUint32(4, 36 + pcm.byteLength, true);
  wav.set(new TextEncoder().encode('WAVEfmt '), 8);
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  wav.set(new TextEncoder().encode('data'), 36);
  v.setUint32(40, pcm.byteLength, true);
  wav.set(new Uint8Array(pcm.buffer), 44);

  const read = wavPcm(wav);
  assert.equal(read.rate, rate);
  assert.deepEqual([...read.pcm.subarray(0, 10)], [...pcm.subarray(0, 10)]);
  const at48 = resample(read.pcm, rate);
  assert.equal(at48.length, 24_000);
  const frames = encodeOpusFrames(at48);
  assert.equal(frames.length, Math.ceil(24_000 / FRAME_SAMPLES));

  const decoder = new OpusDecoder({ channels: 1, sampleRate: 48_000 });
  await decoder.ready;
  const decoded = frames.map((f) => decoder.decodeFrame(f).channelData[0]);
  decoder.free();
  // Zero crossings in the middle 200 ms: 500 Hz crosses 1000 times a second.
  const mid = new Float32Array(decoded.slice(5, 15).flatMap((f) => [...f]));
  let crossings = 0;
  for (let i = 1; i < mid.length; i++) if (mid[i - 1] < 0 !== mid[i] < 0) crossings++;
  assert.ok(Math.abs(crossings / 0.2 - 1000) < 30, `${crossings} crossings`);
});

test('hold audio loops: it starts and ends silent, so the loop has no click', () => {
  const pcm = holdAudioPcm();
  assert.equal(pcm.length, 96_000);
  assert.equal(pcm[0], 0);
  assert.ok(Math.abs(pcm[pcm.length - 1]) < 10);
});
