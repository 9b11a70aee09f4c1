import { describe, expect, it } from 'vitest';
import { THIRD_OCTAVE_NOMINAL_HZ } from '../../../src/core/analysis/spectrum.js';
import { analogBandMagnitudeDb } from '../../../src/core/dsp/biquad-design.js';
import { decideAutoEq } from '../../../src/core/master/auto-eq.js';
import { targetCurveDb } from '../../../src/core/master/target-curve.js';

const f = THIRD_OCTAVE_NOMINAL_HZ;

function response(bands: ReturnType<typeof decideAutoEq>['bands']): number[] {
  const r = f.map(() => 0);
  for (const b of bands) analogBandMagnitudeDb(b, f).forEach((v, k) => { r[k] += v; });
  return r;
}

describe('decideAutoEq', () => {
  it('leaves a programme on the target curve (at any level) alone', () => {
    const d = decideAutoEq({ bandsHz: f, levelsDb: f.map((hz) => targetCurveDb(hz) - 17) }, { amount: 1 });
    expect(d.bands).toEqual([]);
  });

  it('counters a bright tilt partway (amount) and within the bounds', () => {
    // +3 dB per octave above 1 kHz relative to the target: too bright.
    const levels = f.map((hz) => targetCurveDb(hz) - 20 + (hz > 1000 ? 3 * Math.log2(hz / 1000) : 0));
    const d = decideAutoEq({ bandsHz: f, levelsDb: levels }, { amount: 0.5, maxBoostDb: 3, maxCutDb: 4 });
    const r = response(d.bands);
    const at = (hz: number) => r[f.indexOf(hz)];
    expect(at(8000)).toBeLessThan(-1.5);
    expect(at(8000)).toBeGreaterThan(-4.6);
    expect(at(8000)).toBeLessThan(at(2000));
    for (const b of d.bands) { expect(b.gainDb).toBeGreaterThanOrEqual(-4); expect(b.gainDb).toBeLessThanOrEqual(3); }
  });

  it('does nothing at amount 0 and ignores empty bands (no boost of a codec low-pass)', () => {
    const levels: (number | null)[] = f.map((hz) => (hz > 15000 ? null : targetCurveDb(hz) - 20));
    expect(decideAutoEq({ bandsHz: f, levelsDb: levels }, { amount: 0 }).bands).toEqual([]);
    expect(decideAutoEq({ bandsHz: f, levelsDb: levels }, { amount: 1 }).bands).toEqual([]);
  });
});
