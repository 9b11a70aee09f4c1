import { describe, expect, it } from 'vitest';
import { searchLimiterDrive, type DrivePass } from '../../../src/core/master/loudness-search.js';

/**
 * Model programmes with known L(d): an idle limiter (L = L0 + d exactly) and a saturating one whose
 * slope falls from 1 toward 0 (soft-knee: L = L0 + d − k·softplus((d − d0)/k)·(1 − s)).
 */
function model(l0: number, knee: number, d0: number, floorSlope: number) {
  return async (d: number): Promise<DrivePass> => {
    const x = (d - d0) / knee;
    const sp = knee * (x > 30 ? x : Math.log1p(Math.exp(x)));
    return { driveDb: d, integratedLufs: l0 + d - (1 - floorSlope) * sp, truePeakDbtp: -1 };
  };
}

describe('searchLimiterDrive', () => {
  it('lands a gain-only programme in at most 2 passes', async () => {
    const r = await searchLimiterDrive(async (d) => ({ driveDb: d, integratedLufs: -23.4 + d, truePeakDbtp: null }), { targetLufs: -14, initialDriveDb: 5 });
    expect(r.converged).toBe(true);
    expect(r.passes.length).toBeLessThanOrEqual(2);
    expect(Math.abs(-23.4 + r.driveDb - -14)).toBeLessThanOrEqual(0.03);
  });

  it.each([
    ['mild limiting', -20, 2, 4, 0.3],
    ['heavy limiting', -18, 1, 4, 0.3],
    ['very flat', -16, 0.5, 2, 0.2],
  ])('lands within ±0.03 LU under %s in ≤ 8 passes', async (_n, l0, knee, d0, floor) => {
    const f = model(l0, knee, d0, floor);
    const r = await searchLimiterDrive(f, { targetLufs: -9, initialDriveDb: -9 - l0 });
    expect(r.converged).toBe(true);
    const landed = (await f(r.driveDb)).integratedLufs as number;
    expect(Math.abs(landed + 9)).toBeLessThanOrEqual(0.03);
    expect(r.passes.length).toBeLessThanOrEqual(8);
  });

  it('reports an unreachable target instead of looping', async () => {
    // Saturates at -12 LUFS: -9 is out of reach.
    const f = async (d: number): Promise<DrivePass> => ({ driveDb: d, integratedLufs: -12 - 6 * Math.exp(-Math.max(0, d) / 3), truePeakDbtp: -1 });
    const r = await searchLimiterDrive(f, { targetLufs: -9, initialDriveDb: 3, maxPasses: 12 });
    expect(r.converged).toBe(false);
    expect(r.problem).toBeTruthy();
  });
});
