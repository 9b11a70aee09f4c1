import { describe, expect, it } from 'vitest';
import { analogBandMagnitudeDb, type BandSpec } from '../../../src/core/dsp/biquad-design.js';
import { fitBandIntegratedEq } from '../../../src/core/master/band-eq-fit.js';

const EDGE = Math.pow(10, 0.05);
const BANDS = Array.from({ length: 20 }, (_, i) => Math.pow(10, (18 + i) / 10));
const PROTOS: BandSpec[] = BANDS.map((f) => ({ type: 'bell', freqHz: f, q: 3 }));

/** Band level change of an EQ on a power density p(f), by direct integration on a dense grid (2000 points per band). */
function bandChange(bands: (BandSpec & { gainDb: number })[], density: (f: number) => number): number[] {
  return BANDS.map((fc) => {
    const lo = fc / EDGE, hi = fc * EDGE;
    const f = Array.from({ length: 2000 }, (_, m) => lo * Math.pow(hi / lo, (m + 0.5) / 2000));
    const r = new Array<number>(f.length).fill(0);
    for (const b of bands) analogBandMagnitudeDb(b, f).forEach((v, i) => { r[i] += v; });
    // Log-spaced points: each stands for df ∝ f.
    let a = 0, z = 0;
    f.forEach((x, i) => { const w = density(x) * x; a += w * Math.pow(10, r[i] / 10); z += w; });
    return 10 * Math.log10(a / z);
  });
}

function problem(target: number[], density: (f: number) => number) {
  const gridHz: number[] = [], gridPower: number[] = [], gridBand: number[] = [];
  BANDS.forEach((fc, b) => {
    for (let m = 0; m < 12; m++) {
      const f = (fc / EDGE) * Math.pow(EDGE * EDGE, (m + 0.5) / 12);
      gridHz.push(f); gridBand.push(b); gridPower.push(density(f) * f);
    }
  });
  return { gridHz, gridPower, gridBand, targetDb: target, weights: target.map(() => 1) };
}

describe('fitBandIntegratedEq', () => {
  it('reaches band-integrated targets with 20 dB steps between neighbouring bands (dense-integration oracle)', () => {
    const target = BANDS.map((_, k) => (k % 4 < 2 ? 10 : -10));
    const pink = (f: number) => 1 / f;
    const eq = fitBandIntegratedEq(problem(target, pink), PROTOS, { maxBoostDb: 30, maxCutDb: 30 });
    const got = bandChange(eq, pink);
    const rms = Math.sqrt(got.reduce((s, v, k) => s + (v - target[k]) ** 2, 0) / got.length);
    expect(rms).toBeLessThan(1);
  });

  it('weights each band by where the programme power is (a tilted spectrum changes the answer)', () => {
    const target = BANDS.map((_, k) => (k === 10 ? 12 : 0));
    const flat = () => 1;
    const steep = (f: number) => Math.pow(f, -6);
    const eqFlat = fitBandIntegratedEq(problem(target, flat), PROTOS, { maxBoostDb: 30, maxCutDb: 30 });
    const eqSteep = fitBandIntegratedEq(problem(target, steep), PROTOS, { maxBoostDb: 30, maxCutDb: 30 });
    // Each fit is right for its own programme, to within 0.5 dB in the boosted band.
    expect(Math.abs(bandChange(eqFlat, flat)[10] - 12)).toBeLessThan(0.5);
    expect(Math.abs(bandChange(eqSteep, steep)[10] - 12)).toBeLessThan(0.5);
  });

  it('respects the gain bounds', () => {
    const target = BANDS.map((_, k) => (k === 5 ? 40 : 0));
    const eq = fitBandIntegratedEq(problem(target, () => 1), PROTOS, { maxBoostDb: 6, maxCutDb: 3 });
    for (const b of eq) { expect(b.gainDb).toBeLessThanOrEqual(6); expect(b.gainDb).toBeGreaterThanOrEqual(-3); }
  });
});
