import { describe, expect, it } from 'vitest';
import { ROLE_NAMES, ROLE_TABLE, roleSpec } from '../../../../src/core/mix/automix/role-table.js';

const lu = (role: string) => roleSpec(role).levelLu;
/** Loudness of several uncorrelated stems summed (power sum), LU. */
const sumLu = (roles: string[]) => 10 * Math.log10(roles.reduce((p, r) => p + Math.pow(10, lu(r) / 10), 0));

// MUSDB18-HQ training songs, stem loudness relative to the mixture (the table's source [M]): median and
// interquartile range, LU.
const M = {
  vocals: { p50: -3.48 },
  drums: { p25: -8.63, p75: -5.41 },
  other: { p25: -6.25, p75: -3.65 },
};

describe('role table levels (issue #6)', () => {
  it('puts lead and vocals on top, kick and bass as the foundation, pads and effects below', () => {
    const top = ['vocal', 'lead', 'melody'];
    const foundation = ['kick', 'bass'];
    const below = ['pad', 'fx'];
    const maxLevel = Math.max(...ROLE_TABLE.map((r) => r.levelLu));
    for (const r of top) expect(lu(r)).toBe(maxLevel);
    for (const f of foundation) {
      for (const t of top) expect(lu(f)).toBeLessThan(lu(t));
      for (const b of below) expect(lu(f)).toBeGreaterThan(lu(b));
    }
    // Pads and effects also sit under every harmonic part, and effects under pads.
    for (const h of ['guitar', 'keys', 'plucked', 'brass', 'strings', 'chords', 'backing-vocal']) {
      expect(lu('pad')).toBeLessThan(lu(h));
    }
    expect(lu('fx')).toBeLessThan(lu('pad'));
  });

  it('a kit split into pieces sums to the whole-kit level measured in professional mixes', () => {
    // Kick + snare + hat + overheads, against the vocal, inside the MUSDB drums interquartile range.
    const kit = sumLu(['kick', 'snare', 'hat', 'overheads']) - lu('vocal');
    expect(kit).toBeGreaterThan(M.drums.p25 - M.vocals.p50);
    expect(kit).toBeLessThan(M.drums.p75 - M.vocals.p50);
    // The `drums` row (a whole kit in one stem) is the same quantity, so it lands there too.
    expect(lu('drums') - lu('vocal')).toBeGreaterThan(M.drums.p25 - M.vocals.p50);
    expect(lu('drums') - lu('vocal')).toBeLessThan(M.drums.p75 - M.vocals.p50);
    // And no single piece is louder than the kit it belongs to.
    for (const p of ['kick', 'snare', 'hat', 'overheads', 'toms', 'percussion']) expect(lu(p)).toBeLessThan(lu('drums'));
  });

  it('two harmonic parts sum to the "other" level measured in professional mixes', () => {
    for (const pair of [['guitar', 'keys'], ['keys', 'strings'], ['guitar', 'brass']]) {
      const other = sumLu(pair) - lu('vocal');
      expect(other).toBeGreaterThan(M.other.p25 - M.vocals.p50);
      expect(other).toBeLessThan(M.other.p75 - M.vocals.p50);
    }
  });

  it('every row has a finite level and its own name; unknown roles fall back on `other`', () => {
    expect(new Set(ROLE_NAMES).size).toBe(ROLE_NAMES.length);
    for (const r of ROLE_TABLE) expect(Number.isFinite(r.levelLu)).toBe(true);
    expect(roleSpec('kazoo-section')).toBe(roleSpec('other'));
  });
});
