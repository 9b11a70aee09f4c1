/**
 * The multiband decision follows the limiter's work: target + PLR − ceiling, the dB the limiter would take
 * off the peaks. Off up to WORK_START_DB (a look-ahead limiter's first dB are transparent), full strength
 * from WORK_FULL_DB, linear between.
 */
import { describe, expect, it } from 'vitest';
import { decideMultiband, WORK_FULL_DB, WORK_START_DB } from '../../../src/core/master/auto-dynamics.js';

const bandsHz = [63, 250, 1000, 4000, 12500];
const programme = (plrDb: number) => ({ plrDb, crestDb: plrDb + 3, spectrum: { bandsHz, levelsDb: [-20, -22, -24, -30, -40] } });
const spotify = { targetLufs: -14, ceilingDbtp: -1 };

describe('decideMultiband', () => {
  it('stays off while the limiter has at most WORK_START_DB to do, and says why', () => {
    // PLR 13 at -14 LUFS / -1 dBTP: the peaks land exactly on the ceiling.
    const d = decideMultiband(programme(13), spotify);
    expect(d.insert).toBeNull();
    expect(d.reason).toMatch(/0\.0 dB under the -1 dBTP ceiling/);
    const edge = decideMultiband(programme(13 + WORK_START_DB), spotify);
    expect(edge.insert).toBeNull();
    expect(edge.reason).toMatch(/limiter alone is transparent/);
  });

  it('grows linearly with the limiter\'s work to full strength at WORK_FULL_DB', () => {
    const mid = (WORK_START_DB + WORK_FULL_DB) / 2;
    const d = decideMultiband(programme(13 + mid), spotify);
    expect(d.strength).toBeCloseTo(0.5, 2);
    expect(d.insert?.bands.every((b) => b.ratio === 1.5)).toBe(true);
    expect(decideMultiband(programme(13 + WORK_FULL_DB + 5), spotify).strength).toBe(1);
  });

  it('compresses less for a quiet target: the same programme needs no limiting at -23 LUFS', () => {
    const loud = decideMultiband(programme(19), spotify);
    const quiet = decideMultiband(programme(19), { targetLufs: -23, ceilingDbtp: -1 });
    expect(loud.strength).toBeCloseTo((6 - WORK_START_DB) / (WORK_FULL_DB - WORK_START_DB), 2);
    expect(quiet.insert).toBeNull();
  });

  it('scales by amount, is off without a target, and takes a strength decided elsewhere', () => {
    expect(decideMultiband(programme(19), spotify, 0.5).strength).toBeCloseTo(decideMultiband(programme(19), spotify).strength / 2, 2);
    expect(decideMultiband(programme(19), spotify, 0).reason).toBe('switched off');
    expect(decideMultiband(programme(19), null).insert).toBeNull();
    expect(decideMultiband(programme(12), null, 1, 0.4).strength).toBe(0.4);
  });
});
