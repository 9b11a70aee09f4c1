import { describe, expect, it } from 'vitest';
import { SignalStats } from '../../../src/core/analysis/signal-stats.js';

const n = 48000;
const sine = (a: number, f = 997, ph = 0) => Float32Array.from({ length: n }, (_, i) => a * Math.sin((2 * Math.PI * f * i) / 48000 + ph));

describe('SignalStats', () => {
  it('full-scale sine RMS = -3.01 dBFS, peak ~1, DC ~0', () => {
    const s = new SignalStats(1);
    const x = sine(1);
    for (let i = 0; i < n; i += 1000) s.push([x.subarray(i)], 1000);
    expect(10 * Math.log10(s.meanSquares()[0])).toBeCloseTo(-3.0103, 3);
    expect(s.samplePeaks()[0]).toBeGreaterThan(0.9999);
    expect(Math.abs(s.dcOffsets()[0])).toBeLessThan(1e-4);
  });
  it('DC offset equals the mean', () => {
    const s = new SignalStats(1);
    const x = Float32Array.from(sine(0.5), (v) => v + 0.125);
    s.push([x], n);
    let m = 0;
    for (const v of x) m += v;
    expect(s.dcOffsets()[0]).toBeCloseTo(m / n, 9);
  });
  it('correlation: identical 1, inverted -1, independent ~0, mono/silent null', () => {
    const a = sine(0.5);
    const inv = Float32Array.from(a, (v) => -v);
    let seed = 9;
    const next = () => {
      // xorshift32 (Marsaglia 2003): successive blocks are uncorrelated, unlike a plain LCG's.
      seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
      return seed / 2 ** 32 - 0.5;
    };
    const noise = () => Float32Array.from({ length: n }, next);
    const corr = (x: Float32Array, y: Float32Array) => {
      const s = new SignalStats(2);
      s.push([x, y], n);
      return s.correlation();
    };
    expect(corr(a, a)).toBeCloseTo(1, 9);
    expect(corr(a, inv)).toBeCloseTo(-1, 9);
    const r = corr(noise(), noise())!;
    expect(Math.abs(r)).toBeLessThan(0.02);
    expect(corr(a, new Float32Array(n))).toBeNull();
    const mono = new SignalStats(1);
    mono.push([a], n);
    expect(mono.correlation()).toBeNull();
  });
  it('clipped samples: only runs of 3+ at |x| >= 0.99997, across block boundaries', () => {
    const x = new Float32Array(100);
    x[10] = 1; x[11] = 1; // run of 2: not counted
    x[20] = 1; x[21] = -1; x[22] = 0.99998; // run of 3 (sign changes still full scale)
    x[50] = 1; x[51] = 1; x[52] = 1; x[53] = 1; x[54] = 1; // run of 5
    x[70] = 0.9999; x[71] = 0.9999; x[72] = 0.9999; // below threshold
    const direct = 3 + 5;
    for (const b of [1, 7, 100]) {
      const s = new SignalStats(1);
      for (let i = 0; i < 100; i += b) s.push([x.subarray(i)], Math.min(b, 100 - i));
      expect(s.clippedSamples()).toBe(direct);
    }
  });
});
