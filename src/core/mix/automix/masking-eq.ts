/**
 * Automix EQ: a role high-pass where the role has no useful low end, and masking reduction in the spirit of
 * De Man & Reiss, "A knowledge-engineered autonomous mixing system" (AES 135, 2013): where two stems
 * compete in the same critical-band region, the less important one gets a gentle cut there.
 *
 * Regions: the 1/3-octave bands of the analysis, a good stand-in for critical bands above ~500 Hz; below,
 * critical bands are ~100 Hz wide, so bands under 200 Hz are ignored for masking (the high-passes and the
 * role table handle the low end). A stem "lives" in a band when it is within ESSENTIAL_DB of its own loudest
 * band; two stems compete when both live there and their levels in the mix are within COMPETE_DB.
 */
import { DC_BLOCK_BAND, type EqBand } from '../../dsp/eq.js';

export interface EqInput {
  name: string;
  importance: number;
  /** Role high-pass corner, Hz, or null. */
  roleHighpassHz: number | null;
  bandsHz: number[];
  /** Band levels relative to the stem's loudest band, dB. */
  bandLevelsDb: number[];
  /** Level of the stem in the mix (its target loudness), LUFS: places the relative spectra on one scale. */
  mixLevelLu: number;
  /** Whether the stem carries a DC offset worth removing (see DC_OFFSET_REL_DB), optional. */
  dcOffset?: boolean;
  /** The high-pass stays an octave under the lowest band within this of the loudest, dB (role-table.ts highpassGuardDb). */
  highpassGuardDb: number;
}

export interface MaskingCut {
  freqHz: number;
  gainDb: number;
  q: number;
  /** The stem it makes room for. */
  against: string;
}

export interface EqDecision {
  highpassHz: number | null;
  highpassReason: string;
  cuts: MaskingCut[];
  bands: EqBand[];
}

/** A band is part of a stem's sound when within this of its loudest band, dB. */
export const ESSENTIAL_DB = 10;
/** Two stems compete in a band when their levels in the mix are within this, dB. */
export const COMPETE_DB = 6;
/** Deepest masking cut, dB (gentle: a carve, not a hole). */
export const MAX_CUT_DB = 3;
/** At most this many masking cuts per stem. */
export const MAX_CUTS_PER_STEM = 3;
/** Masking is considered between these band centres, Hz. */
const MASKING_LOW_HZ = 200;
const MASKING_HIGH_HZ = 10000;
/** Q of a masking bell: Q 2 spans about 0.7 octave between the half-gain points, the width of a critical band and a bit. */
const CUT_Q = 2;
/** A DC offset counts when its level is within this of the stem's loudness, dB (relative: gain-invariant). */
export const DC_OFFSET_REL_DB = -40;
/** High-pass slope, dB/oct. */
const HP_SLOPE = 12;

/**
 * EQ decisions for all stems at once (masking needs them all).
 * @returns one decision per stem, in the input order; `bands` is the ready-to-write eq insert.
 */
export function decideEq(stems: readonly EqInput[]): EqDecision[] {
  const out: EqDecision[] = stems.map((s) => {
    let highpassHz: number | null = null;
    let highpassReason = 'role keeps its low end';
    if (s.roleHighpassHz !== null) {
      // Never cut what the stem lives on: stay an octave under its lowest strong band.
      let lowest = Infinity;
      for (let b = 0; b < s.bandsHz.length; b++) if (s.bandLevelsDb[b] >= -s.highpassGuardDb) { lowest = s.bandsHz[b]; break; }
      const guard = Number.isFinite(lowest) ? lowest / 2 : s.roleHighpassHz;
      highpassHz = Math.round(Math.min(s.roleHighpassHz, guard));
      highpassReason = highpassHz < s.roleHighpassHz
        ? `role high-pass ${s.roleHighpassHz} Hz lowered to ${highpassHz} Hz (the stem has energy down to ${lowest} Hz)`
        : `role has no useful low end below ${highpassHz} Hz`;
      if (highpassHz < 20) { highpassHz = null; highpassReason = `no high-pass: the stem has strong energy down to ${lowest} Hz`; }
    }
    if (s.dcOffset && highpassHz === null) {
      highpassHz = DC_BLOCK_BAND.freqHz;
      highpassReason = `DC offset: a ${highpassHz} Hz high-pass removes it, below the audio band`;
    }
    return { highpassHz, highpassReason, cuts: [], bands: [] };
  });

  // Candidate cuts: for each band and each pair, the less important stem yields.
  const candidates: { stem: number; band: number; depth: number; against: number; score: number }[] = [];
  const bands = stems[0]?.bandsHz ?? [];
  for (let b = 0; b < bands.length; b++) {
    if (bands[b] < MASKING_LOW_HZ || bands[b] > MASKING_HIGH_HZ) continue;
    for (let i = 0; i < stems.length; i++) {
      for (let j = 0; j < stems.length; j++) {
        const hi = stems[i], lo = stems[j];
        if (i === j || hi.importance <= lo.importance) continue;
        if (hi.bandsHz.length !== bands.length || lo.bandsHz.length !== bands.length) continue;
        if (hi.bandLevelsDb[b] < -ESSENTIAL_DB || lo.bandLevelsDb[b] < -ESSENTIAL_DB) continue;
        const diff = (lo.mixLevelLu + lo.bandLevelsDb[b]) - (hi.mixLevelLu + hi.bandLevelsDb[b]);
        if (Math.abs(diff) > COMPETE_DB && diff < 0) continue; // far below: no competition
        if (diff > COMPETE_DB) continue; // the lesser stem dominates here: cutting it would not help enough
        // Deeper the closer the levels and the larger the importance gap.
        const closeness = 1 - Math.abs(diff) / COMPETE_DB;
        const depth = Math.min(MAX_CUT_DB, 1 + closeness * 1.5 + 0.25 * (hi.importance - lo.importance));
        candidates.push({ stem: j, band: b, depth, against: i, score: depth + hi.bandLevelsDb[b] / ESSENTIAL_DB });
      }
    }
  }
  candidates.sort((x, y) => y.score - x.score || x.stem - y.stem || x.band - y.band);
  const taken = new Map<number, Set<number>>();
  for (const c of candidates) {
    const used = taken.get(c.stem) ?? new Set<number>();
    // One cut per band per stem, none on neighbouring bands (they would stack into a wide hole).
    if (used.has(c.band) || used.has(c.band - 1) || used.has(c.band + 1) || used.size >= MAX_CUTS_PER_STEM) continue;
    used.add(c.band);
    taken.set(c.stem, used);
    out[c.stem].cuts.push({ freqHz: bands[c.band], gainDb: -Math.round(c.depth * 10) / 10, q: CUT_Q, against: stems[c.against].name });
  }
  for (const d of out) {
    d.cuts.sort((a, b) => a.freqHz - b.freqHz);
    if (d.highpassHz !== null) d.bands.push({ type: 'highpass', freqHz: d.highpassHz, slopeDbPerOct: HP_SLOPE });
    for (const c of d.cuts) d.bands.push({ type: 'bell', freqHz: c.freqHz, gainDb: c.gainDb, q: c.q });
  }
  return out;
}
