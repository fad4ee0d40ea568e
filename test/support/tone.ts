/**
 * Which tone a stretch of audio holds: the strongest frequency between 100 Hz and 2 kHz (in
 * 5 Hz steps, by a direct DFT over a window of it), or 0 for silence.
 */
export function dominantFrequency(samples: Float32Array, rate: number): number {
  const n = Math.min(samples.length, 8192);
  if (n < 1024) return 0;
  const x = samples.subarray(samples.length - n);
  let energy = 0;
  for (const v of x) energy += v * v;
  if (Math.sqrt(energy / n) < 0.005) return 0;
  let best = 0;
  let bestPower = 0;
  for (let f = 100; f <= 2000; f += 5) {
    const w = (2 * Math.PI * f) / rate;
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      re += x[i] * Math.cos(w * i);
      im -= x[i] * Math.sin(w * i);
    }
    const power = re * re + im * im;
    if (power > bestPower) [best, bestPower] = [f, power];
  }
  return best;
}
