import { describe, expect, it } from 'vitest';
import { GM_PROGRAMS } from '../../../../src/core/mix/automix/gm-programs.js';
import { ROLE_NAMES, ROLE_TABLE, roleSpec } from '../../../../src/core/mix/automix/role-table.js';

const lu = (role: string) => roleSpec(role).levelLu;
/** Loudness of several uncorrelated stems summed (power sum), LU. */
const sumLu = (roles: string[]) => 10 * Math.log10(roles.reduce((p, r) => p + Math.pow(10, lu(r) / 10), 0));

// MUSDB18-HQ training songs, stem loudness relative to the mixture (the table's ordering source [M]): median, LU.
const M = { vocals: -3.48, other: -4.78 };

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

  it('a kit split into pieces sums to the whole-kit row, and no piece is louder than the kit', () => {
    expect(sumLu(['kick', 'snare', 'hat', 'overheads'])).toBeCloseTo(lu('drums'), 0);
    expect(Math.abs(sumLu(['kick', 'snare', 'hat', 'overheads']) - lu('drums'))).toBeLessThan(0.25);
    for (const p of ['kick', 'snare', 'hat', 'overheads', 'toms', 'percussion']) expect(lu(p)).toBeLessThan(lu('drums'));
  });

  it('a harmonic part sits under the lead by about the step of MUSDB\'s "other" group under its vocals', () => {
    const harmonic = ['guitar', 'keys', 'plucked', 'brass', 'strings', 'chords'];
    for (const h of harmonic) expect(lu(h)).toBe(lu('guitar'));
    expect(Math.abs(lu('guitar') - lu('vocal') - (M.other - M.vocals))).toBeLessThan(0.5);
  });

  it('a General MIDI synth-lead patch is an accompanying line: under the harmonic parts, over the pads', () => {
    for (const h of ['guitar', 'keys', 'brass', 'strings']) expect(lu('synth-lead')).toBeLessThan(lu(h));
    expect(lu('synth-lead')).toBeGreaterThan(lu('pad'));
    expect(roleSpec('synth-lead').importance).toBeLessThan(roleSpec('lead').importance);
    // only the GM table reaches the row: a file name's words never do
    expect(roleSpec('synth-lead').names).toEqual([]);
    expect(GM_PROGRAMS.filter((p) => p.role === 'synth-lead').map((p) => p.program)).toEqual([81, 82, 83, 84, 85, 86, 87, 88]);
  });

  it('every row has a finite level and its own name; unknown roles fall back on `other`', () => {
    expect(new Set(ROLE_NAMES).size).toBe(ROLE_NAMES.length);
    for (const r of ROLE_TABLE) expect(Number.isFinite(r.levelLu)).toBe(true);
    expect(roleSpec('kazoo-section')).toBe(roleSpec('other'));
  });
});
