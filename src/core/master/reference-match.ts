/**
 * Reference matching: decisions that make a programme resemble a reference master in integrated
 * loudness, long-term spectrum, stereo width and dynamics (PLR).
 *
 * - loudness: the reference's integrated loudness becomes the target (the search lands it).
 * - eq: the difference of the two loudness-normalised 1/3-octave spectra, smoothed over 2/3 octave,
 *   scaled by `amount` and fitted with octave-spaced bells and two shelves, each bounded. Bands where
 *   the reference has nothing to match are ignored: below its own noise floor (NOISE_FLOOR_BELOW_MAX_DB
 *   under its loudest band), or above a codec low-pass (a cliff of more than LOWPASS_DROP_DB relative to
 *   the programme above 10 kHz): matching those would dull the master or boost noise.
 * - width: the side-to-mid energy ratio difference sets the imager width (bounded 50..150 %).
 * - dynamics: the ceiling follows the reference's true peak (never above the requested ceiling) and
 *   the multiband strength follows how much denser the reference is (PLR difference / 8 dB).
 */
import type { AnalysisResult } from '../analysis/analysis-result.js';
import type { BandSpec } from '../dsp/biquad-design.js';
import { decideMultiband, type MultibandDecision } from './auto-dynamics.js';
import { fitEqBands, meanOver, smoothLogFrequency, type EqBand } from './eq-fit.js';
import { SPECTRUM_FLOOR_DB } from './auto-eq.js';
import type { FineSpectrumResult } from './fine-spectrum.js';
import { NORMALISE_HIGH_HZ, NORMALISE_LOW_HZ } from './target-curve.js';

export type MatchAspect = 'eq' | 'loudness' | 'width' | 'dynamics';
export const MATCH_ASPECTS: readonly MatchAspect[] = ['eq', 'loudness', 'width', 'dynamics'];

/** A programme as the matcher sees it: the Analyzer's result plus the mid/side measurement. */
export interface MatchAnalysis {
  analysis: AnalysisResult;
  fine: Pick<FineSpectrumResult, 'sideToMidDb'>;
}

export interface ReferenceMatchOptions {
  match?: readonly MatchAspect[];
  /** 0..1 (default 1). */
  amount?: number;
  /** The user's ceiling, dBTP (default -1): the output never goes above it. */
  ceilingDbtp?: number;
  maxBoostDb?: number;
  maxCutDb?: number;
}

export interface ReferenceMatchDecision {
  targetLufs: number | null;
  ceilingDbtp: number;
  eq: EqBand[];
  widthPercent: number;
  multiband: MultibandDecision;
  measurement: {
    referenceLufs: number | null; referencePlrDb: number | null; inputPlrDb: number | null;
    referenceSideToMidDb: number | null; inputSideToMidDb: number | null;
    spectrumDifferenceDb: (number | null)[]; bandsHz: number[]; lowpassHz: number | null;
  };
}

/** Reference bands this far below its loudest band are its noise floor, dB. */
export const NOISE_FLOOR_BELOW_MAX_DB = 60;
/** A drop of the reference relative to the programme larger than this above 10 kHz is a codec low-pass, dB. */
export const LOWPASS_DROP_DB = 12;

/** Octave-spaced bells (q 1.41 ≈ one octave) and two shelves: enough resolution for a 2/3-octave smoothed match. */
export const MATCH_EQ_PROTOTYPES: readonly BandSpec[] = [
  { type: 'lowshelf', freqHz: 45, q: Math.SQRT1_2 },
  ...[90, 180, 355, 710, 1400, 2800, 5600].map((f) => ({ type: 'bell' as const, freqHz: f, q: 1.41 })),
  { type: 'highshelf', freqHz: 10000, q: Math.SQRT1_2 },
];

/**
 * Decides how to match the reference.
 * @param input the programme
 * @param reference the reference master
 */
export function decideReferenceMatch(input: MatchAnalysis, reference: MatchAnalysis, opts: ReferenceMatchOptions = {}): ReferenceMatchDecision {
  const match = new Set(opts.match ?? MATCH_ASPECTS);
  const amount = Math.min(1, Math.max(0, opts.amount ?? 1));
  const userCeiling = opts.ceilingDbtp ?? -1;
  const a = input.analysis, r = reference.analysis;
  const f = a.spectrum.bandsHz;
  const li = a.spectrum.levelsDb, lr = r.spectrum.levelsDb;
  const refMax = Math.max(...lr.map((x) => (x === null ? -Infinity : x)));
  const both = f.map((hz, k) => {
    const x = li[k], y = lr[k];
    return x !== null && y !== null && x > SPECTRUM_FLOOR_DB && y > SPECTRUM_FLOOR_DB && y > refMax - NOISE_FLOOR_BELOW_MAX_DB && hz >= 25 && hz <= 18000;
  });
  const norm = f.map((hz, k) => both[k] && hz >= NORMALISE_LOW_HZ && hz <= NORMALISE_HIGH_HZ);
  const diff = f.map((_, k) => (both[k] ? (lr[k] as number) - (li[k] as number) : 0));
  const offset = meanOver(diff, norm);
  const d = diff.map((x) => x - offset);
  // Codec low-pass: from the first band ≥ 10 kHz where the reference falls LOWPASS_DROP_DB below the programme.
  let lowpassHz: number | null = null;
  for (let k = 0; k < f.length; k++) {
    if (f[k] >= 10000 && both[k] && d[k] < -LOWPASS_DROP_DB) { lowpassHz = f[k]; break; }
  }
  const valid = both.map((v, k) => v && (lowpassHz === null || f[k] < lowpassHz));
  const smooth = smoothLogFrequency(f, d, valid, 2 / 3);
  const maxBoostDb = opts.maxBoostDb ?? 6;
  const maxCutDb = opts.maxCutDb ?? 6;
  let eq: EqBand[] = [];
  if (match.has('eq') && amount > 0 && valid.some(Boolean)) {
    const desired = smooth.map((x, k) => (valid[k] ? Math.min(maxBoostDb, Math.max(-maxCutDb, amount * x)) : 0));
    eq = fitEqBands(f, desired, valid.map((v) => (v ? 1 : 0.1)), MATCH_EQ_PROTOTYPES, { maxBoostDb, maxCutDb });
  }
  let widthPercent = 100;
  const si = input.fine.sideToMidDb, sr = reference.fine.sideToMidDb;
  if (match.has('width') && si !== null && sr !== null) {
    widthPercent = Math.round(Math.min(150, Math.max(50, 100 * Math.pow(10, (amount * (sr - si)) / 20))));
  }
  let ceilingDbtp = userCeiling;
  let strength = 0;
  if (match.has('dynamics')) {
    if (r.truePeakDbtp !== null) ceilingDbtp = Math.min(userCeiling, r.truePeakDbtp);
    if (a.plrDb !== null && r.plrDb !== null) strength = Math.min(1, Math.max(0, (a.plrDb - r.plrDb) / 8));
  }
  const multiband = decideMultiband(a, match.has('dynamics') ? amount : 0, strength);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    targetLufs: match.has('loudness') ? r.integratedLufs : null,
    ceilingDbtp: round(ceilingDbtp),
    eq, widthPercent, multiband,
    measurement: {
      referenceLufs: r.integratedLufs, referencePlrDb: r.plrDb, inputPlrDb: a.plrDb,
      referenceSideToMidDb: sr === null ? null : round(sr), inputSideToMidDb: si === null ? null : round(si),
      spectrumDifferenceDb: smooth.map((x, k) => (valid[k] ? round(x) : null)), bandsHz: [...f], lowpassHz,
    },
  };
}
