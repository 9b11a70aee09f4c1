import { describe, expect, it } from 'vitest';
import { Imager } from '../../../src/core/dsp/imager.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

describeProcessorContract({ name: 'imager', create: () => new Imager(), params: { widthPercent: 150, monoBelowHz: 120 }, latencyProbe: 'skip', paramJump: { to: { widthPercent: 0 } } });
describeProcessorContract({ name: 'imager (width only)', create: () => new Imager(), params: { widthPercent: 60 }, latencyProbe: { widthPercent: 100 } });

const FS = 48000;

/** Amplitude of frequency f in x (least-squares fit of a sine and cosine over whole periods). */
function amplitude(x: Float32Array, f: number, from: number): number {
  let re = 0, im = 0;
  const n = x.length - from;
  for (let i = from; i < x.length; i++) {
    re += x[i] * Math.cos((2 * Math.PI * f * i) / FS);
    im += x[i] * Math.sin((2 * Math.PI * f * i) / FS);
  }
  return (2 * Math.hypot(re, im)) / n;
}

function runImager(params: { widthPercent?: number; monoBelowHz?: number }, l: Float32Array, r: Float32Array): Float32Array[] {
  const im = new Imager();
  im.prepare({ sampleRate: FS, channels: 2, maxBlockFrames: 4096 });
  im.setParams(params);
  im.reset();
  const out = [new Float32Array(l.length), new Float32Array(l.length)];
  for (let off = 0; off < l.length; off += 4096) {
    const n = Math.min(4096, l.length - off);
    im.process([l.subarray(off, off + n), r.subarray(off, off + n)], [out[0].subarray(off, off + n), out[1].subarray(off, off + n)], n);
  }
  return out;
}

const sine = (f: number, a: number, ph = 0) => Float32Array.from({ length: 48000 }, (_, i) => a * Math.sin((2 * Math.PI * f * i) / FS + ph));

describe('Imager', () => {
  it('width 0 is mono (L = R = (L+R)/2), width 200 doubles the side', () => {
    const l = sine(440, 0.5), r = sine(660, 0.3);
    const [a, b] = runImager({ widthPercent: 0 }, l, r);
    for (let i = 0; i < l.length; i += 7) { expect(a[i]).toBeCloseTo((l[i] + r[i]) / 2, 6); expect(b[i]).toBe(a[i]); }
    const [c, d] = runImager({ widthPercent: 200 }, l, r);
    for (let i = 0; i < l.length; i += 7) expect(c[i] - d[i]).toBeCloseTo(2 * (l[i] - r[i]), 5);
  });

  it('monoBelowHz: side removed below the cutoff (LR4: 30 Hz at 120 Hz ≥ 45 dB down), kept above, mono sum magnitude unchanged', () => {
    for (const [f, expectSide] of [[30, Math.pow(30 / 120, 4) / Math.sqrt(1 + Math.pow(30 / 120, 8))], [2000, 1]] as const) {
      // Pure side input: L = s, R = −s.
      const s = sine(f, 0.5);
      const neg = s.map((v) => -v);
      const [a, b] = runImager({ monoBelowHz: 120 }, s, neg);
      const side = a.map((v, i) => (v - b[i]) / 2);
      const got = amplitude(side, f, 24000) / 0.5;
      // Analog LR4 high-pass magnitude |H| = (f/fc)^4/(1+(f/fc)^4) … bilinear warping is negligible at 120 Hz.
      const lr4 = Math.pow(f / 120, 4) / (1 + Math.pow(f / 120, 4));
      expect(Math.abs(20 * Math.log10(got / lr4))).toBeLessThan(0.1);
      if (f === 30) expect(20 * Math.log10(got)).toBeLessThan(-45);
      else expect(Math.abs(20 * Math.log10(got))).toBeLessThan(0.01);
      void expectSide;
    }
    for (const f of [40, 120, 300]) {
      const l = sine(f, 0.5), r = sine(f, 0.2, 1);
      const [a, b] = runImager({ monoBelowHz: 120 }, l, r);
      const sumIn = l.map((v, i) => v + r[i]);
      const sumOut = a.map((v, i) => v + b[i]);
      expect(amplitude(sumOut, f, 24000) / amplitude(sumIn, f, 24000)).toBeCloseTo(1, 4);
    }
  });
});
