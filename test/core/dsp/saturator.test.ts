import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import { Saturator } from '../../../src/core/dsp/saturator.js';
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

describe('Saturator aliasing', () => {
  for (const fs of [48000, 44100]) {
    it(`aliases of a full-scale 5 kHz sine driven 12 dB are >= 80 dB down at ${fs} Hz`, () => {
      const n = 16384;
      const sat = new Saturator();
      sat.prepare({ sampleRate: fs, channels: 1, maxBlockFrames: 1024 });
      sat.setParams({ driveDb: 12, mix: 1 });
      sat.reset();
      const total = n + 4096;
      const x = Float32Array.from({ length: total }, (_, i) => Math.sin((2 * Math.PI * 5000 * i) / fs));
      const y = new Float32Array(total);
      for (let off = 0; off < total; off += 1024) sat.process([x.subarray(off, off + 1024)], [y.subarray(off, off + 1024)], Math.min(1024, total - off));
      const p = spectrum(y.subarray(4096));
      const bin = (f: number) => (f * n) / fs;
      const fund = p[Math.round(bin(5000))];
      // Audible band only (≤ 20 kHz): at 48 kHz the 5th harmonic (25 kHz) folds to 23 kHz, inside the
      // decimator's transition band (documented in saturator.ts); it is reported but not asserted.
      // Every bin farther than 8 bins (the window's main lobe) from a multiple of 5 kHz is an alias (or noise).
      let worst = 0;
      let worstHz = 0;
      for (let k = 4; k < bin(20000); k++) {
        const f = (k * fs) / n;
        const nearest = Math.round(f / 5000) * 5000;
        if (Math.abs(bin(nearest) - k) <= 8) continue;
        if (p[k] > worst) { worst = p[k]; worstHz = f; }
      }
      const db = 10 * Math.log10(worst / fund);
      console.log(`saturator ${fs} Hz: worst alias ${db.toFixed(1)} dB re fundamental at ${worstHz.toFixed(0)} Hz`);
      expect(db).toBeLessThan(-80);
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
