import { describe, expect, it } from 'vitest';
import { magnitudeDb } from '../../helpers/fft-magnitude.js';
import { designLinkwitzRiley, LinkwitzRileyCrossover, runBiquad } from '../../../src/core/dsp/crossover.js';

const SIZE = 1 << 15;

/** Impulse responses of each band, split in blocks of 1000 frames (any block size must do). */
function bandImpulses(crossoversHz: number[], fs: number): Float64Array[] {
  const x = new LinkwitzRileyCrossover();
  x.prepare(1, fs, 6);
  x.setCrossovers(crossoversHz);
  const nb = x.bandCount;
  const imp = new Float32Array(SIZE);
  imp[0] = 1;
  const bands = Array.from({ length: nb }, () => new Float32Array(1000));
  const irs = Array.from({ length: nb }, () => new Float64Array(SIZE));
  for (let off = 0; off < SIZE; off += 1000) {
    const n = Math.min(1000, SIZE - off);
    x.process(0, imp, off, bands, n);
    for (let b = 0; b < nb; b++) irs[b].set(bands[b].subarray(0, n), off);
  }
  return irs;
}

describe('Linkwitz-Riley crossover', () => {
  const cases: [string, number[]][] = [['2 bands', [1000]], ['3 bands', [200, 2500]], ['4 bands', [120, 1000, 6000]]];
  for (const fs of [44100, 48000, 96000]) {
    for (const [name, xo] of cases) {
      it(`${name} at ${fs} Hz sum flat within 0.1 dB`, () => {
        const irs = bandImpulses(xo, fs);
        const sum = new Float64Array(SIZE);
        for (const ir of irs) for (let i = 0; i < SIZE; i++) sum[i] += ir[i];
        const m = magnitudeDb(sum, SIZE);
        let worst = 0;
        for (let k = 1; k < SIZE / 2; k++) worst = Math.max(worst, Math.abs(m[k]));
        console.log(`crossover ${name} ${xo.join('/')} Hz at ${fs} Hz: worst |sum| deviation ${worst.toExponential(2)} dB`);
        expect(worst).toBeLessThan(0.1);
      });
    }
  }

  it('each LR4 band is −6.02 dB at its crossover and follows the warped analogue LR4 slope', () => {
    const fs = 48000;
    const k = 1000;
    const fc = (k * fs) / SIZE; // on an FFT bin: ≈ 1464.8 Hz
    const [lo, hi] = bandImpulses([fc], fs).map((x) => magnitudeDb(x, SIZE));
    expect(Math.abs(lo[k] + 20 * Math.log10(2))).toBeLessThan(0.01);
    expect(Math.abs(hi[k] + 20 * Math.log10(2))).toBeLessThan(0.01);
    // |HP4|² = 1/(1 + (fc/f)⁴)² in the analogue domain; the bilinear transform maps f to the analogue
    // frequency tan(πf/fs), pre-warped so fc maps to itself: at fc/4 the high band is ≈ −48.3 dB.
    const kq = k / 4;
    const r = Math.tan((Math.PI * fc) / fs) / Math.tan((Math.PI * fc) / 4 / fs);
    const theory = -20 * Math.log10(1 + r ** 4);
    console.log(`LR4 high band at fc/4: ${hi[kq].toFixed(3)} dB (analogue ${theory.toFixed(3)} dB)`);
    expect(Math.abs(hi[kq] - theory)).toBeLessThan(0.01);
  });
});

describe('LinkwitzRileyCrossover fused three-band split', () => {
  it('matches the section-by-section form sample for sample (Float32 band buffers between sections)', () => {
    const fs = 48000, n = 5000, f = [150, 3000];
    let seed = 11;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = 0.7 * ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2147483648 - 1);
    x[10] = NaN;
    const xo = new LinkwitzRileyCrossover();
    xo.prepare(1, fs, 6);
    xo.setCrossovers(f);
    const bands = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    for (let off = 0; off < n; off += 700) {
      const m = Math.min(700, n - off);
      xo.process(0, x, off, bands.map((b) => b.subarray(off, off + m)), m);
    }
    // Reference: process()'s general order of runBiquad passes (4 per crossover, then the allpass).
    const d = f.map((hz) => designLinkwitzRiley(hz, fs));
    const st = new Float64Array(18);
    const rest = new Float32Array(n), b0 = new Float32Array(n), b1 = new Float32Array(n);
    for (let i = 0; i < n; i++) rest[i] = Number.isFinite(x[i]) ? x[i] : 0;
    runBiquad(d[0].lowpass, st, 0, rest, 0, b0, n);
    runBiquad(d[0].lowpass, st, 2, b0, 0, b0, n);
    runBiquad(d[0].highpass, st, 4, rest, 0, rest, n);
    runBiquad(d[0].highpass, st, 6, rest, 0, rest, n);
    runBiquad(d[1].allpass, st, 8, b0, 0, b0, n);
    runBiquad(d[1].lowpass, st, 10, rest, 0, b1, n);
    runBiquad(d[1].lowpass, st, 12, b1, 0, b1, n);
    runBiquad(d[1].highpass, st, 14, rest, 0, rest, n);
    runBiquad(d[1].highpass, st, 16, rest, 0, rest, n);
    expect(Array.from(bands[0])).toEqual(Array.from(b0));
    expect(Array.from(bands[1])).toEqual(Array.from(b1));
    expect(Array.from(bands[2])).toEqual(Array.from(rest));
  });
});
