import { describe, expect, it } from 'vitest';
import { TpdfDither } from '../../../src/core/dsp/tpdf-dither.js';

/** Deterministic uniform values in [-amp, amp). */
function noise(n: number, amp: number, seed = 99): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296 * 2 - 1) * amp;
  }
  return out;
}

function stats(err: ArrayLike<number>): { mean: number; variance: number; lag1: number } {
  const n = err.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += err[i];
  const mean = sum / n;
  let v = 0;
  let c1 = 0;
  for (let i = 0; i < n; i++) {
    const d = err[i] - mean;
    v += d * d;
    if (i > 0) c1 += d * (err[i - 1] - mean);
  }
  return { mean, variance: v / n, lag1: c1 / v };
}

/** Total quantization error in LSB: output integer minus the exact input in LSB units. */
function errorLsb(input: Float32Array, q: Int32Array, bits: number): Float64Array {
  const scale = 2 ** (bits - 1);
  return Float64Array.from(q, (v, i) => v - input[i] * scale);
}

const N = 200_000;

describe('TpdfDither', () => {
  it('TPDF ±1 LSB: error mean 0 and variance 1/12 + 1/6 = 1/4 LSB², whatever the signal', () => {
    // The defining property of TPDF dither (Lipshitz et al. 1992): the first two moments of the total
    // error do not depend on the input, so check several fixed positions between two codes and noise.
    const bits = 16;
    const lsb = 1 / 32768;
    const inputs = [
      new Float32Array(N).fill(0),
      new Float32Array(N).fill(0.25 * lsb),
      new Float32Array(N).fill(0.5 * lsb),
      new Float32Array(N).fill(1000.75 * lsb),
      noise(N, 0.5),
    ];
    for (const input of inputs) {
      const d = new TpdfDither({ channels: 1, seed: 7 });
      const q = new Int32Array(N);
      d.quantizeToInt(input, N, bits, q);
      const e = errorLsb(input, q, bits);
      const s = stats(e);
      // Standard error of the mean ≈ sqrt(0.25/N) ≈ 0.0011; of the variance ≈ 0.0008.
      expect(Math.abs(s.mean)).toBeLessThan(0.006);
      expect(s.variance).toBeGreaterThan(0.24);
      expect(s.variance).toBeLessThan(0.26);
      // White: neighbouring errors uncorrelated.
      expect(Math.abs(s.lag1)).toBeLessThan(0.01);
      let worst = 0;
      for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(e[i]));
      expect(worst).toBeLessThan(1.5 + 1e-9);
    }
  });

  it('is deterministic: same seed same output, reset() restarts, another seed differs', () => {
    const input = noise(5000, 0.3);
    const run = (d: TpdfDither) => {
      const q = new Int32Array(5000);
      d.quantizeToInt(input, 5000, 16, q);
      return q;
    };
    const a = new TpdfDither({ channels: 1, seed: 42 });
    const first = run(a);
    expect(run(new TpdfDither({ channels: 1, seed: 42 }))).toEqual(first);
    a.reset();
    expect(run(a)).toEqual(first);
    expect(run(new TpdfDither({ channels: 1, seed: 43 }))).not.toEqual(first);
  });

  it('block size and channel order do not change the output', () => {
    const frames = 4099;
    const chans = [noise(frames, 0.4, 1), noise(frames, 0.4, 2), noise(frames, 0.4, 3)];
    const whole = new TpdfDither({ channels: 3, seed: 5, noiseShaping: true });
    const ref = chans.map((ch, c) => {
      const q = new Int32Array(frames);
      whole.quantizeToInt(ch, frames, 24, q, 0, 1, c);
      return q;
    });
    for (const block of [1, 7, 64, 1024]) {
      const d = new TpdfDither({ channels: 3, seed: 5, noiseShaping: true });
      const out = chans.map(() => new Int32Array(frames));
      for (let off = 0; off < frames; off += block) {
        const n = Math.min(block, frames - off);
        for (const c of [2, 0, 1]) d.quantizeToInt(chans[c].subarray(off), n, 24, out[c], off, 1, c);
      }
      expect(out).toEqual(ref);
    }
  });

  it('channels get independent dither', () => {
    const input = new Float32Array(N);
    const d = new TpdfDither({ channels: 2, seed: 3 });
    const a = new Int32Array(N);
    const b = new Int32Array(N);
    d.quantizeToInt(input, N, 16, a, 0, 1, 0);
    d.quantizeToInt(input, N, 16, b, 0, 1, 1);
    let cross = 0;
    for (let i = 0; i < N; i++) cross += a[i] * b[i];
    expect(Math.abs(cross / N / 0.25)).toBeLessThan(0.02);
  });

  it('writes interleaved output with offset and stride', () => {
    const d = new TpdfDither({ channels: 2, enabled: false });
    const out = new Int16Array(8);
    d.quantizeToInt(Float32Array.of(0.5, -0.5, 1 / 32768, 0), 4, 16, out, 0, 2, 0);
    d.quantizeToInt(Float32Array.of(-1, 0.25, 0, 0), 4, 16, out, 1, 2, 1);
    expect(Array.from(out)).toEqual([16384, -32768, -16384, 8192, 1, 0, 0, 0]);
  });

  it('clips to the integer range and counts clipped samples; NaN becomes silence', () => {
    const d = new TpdfDither({ channels: 1, enabled: false });
    const q = new Int32Array(6);
    const clipped = d.quantizeToInt(Float32Array.of(1, -1, 1.5, -3, NaN, 0.999), 6, 16, q);
    expect(Array.from(q)).toEqual([32767, -32768, 32767, -32768, 0, 32735]);
    expect(clipped).toBe(3); // 1.0, 1.5 and -3 (-1 is exactly representable)
    const dithered = new TpdfDither({ channels: 1 });
    const q2 = new Int32Array(3);
    dithered.quantizeToInt(Float32Array.of(NaN, 10, -10), 3, 24, q2);
    expect(Math.abs(q2[0])).toBeLessThanOrEqual(1);
    expect(q2[1]).toBe(8388607);
    expect(q2[2]).toBe(-8388608);
  });

  it('without dither it rounds to nearest', () => {
    const d = new TpdfDither({ channels: 1, enabled: false });
    const input = noise(10000, 0.9);
    const q = new Int32Array(10000);
    d.quantizeToInt(input, 10000, 24, q);
    expect(q).toEqual(Int32Array.from(input, (x) => Math.floor(x * 8388608 + 0.5)));
  });

  it('quantizeToFloat gives the integers / 2^(bits-1), in place too', () => {
    const input = noise(3000, 0.8);
    const q = new Int32Array(3000);
    new TpdfDither({ channels: 1, seed: 9 }).quantizeToInt(input, 3000, 16, q);
    const f = Float32Array.from(input);
    new TpdfDither({ channels: 1, seed: 9 }).quantizeToFloat(f, f, 3000, 16);
    expect(f).toEqual(Float32Array.from(q, (v) => v / 32768));
  });

  it('first-order noise shaping: error = e[n] - e[n-1], so variance 1/2 LSB² and lag-1 correlation -1/2', () => {
    const d = new TpdfDither({ channels: 1, seed: 11, noiseShaping: true });
    const input = noise(N, 0.5);
    const q = new Int32Array(N);
    d.quantizeToInt(input, N, 16, q);
    const s = stats(errorLsb(input, q, 16));
    expect(Math.abs(s.mean)).toBeLessThan(0.01);
    expect(s.variance).toBeGreaterThan(0.48);
    expect(s.variance).toBeLessThan(0.52);
    expect(s.lag1).toBeGreaterThan(-0.52);
    expect(s.lag1).toBeLessThan(-0.48);
  });

  it('rejects a bad channel count and bit depth', () => {
    expect(() => new TpdfDither({ channels: 0 })).toThrow(RangeError);
    expect(() => new TpdfDither({ channels: 1 }).quantizeToInt(new Float32Array(1), 1, 40, new Int32Array(1))).toThrow(RangeError);
  });
});
