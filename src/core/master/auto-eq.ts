/**
 * The automaster's corrective/tonal EQ: compares a programme's long-term 1/3-octave spectrum with the
 * neutral target curve (target-curve.ts), smooths the difference over an octave so only broad tonal
 * tilts and humps are corrected (never single notes), scales it by `amount`, and fits a handful of
 * broad bands to it with bounded boost and cut (eq-fit.ts).
 */
import type { SpectrumResult } from '../analysis/analysis-result.js';
import type { BandSpec } from '../dsp/biquad-design.js';
import { fitEqBands, meanOver, smoothLogFrequency, type EqBand } from './eq-fit.js';
import { NORMALISE_HIGH_HZ, NORMALISE_LOW_HZ, targetCurveDb } from './target-curve.js';

export interface AutoEqOptions {
  /** How far to move toward the target, 0..1 (default 0.5: the target is a population mean, not a rule). */
  amount?: number;
  /** Largest boost, dB (default 3). */
  maxBoostDb?: number;
  /** Largest cut, dB (default 4). */
  maxCutDb?: number;
  /** Smoothing of the deviation, octaves FWHM (default 1). */
  smoothingOctaves?: number;
  /** Bands outside lowHz..highHz are not corrected (default 30 Hz..16 kHz). */
  lowHz?: number;
  highHz?: number;
}

export interface AutoEqDecision {
  /** The eq insert bands (empty when nothing needs doing). */
  bands: EqBand[];
  /** What they are based on: the smoothed deviation of the programme from the target, dB per band. */
  measurement: { bandsHz: number[]; deviationDb: (number | null)[] };
  amount: number;
  maxBoostDb: number;
  maxCutDb: number;
  smoothingOctaves: number;
}

/** Bands below this level (dBFS) are treated as empty (noise floor, codec low-pass), not boosted. */
export const SPECTRUM_FLOOR_DB = -100;

/**
 * Broad bands the tonal fit may use: a low shelf, four wide bells (about 1.5 octaves each, q 0.9) and
 * a high shelf, a typical mastering EQ layout.
 */
export const TONAL_EQ_PROTOTYPES: readonly BandSpec[] = [
  { type: 'lowshelf', freqHz: 90, q: Math.SQRT1_2 },
  { type: 'bell', freqHz: 250, q: 0.9 },
  { type: 'bell', freqHz: 700, q: 0.9 },
  { type: 'bell', freqHz: 2000, q: 0.9 },
  { type: 'bell', freqHz: 5000, q: 0.9 },
  { type: 'highshelf', freqHz: 10000, q: Math.SQRT1_2 },
];

/** Deviation below which a band counts as "not there" rather than "too quiet" (not chased), dB. */
const ABSENT_DEVIATION_DB = -15;

/**
 * Decides the tonal EQ.
 * @param spectrum long-term 1/3-octave spectrum of the programme (Analyzer result)
 * @param opts amount and bounds (see AutoEqOptions)
 * @returns the bands and the deviation behind them; no bands when amount is 0 or the spectrum is empty
 */
export function decideAutoEq(spectrum: SpectrumResult, opts: AutoEqOptions = {}): AutoEqDecision {
  const amount = Math.min(1, Math.max(0, opts.amount ?? 0.5));
  const maxBoostDb = opts.maxBoostDb ?? 3;
  const maxCutDb = opts.maxCutDb ?? 4;
  const smoothingOctaves = opts.smoothingOctaves ?? 1;
  const lowHz = opts.lowHz ?? 30;
  const highHz = opts.highHz ?? 16000;
  const f = spectrum.bandsHz;
  const valid = f.map((hz, k) => {
    const l = spectrum.levelsDb[k];
    return l !== null && l > SPECTRUM_FLOOR_DB && hz >= lowHz && hz <= highHz;
  });
  const raw = f.map((hz, k) => (valid[k] ? (spectrum.levelsDb[k] as number) - targetCurveDb(hz) : 0));
  const inNorm = f.map((hz, k) => valid[k] && hz >= NORMALISE_LOW_HZ && hz <= NORMALISE_HIGH_HZ);
  const offset = meanOver(raw, inNorm);
  const dev = raw.map((d, k) => (valid[k] ? Math.max(ABSENT_DEVIATION_DB, d - offset) : 0));
  const smooth = smoothLogFrequency(f, dev, valid, smoothingOctaves);
  const decision: AutoEqDecision = {
    bands: [],
    measurement: { bandsHz: [...f], deviationDb: smooth.map((d, k) => (valid[k] ? Math.round(d * 100) / 100 : null)) },
    amount, maxBoostDb, maxCutDb, smoothingOctaves,
  };
  if (amount === 0 || !valid.some(Boolean)) return decision;
  const desired = smooth.map((d, k) => (valid[k] ? Math.min(maxBoostDb, Math.max(-maxCutDb, -amount * d)) : 0));
  // Out-of-range bands still count a little (weight 0.2) so the fit does not swing wildly there.
  const weights = valid.map((v) => (v ? 1 : 0.2));
  decision.bands = fitEqBands(f, desired, weights, TONAL_EQ_PROTOTYPES, { maxBoostDb, maxCutDb });
  return decision;
}
