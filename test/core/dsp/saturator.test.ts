import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import { fastTanh, kneeClip, Saturator, type SaturatorCurve } from '../../../src/core/dsp/saturator.js';
import { describeProcessorContract } from '../../helpers/processor-contract.js';

describeProcessorContract({
  name: 'saturator',
  create: () => new Saturator(),
  params: { driveDb: 12, mix: 0.7 },
  latencyProbe: { driveDb: 0, mix: 1 },
  paramJump: { to: { driveDb: 0 }, maxStepFactor: 2 },
});

/** Power spectrum (Blackman-Harris 4-term window) of x, N = 2^k. */
function spectrum(x: Float32Array): Float64Array {
  const n = x.length;
  const fft = new FFT(n);
  const inp = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    inp[i] = x[i] * (0.35875 - 0.48829 * Math.cos(t) + 0.14128 * Math.cos(2 * t) - 0.01168 * Math.cos(3 * t));
  }
  const out = fft.createComplexArray() as number[];
  fft.realTransform(out, inp);
  const p = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) p[k] = out[2 * k] ** 2 + out[2 * k + 1] ** 2;
  return p;
}

/** Runs a full-scale sine through a fresh saturator; returns the power spectrum of the settled output. */
function driveSine(fs: number, freq: number, driveDb: number, n = 16384, curve: SaturatorCurve = 'tanh'): Float64Array {
  const sat = new Saturator();
  sat.prepare({ sampleRate: fs, channels: 1, maxBlockFrames: 1024 });
  sat.setParams({ driveDb, mix: 1, curve, kneeDb: 2 });
  sat.reset();
  const total = n + 4096;
  const x = Float32Array.from({ length: total }, (_, i) => Math.sin((2 * Math.PI * freq * i) / fs));
  const y = new Float32Array(total);
  for (let off = 0; off < total; off += 1024) {
    const m = Math.min(1024, total - off);
    sat.process([x.subarray(off, off + m)], [y.subarray(off, off + m)], m);
  }
  return spectrum(y.subarray(4096));
}

describe('Saturator aliasing', () => {
  // Whole band 0..fs/2: the aliases of harmonics above Nyquist fold to non-multiples of the tone
  // (none of these tones divides fs), so every bin farther than 8 bins (the Blackman-Harris main lobe)
  // from a harmonic is an alias (or noise).
  // The knee curve (2 dB knee, as the maximiser uses it) bends from slope 1 to almost 0 within 2 dB, so
  // its harmonics reach higher than tanh's: its budget (see saturator.ts) is set per drive.
  const budgets: [SaturatorCurve, number, number][] = [['tanh', 12, 80], ['knee', 6, 78], ['knee', 12, 60]];
  const cases: [number, number, SaturatorCurve, number, number][] = [];
  for (const [curve, drive, budget] of budgets) for (const fs of [48000, 44100]) for (const f of [5000, 7000, 3300]) cases.push([fs, f, curve, drive, budget]);
  for (const [fs, nominal, curve, drive, budget] of cases) {
    it(`aliases of a full-scale ${nominal} Hz sine driven ${drive} dB are >= ${budget} dB down over 0..fs/2 at ${fs} Hz (${curve})`, () => {
      const n = 16384;
      // Snapped to a bin centre (an odd bin, so no harmonic or alias is periodic in n by accident):
      // no window leakage, so the measured floor is the real alias level, not the window's sidelobes.
      let kb = Math.round((nominal * n) / fs);
      if (kb % 2 === 0) kb += 1;
      const freq = (kb * fs) / n;
      const p = driveSine(fs, freq, drive, n, curve);
      const bin = (f: number) => (f * n) / fs;
      const fund = p[Math.round(bin(freq))];
      let worst = 0;
      let worstHz = 0;
      for (let k = 4; k < n / 2; k++) {
        const f = (k * fs) / n;
        const nearest = Math.round(f / freq) * freq;
        if (Math.abs(bin(nearest) - k) <= 8) continue;
        if (p[k] > worst) {
          worst = p[k];
          worstHz = f;
        }
      }
      const db = 10 * Math.log10(worst / fund);
      console.log(`saturator (${curve}) ${fs} Hz, ${freq.toFixed(1)} Hz: worst alias ${db.toFixed(1)} dB re fundamental at ${worstHz.toFixed(0)} Hz`);
      expect(db).toBeLessThan(-budget);
    });
  }

  it('the knee curve is the identity up to the knee, odd, rising, and stays under the clip level with a slope > 0', () => {
    for (const kneeDb of [0.5, 2, 6, 20]) {
      const k = 10 ** (-kneeDb / 20);
      const xs = new Float64Array(40001);
      for (let i = 0; i < xs.length; i++) xs[i] = -20 + i * 1e-3;
      const ys = Float64Array.from(xs);
      kneeClip(ys, ys.length, k);
      let notIdentity = 0, overClip = 0, notBelow = 0, notRising = 0, notOdd = 0;
      const mirrored = Float64Array.from(xs, (x) => -x);
      kneeClip(mirrored, mirrored.length, k);
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i];
        const y = ys[i];
        if (Math.abs(x) <= k) {
          if (y !== x) notIdentity++;
        } else {
          if (!(Math.abs(y) < 1)) overClip++;
          if (!(Math.abs(y) <= Math.abs(x))) notBelow++;
        }
        if (i > 0 && !(y > ys[i - 1])) notRising++; // strictly rising: never a flat top, however hard it is driven
        if (mirrored[i] !== -y) notOdd++;
      }
      expect({ notIdentity, overClip, notBelow, notRising, notOdd }).toEqual({ notIdentity: 0, overClip: 0, notBelow: 0, notRising: 0, notOdd: 0 });
      // Slope 1 on both sides of the knee (the curve is C1 there).
      const h = 1e-7;
      const probe = Float64Array.of(k + h, k + 2 * h);
      kneeClip(probe, 2, k);
      expect((probe[1] - probe[0]) / h).toBeCloseTo(1, 5);
    }
  });

  it('with the knee curve, a sine under the knee comes out unchanged (delayed)', () => {
    const fs = 48000;
    const sat = new Saturator();
    sat.prepare({ sampleRate: fs, channels: 1, maxBlockFrames: 512 });
    // Drive 6 dB, knee 8 dB under the clip level: a sine of peak -15 dBFS reaches -9 dB, under the knee.
    sat.setParams({ driveDb: 6, outputGainDb: -6, mix: 1, curve: 'knee', kneeDb: 8 });
    sat.reset();
    const n = 8192;
    const amp = 10 ** (-15 / 20);
    const x = Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * 997 * i) / fs));
    const y = new Float32Array(n);
    for (let off = 0; off < n; off += 512) sat.process([x.subarray(off, off + 512)], [y.subarray(off, off + 512)], 512);
    const lat = sat.latencyFrames;
    let worst = 0;
    for (let i = lat + 2048; i < n; i++) worst = Math.max(worst, Math.abs(y[i] - x[i - lat]));
    // Only the oversampler's pass-band ripple and float rounding remain: under -100 dB of the signal.
    expect(20 * Math.log10(worst / amp)).toBeLessThan(-100);
  });

  it('fastTanh matches Math.tanh within 3e-7 and is odd', () => {
    let worst = 0;
    for (let x = -20; x <= 20; x += 1e-3) {
      worst = Math.max(worst, Math.abs(fastTanh(x) - Math.tanh(x)));
      expect(fastTanh(-x)).toBe(-fastTanh(x));
    }
    expect(worst).toBeLessThan(3e-7);
    expect(fastTanh(0)).toBe(0);
    expect(fastTanh(1e6)).toBeCloseTo(1, 6);
  });

  for (const fs of [44100, 48000]) {
    it(`is flat within 0.1 dB to 18 kHz at drive 0 dB (dry/wet mix 0.5 and wet) at ${fs} Hz`, () => {
      for (const mix of [1, 0.5]) {
        for (const f of [20, 100, 1000, 5000, 10000, 15000, 17000, 18000]) {
          const sat = new Saturator();
          sat.prepare({ sampleRate: fs, channels: 1, maxBlockFrames: 512 });
          sat.setParams({ driveDb: 0, mix });
          sat.reset();
          const len = 16384;
          const a = 0.001; // tanh(0.001) is linear to 3e-7 relative
          const x = Float32Array.from({ length: len }, (_, i) => a * Math.sin((2 * Math.PI * f * i) / fs));
          const y = new Float32Array(len);
          for (let off = 0; off < len; off += 512) sat.process([x.subarray(off, off + 512)], [y.subarray(off, off + 512)], 512);
          // Least-squares amplitude over a settled stretch (quadrature projection, many periods).
          let c = 0;
          let s = 0;
          const from = 4096;
          const to = len;
          // Round the stretch to whole periods when the tone is low (20 Hz), else the projection leaks.
          const period = fs / f;
          const end = from + Math.floor((to - from) / period) * period;
          let cnt = 0;
          for (let i = from; i < Math.floor(end); i++) {
            c += y[i] * Math.cos((2 * Math.PI * f * i) / fs);
            s += y[i] * Math.sin((2 * Math.PI * f * i) / fs);
            cnt++;
          }
          const amp = (2 * Math.hypot(c, s)) / cnt;
          const db = 20 * Math.log10(amp / a);
          expect(Math.abs(db), `${f} Hz mix ${mix}`).toBeLessThan(0.1);
        }
      }
    });
  }
  it('keeps dry and wet time-aligned: mix 0.5 at drive 0 dB on a quiet sine equals the delayed input', () => {
    const fs = 48000;
    const sat = new Saturator();
    sat.prepare({ sampleRate: fs, channels: 1, maxBlockFrames: 512 });
    sat.setParams({ driveDb: 0, mix: 0.5 });
    sat.reset();
    const x = Float32Array.from({ length: 4096 }, (_, i) => 0.01 * Math.sin((2 * Math.PI * 1000 * i) / fs));
    const y = new Float32Array(4096);
    for (let off = 0; off < 4096; off += 512) sat.process([x.subarray(off, off + 512)], [y.subarray(off, off + 512)], 512);
    const d = sat.latencyFrames;
    let err = 0;
    for (let i = 1000; i < 4096; i++) err = Math.max(err, Math.abs(y[i] - x[i - d]));
    // tanh(0.01) differs from 0.01 by 3e-7 relative; the comb of a misaligned dry would be ~1e-3.
    expect(err).toBeLessThan(2e-5);
  });
});
