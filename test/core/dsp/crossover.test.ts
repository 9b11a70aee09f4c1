import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import { LinkwitzRileyCrossover } from '../../../src/core/dsp/crossover.js';

const SIZE = 1 << 15;

/** Magnitudes in dB of the FFT of a real signal, bins 1 .. SIZE/2 − 1. */
function magnitudeDb(x: Float64Array): Float64Array {
  const f = new FFT(SIZE);
  const out = f.createComplexArray() as number[];
  f.realTransform(out, Array.from(x));
  const m = new Float64Array(SIZE / 2);
  for (let k = 1; k < SIZE / 2; k++) m[k] = 10 * Math.log10(out[2 * k] ** 2 + out[2 * k + 1] ** 2);
  return m;
}

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
        const m = magnitudeDb(sum);
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
    const [lo, hi] = bandImpulses([fc], fs).map(magnitudeDb);
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
