import { describe, expect, it } from 'vitest';
import { findPreset, LOUDNESS_PRESETS } from '../../../src/core/master/presets.js';

// The published table of shared/DESIGN.md "Loudness presets" (integrated LUFS, true-peak ceiling dBTP).
const DESIGN_TABLE: [string, number, number][] = [
  ['spotify', -14, -1], ['apple-music', -16, -1], ['youtube', -14, -1], ['amazon-music', -14, -2], ['tidal', -14, -1],
  ['deezer', -15, -1], ['podcast', -16, -1], ['ebu-r128', -23, -1], ['atsc-a85', -24, -2], ['cd', -9, -0.3],
];

describe('loudness presets', () => {
  it('match the design table exactly', () => {
    expect(LOUDNESS_PRESETS.map((p) => [p.name, p.targetLufs, p.ceilingDbtp])).toEqual(DESIGN_TABLE);
    expect(findPreset('nope')).toBeUndefined();
  });
});
