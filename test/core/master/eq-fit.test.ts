import { describe, expect, it } from 'vitest';
import { analogBandMagnitudeDb, type BandSpec } from '../../../src/core/dsp/biquad-design.js';
import { fitEqBands, smoothLogFrequency } from '../../../src/core/master/eq-fit.js';
import { THIRD_OCTAVE_NOMINAL_HZ } from '../../../src/core/analysis/spectrum.js';

const f = THIRD_OCTAVE_NOMINAL_HZ;
const protos: BandSpec[] = [
  { type: 'lowshelf', freqHz: 90, q: Math.SQRT1_2 },
  { type: 'bell', freqHz: 700, q: 0.9 },
  { type: 'highshelf', freqHz: 10000, q: Math.SQRT1_2 },
];

describe('fitEqBands', () => {
  it('recovers the gains of a curve made by the same band shapes (RBJ analogue responses as oracle)', () => {
    const truth = [2.5, -1.5, -3];
    const desired = f.map(() => 0);
    protos.forEach((p, j) => analogBandMagnitudeDb({ ...p, gainDb: truth[j] }, f).forEach((v, k) => { desired[k] += v; }));
    const fit = fitEqBands(f, desired, f.map(() => 1), protos, { maxBoostDb: 6, maxCutDb: 6 });
    expect(fit.map((b) => b.gainDb)).toEqual(truth.map((t) => expect.closeTo(t, 1)));
  });

  it('bounds each band by maxBoost/maxCut', () => {
    const desired = f.map((hz) => (hz < 200 ? 12 : hz > 5000 ? -12 : 0));
    const fit = fitEqBands(f, desired, f.map(() => 1), protos, { maxBoostDb: 3, maxCutDb: 4 });
    for (const b of fit) { expect(b.gainDb).toBeGreaterThanOrEqual(-4); expect(b.gainDb).toBeLessThanOrEqual(3); }
    expect(fit.find((b) => b.type === 'lowshelf')?.gainDb).toBeCloseTo(3, 5);
    expect(fit.find((b) => b.type === 'highshelf')?.gainDb).toBeCloseTo(-4, 5);
  });

  it('smoothing a constant gives the constant; a one-band spike is spread and lowered', () => {
    const valid = f.map(() => true);
    expect(smoothLogFrequency(f, f.map(() => 3), valid, 1).every((v) => Math.abs(v - 3) < 1e-9)).toBe(true);
    const spike = f.map((hz) => (hz === 1000 ? 9 : 0));
    const s = smoothLogFrequency(f, spike, valid, 1);
    // Gaussian of FWHM 1 octave sampled at the band centres: the centre keeps 1/Σw of the spike.
    const sigma = 1 / 2.3548;
    let sw = 0;
    for (const hz of f) {
      const d = Math.log2(hz / 1000) / sigma;
      if (Math.abs(d) <= 4.5) sw += Math.exp(-0.5 * d * d);
    }
    expect(s[f.indexOf(1000)]).toBeCloseTo(9 / sw, 2);
  });
});
