/**
 * Reference matching: decisions that make a programme resemble a reference master in integrated
 * loudness, long-term spectrum, stereo width and dynamics (PLR).
 *
 * - loudness: the reference's integrated loudness becomes the target (the search lands it).
 * - eq: the difference of the two channel-averaged 1/3-octave spectra (the bands and statistic of
 *   shared/eval/masterscore.py, measured on FineSpectrum), smoothed over 1/3 octave, shifted by the free
 *   broadband offset, bounded to ±MATCH_EQ_RANGE_DB, scaled by `amount` and fitted with one minimum-phase
 *   bell per band (MATCH_FINE_PROTOTYPES) on the band-integrated power of the programme (band-eq-fit.ts).
 *   master-files.ts then measures the processed output once and folds the residual back in
 *   (refineReferenceEq). Not chased: the reference above its spectral roll-off (a codec low-pass,
 *   spectralRolloffHz); reference bands under its own noise floor (NOISE_FLOOR_BELOW_MAX_DB below its
 *   loudest band) are an upper bound only (`capped`: the programme may be cut down to them, never lifted
 *   toward them); never boosted: programme bands under its floor or above its own roll-off. Minimum phase, not linear: the 31.5-63 Hz bands are narrower than the linear-phase FIR's
 *   ±18 Hz resolution, and minimum phase adds no latency or pre-ringing.
 * - width: the side-to-mid energy ratio difference sets the imager width exactly (bounded 50..150 %, see WIDTH_MAX_PERCENT).
 * - dynamics: the ceiling follows the reference's true peak (never above the requested ceiling) and
 *   the multiband strength follows how much denser the reference is (PLR difference / 8 dB).
 */
import type { AnalysisResult } from '../analysis/analysis-result.js';
import type { BandSpec } from '../dsp/biquad-design.js';
import { decideMultiband, type MultibandDecision } from './auto-dynamics.js';
import { fitBandIntegratedEq } from './band-eq-fit.js';
import { meanOver, smoothLogFrequency, type EqBand } from './eq-fit.js';
import type { FineSpectrumResult } from './fine-spectrum.js';
import { NORMALISE_HIGH_HZ, NORMALISE_LOW_HZ } from './target-curve.js';

export type MatchAspect = 'eq' | 'loudness' | 'width' | 'dynamics';
export const MATCH_ASPECTS: readonly MatchAspect[] = ['eq', 'loudness', 'width', 'dynamics'];

/** A programme as the matcher sees it: the Analyzer's result plus the mid/side measurement. */
export interface MatchAnalysis {
  analysis: AnalysisResult;
  fine: Pick<FineSpectrumResult, 'sideToMidDb' | 'binHz' | 'channelPowerDb'>;
}

export interface ReferenceMatchOptions {
  match?: readonly MatchAspect[];
  /** 0..1 (default 1). */
  amount?: number;
  /** The user's ceiling, dBTP (default -1): the output never goes above it. */
  ceilingDbtp?: number;
  /** Bound of the match EQ curve, dB (default MATCH_EQ_RANGE_DB); maxBoostDb wins over maxCutDb (one symmetric bound). */
  maxBoostDb?: number;
  maxCutDb?: number;
}

/** The EQ match as planned (plain data: goes into the JSON settings; refineReferenceEq updates it). */
export interface MatchEqPlan {
  bandsHz: number[];
  /** Bands the match follows (both programmes have content, above the reference's floor, below its roll-off). */
  valid: boolean[];
  /** Bands that may rise relative to the programme's level. */
  boostable: boolean[];
  /**
   * Bands where the reference sits at its noise floor (below its roll-off): its level there is an upper
   * bound on its content, so the programme may be cut down to it but is never lifted toward it.
   */
  capped: boolean[];
  /** The bounded curve the EQ is fitted to, dB per band. */
  desiredDb: number[];
  rangeDb: number;
  amount: number;
  sampleRate: number;
  /** The reference's band levels (channel-averaged power), dB. */
  referenceLevelsDb: (number | null)[];
  /** How many measured corrections were folded in (0 = one-shot fit). */
  refinements: number;
}

export interface ReferenceMatchDecision {
  targetLufs: number | null;
  ceilingDbtp: number;
  eq: EqBand[];
  widthPercent: number;
  multiband: MultibandDecision;
  eqPlan: MatchEqPlan | null;
  measurement: {
    referenceLufs: number | null; referencePlrDb: number | null; inputPlrDb: number | null;
    referenceSideToMidDb: number | null; inputSideToMidDb: number | null;
    spectrumDifferenceDb: (number | null)[]; bandsHz: number[]; lowpassHz: number | null; inputRolloffHz: number | null;
  };
}

/**
 * Width bounds, percent. The side/mid measurement (FineSpectrum.sideToMidDb, energy of S over M) agrees
 * with masterscore.py's width_db to 0.01 dB and the imager maps it exactly (S' = S·w, so the ratio moves
 * by 20·log10(w/100) dB); the clamp on the corpus-dev pairs is real: the orchestral references are 4-10 dB
 * wider (hall reverb) than the dry FluidSynth renders. Past +3.5 dB (150 %) a side boost mostly lifts
 * reverb tails and side noise and costs mono compatibility, so the match stops there.
 */
export const WIDTH_MIN_PERCENT = 50;
export const WIDTH_MAX_PERCENT = 150;

/**
 * Tonal-match bands: IEC 61260 base-10 1/3-octave centres 10^(n/10) Hz, n = 15..42 (31.6 Hz..15.8 kHz),
 * band edges centre·10^(±1/20): exactly the bands shared/eval/masterscore.py judges tonal balance on.
 */
export const MATCH_BANDS_HZ: readonly number[] = Array.from({ length: 28 }, (_, i) => Math.pow(10, (15 + i) / 10));
/** Half-width of a match band as a frequency ratio (base-10 1/3 octave). */
const BAND_EDGE = Math.pow(10, 0.05);

/**
 * Reference bands this far below its loudest band are its noise floor, dB: not matched. 50 dB is the floor
 * masterscore.py clamps to, so nothing below it counts there either.
 */
export const NOISE_FLOOR_BELOW_MAX_DB = 50;
/** Programme bands this far below its loudest band hold (almost) nothing: never boosted (it would lift noise), dB. */
export const INPUT_FLOOR_BELOW_MAX_DB = 60;
/**
 * Bound of the match EQ curve, dB: no band is boosted or cut by more than this relative to the curve's
 * broadband offset (the level is free: the loudness search sets it, so the curve is first shifted by the
 * offset that puts as much of it as possible inside ±MATCH_EQ_RANGE_DB; what still lies outside is not
 * chased). Why 24 dB and not the ±12 dB of a "tone" EQ: a reference match is asked to move a programme
 * onto another master's long-term balance, and two productions commonly differ by 20-30 dB in single
 * 1/3-octave bands (a sub-bass line one has and the other lacks, a bright mix against a dark orchestral
 * master). Matchering applies its smoothed match FIR without any bound; we keep one so that a spectral
 * hole of the programme is not filled with +40 dB of noise, and make it safe instead by *where* the
 * curve may act: only bands in which both spectra carry content (reference above its noise floor and
 * below its codec low-pass; programme above its own floor for boosts, see INPUT_FLOOR_BELOW_MAX_DB).
 */
export const MATCH_EQ_RANGE_DB = 24;
/**
 * Smoothing of the match curve, octaves FWHM: 1/3 octave keeps the resolution of the bands it is judged
 * on while taking the edge off single-band spikes (one note of one song is not "tone").
 */
export const MATCH_SMOOTHING_OCTAVES = 1 / 3;
/**
 * Quality factor of the match EQ's bells, one per 1/3-octave band: q 3 (about half an octave wide) overlaps
 * the neighbours enough that the summed response is smooth between centres; the least-squares fit on a
 * 1/12-octave grid takes care of the interaction.
 */
export const MATCH_BELL_Q = 3;
/** Each bell may exceed the curve bound by this much so that the *sum* of overlapping bells can follow it, dB. */
const BELL_HEADROOM_DB = 3;
/**
 * Spectral roll-off (a codec or resampler low-pass): the lowest frequency above ROLLOFF_SEARCH_FROM_HZ from
 * which the spectrum stays more than ROLLOFF_DROP_DB below its 9-12.5 kHz level. A reference's roll-off is
 * not chased (the master would lose its top end to someone else's encoder); nothing is boosted above the
 * programme's own roll-off (there is nothing there to boost).
 */
export const ROLLOFF_SEARCH_FROM_HZ = 13000;
export const ROLLOFF_DROP_DB = 20;

/** Octave-spaced bells (q 1.41 ≈ one octave) and two shelves: the broad "tone" layout (kept for callers that want a coarse match). */
export const MATCH_EQ_PROTOTYPES: readonly BandSpec[] = [
  { type: 'lowshelf', freqHz: 45, q: Math.SQRT1_2 },
  ...[90, 180, 355, 710, 1400, 2800, 5600].map((f) => ({ type: 'bell' as const, freqHz: f, q: 1.41 })),
  { type: 'highshelf', freqHz: 10000, q: Math.SQRT1_2 },
];

/**
 * The fine match layout: a bell per match band from 31.6 Hz to 12.6 kHz and a high shelf at 14.1 kHz
 * (carries the curve into the top band, which straddles most codec low-passes).
 */
export const MATCH_FINE_PROTOTYPES: readonly BandSpec[] = [
  ...MATCH_BANDS_HZ.slice(0, -1).map((f) => ({ type: 'bell' as const, freqHz: round2(f), q: MATCH_BELL_Q })),
  { type: 'highshelf', freqHz: 14125, q: Math.SQRT1_2 },
];

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * Channel-averaged band levels (dB) of a fine spectrum in the match bands: each bin's power is split by
 * its overlap with the band (as masterscore.py's Welch bins are summed). null where the band is empty or
 * beyond 0.49·fs.
 */
export function matchBandLevels(fine: Pick<FineSpectrumResult, 'binHz' | 'channelPowerDb'>, bandsHz: readonly number[] = MATCH_BANDS_HZ): (number | null)[] {
  const df = fine.binHz;
  const p = fine.channelPowerDb;
  const nyq = (p.length - 1) * df;
  return bandsHz.map((fc) => {
    const lo = fc / BAND_EDGE, hi = fc * BAND_EDGE;
    if (hi > 0.98 * nyq) return null;
    let sum = 0;
    const k0 = Math.max(0, Math.floor(lo / df - 0.5)), k1 = Math.min(p.length - 1, Math.ceil(hi / df + 0.5));
    for (let k = k0; k <= k1; k++) {
      const a = Math.max(lo, (k - 0.5) * df), z = Math.min(hi, (k + 0.5) * df);
      if (z > a && Number.isFinite(p[k])) sum += Math.pow(10, p[k] / 10) * ((z - a) / df);
    }
    return sum > 0 ? 10 * Math.log10(sum) : null;
  });
}

/**
 * Where a spectrum rolls off for good (see ROLLOFF_SEARCH_FROM_HZ), Hz, or null when it does not (or the
 * sample rate leaves no room above the search start).
 */
export function spectralRolloffHz(fine: Pick<FineSpectrumResult, 'binHz' | 'channelPowerDb'>): number | null {
  const df = fine.binHz;
  const p = fine.channelPowerDb;
  const mean = (f0: number, f1: number) => {
    let s = 0, n = 0;
    for (let k = Math.ceil(f0 / df); k <= Math.min(p.length - 1, Math.floor(f1 / df)); k++) { if (Number.isFinite(p[k])) s += Math.pow(10, p[k] / 10); n++; }
    return n > 0 && s > 0 ? 10 * Math.log10(s / n) : -Infinity;
  };
  const refLevel = mean(9000, 12500);
  if (!Number.isFinite(refLevel)) return null;
  const step = 250;
  const top = 0.98 * (p.length - 1) * df;
  let candidate: number | null = null;
  for (let f = ROLLOFF_SEARCH_FROM_HZ; f + step <= top; f += step) {
    const below = mean(f, f + step) < refLevel - ROLLOFF_DROP_DB;
    if (below && candidate === null) candidate = f;
    if (!below) candidate = null;
  }
  return candidate;
}

/** Match-curve shaping inputs: band-difference data and what may be done per band. */
export interface MatchCurveInput {
  bandsHz: readonly number[];
  /** Wanted change per band (reference − programme), dB; only `valid` entries are read. */
  differenceDb: readonly number[];
  valid: readonly boolean[];
  /** Bands that may rise relative to the programme's level (content above its floor, below its roll-off). */
  boostable: readonly boolean[];
  /** Bands whose differenceDb is only an upper bound (reference at its noise floor); default none. */
  capped?: readonly boolean[];
  rangeDb: number;
  amount: number;
}

/**
 * Turns a band difference into the bounded EQ curve: smoothed (MATCH_SMOOTHING_OCTAVES), shifted by the
 * broadband offset that leaves the least outside ±rangeDb, bounded, scaled by amount; bands that may not
 * rise are held at or below the curve's mean; invalid bands copy the nearest valid band (no edge swings);
 * capped bands take the lower of that and their own (shifted, bounded) difference.
 */
export function shapeMatchCurve(c: MatchCurveInput): number[] {
  const { bandsHz: f, valid, rangeDb: b } = c;
  const idx = f.map((_, k) => k).filter((k) => valid[k]);
  if (idx.length === 0) return f.map(() => 0);
  const sm = smoothLogFrequency(f, c.differenceDb, valid, MATCH_SMOOTHING_OCTAVES);
  const vals = idx.map((k) => sm[k]);
  const lo = Math.min(...vals), hi = Math.max(...vals);
  // Offset with the least squared excess outside ±b; ties go to the curve's mean (no needless broadband shift).
  const mean = vals.reduce((x, y) => x + y, 0) / vals.length;
  let best = mean, bestCost = Infinity;
  for (let o = lo; o <= hi + 1e-9; o += 0.05) {
    let cost = 0;
    for (const v of vals) { const e = Math.abs(v - o) - b; if (e > 0) cost += e * e; }
    cost += 1e-6 * (o - mean) * (o - mean);
    if (cost < bestCost) { bestCost = cost; best = o; }
  }
  const curve = f.map((_, k) => Math.min(b, Math.max(-b, sm[k] - best)) * c.amount);
  const level = meanOver(curve, valid);
  for (const k of idx) if (!c.boostable[k]) curve[k] = Math.min(curve[k], level);
  return f.map((_, k) => {
    if (valid[k]) return curve[k];
    let n = idx[0];
    for (const j of idx) if (Math.abs(j - k) < Math.abs(n - k)) n = j;
    const held = c.boostable[k] ? curve[n] : Math.min(curve[n], level);
    if (!c.capped?.[k]) return held;
    return Math.min(held, Math.min(b, Math.max(-b, c.differenceDb[k] - best)) * c.amount);
  });
}

/** Fitting grid points per match band (log-spaced inside its edges). */
const GRID_PER_BAND = 12;

/** The programme spectrum each plan's EQ acts on (kept out of the plan: the plan goes into the JSON settings). */
const planSpectra = new WeakMap<MatchEqPlan, Pick<FineSpectrumResult, 'binHz' | 'channelPowerDb'>>();

/**
 * Fits MATCH_FINE_PROTOTYPES to a per-band curve so that the EQ's band-integrated effect on the
 * programme (its power inside each 1/3-octave band, band-eq-fit.ts) follows the curve; each bell is
 * bounded to rangeDb + BELL_HEADROOM_DB. Without a programme spectrum the power is taken as flat.
 * @param bandsHz match band centres, Hz
 * @param curveDb wanted change per band, dB
 * @param valid bands the match follows (weight 1; the others, holding copied values, weight 0.3)
 * @param rangeDb curve bound, dB
 * @param sampleRate Hz (bands and bells above 0.45·fs are left out)
 * @param programme the spectrum the EQ will act on, optional
 */
export function fitMatchEq(
  bandsHz: readonly number[], curveDb: readonly number[], valid: readonly boolean[], rangeDb: number, sampleRate: number,
  programme?: Pick<FineSpectrumResult, 'binHz' | 'channelPowerDb'>,
): EqBand[] {
  const gridHz: number[] = [], gridPower: number[] = [], gridBand: number[] = [];
  const top = 0.45 * sampleRate;
  bandsHz.forEach((fc, b) => {
    const lo = fc / BAND_EDGE, hi = fc * BAND_EDGE;
    if (hi > top) return;
    for (let m = 0; m < GRID_PER_BAND; m++) {
      const f = lo * Math.pow(hi / lo, (m + 0.5) / GRID_PER_BAND);
      gridHz.push(f);
      gridBand.push(b);
      gridPower.push(programme ? powerAt(programme, f) : 1);
    }
  });
  const protos = MATCH_FINE_PROTOTYPES.filter((p) => p.freqHz < 0.45 * sampleRate);
  const lim = rangeDb + BELL_HEADROOM_DB;
  return fitBandIntegratedEq(
    { gridHz, gridPower, gridBand, targetDb: curveDb, weights: bandsHz.map((_, k) => (valid[k] ? 1 : 0.3)) },
    protos, { maxBoostDb: lim, maxCutDb: lim, minGainDb: 0.05 },
  );
}

/** Power of a fine spectrum at f, linear, interpolated between bins (0 when unknown). */
function powerAt(sp: Pick<FineSpectrumResult, 'binHz' | 'channelPowerDb'>, f: number): number {
  const x = f / sp.binHz;
  const k = Math.floor(x);
  const p = sp.channelPowerDb;
  if (k < 0 || k + 1 >= p.length) return 0;
  const a = Number.isFinite(p[k]) ? Math.pow(10, p[k] / 10) : 0;
  const c = Number.isFinite(p[k + 1]) ? Math.pow(10, p[k + 1] / 10) : 0;
  return a + (x - k) * (c - a);
}

/**
 * Decides how to match the reference.
 * @param input the programme
 * @param reference the reference master
 */
export function decideReferenceMatch(input: MatchAnalysis, reference: MatchAnalysis, opts: ReferenceMatchOptions = {}): ReferenceMatchDecision {
  const match = new Set(opts.match ?? MATCH_ASPECTS);
  const amount = Math.min(1, Math.max(0, opts.amount ?? 1));
  const userCeiling = opts.ceilingDbtp ?? -1;
  const rangeDb = Math.max(0, opts.maxBoostDb ?? opts.maxCutDb ?? MATCH_EQ_RANGE_DB);
  const a = input.analysis, r = reference.analysis;
  const f = [...MATCH_BANDS_HZ];
  const li = matchBandLevels(input.fine), lr = matchBandLevels(reference.fine);
  const referenceRolloffHz = spectralRolloffHz(reference.fine);
  const inputRolloffHz = spectralRolloffHz(input.fine);
  const refMax = Math.max(...lr.map((x) => (x === null ? -Infinity : x)));
  const inMax = Math.max(...li.map((x) => (x === null ? -Infinity : x)));
  const valid = f.map((hz, k) => {
    const x = li[k], y = lr[k];
    return x !== null && y !== null && y > refMax - NOISE_FLOOR_BELOW_MAX_DB && (referenceRolloffHz === null || hz * BAND_EDGE <= referenceRolloffHz);
  });
  // At or under the reference's floor (below its roll-off): an upper bound, not a target.
  const capped = f.map((hz, k) => {
    const x = li[k], y = lr[k];
    return !valid[k] && x !== null && y !== null && (referenceRolloffHz === null || hz * BAND_EDGE <= referenceRolloffHz);
  });
  const boostable = f.map((hz, k) => {
    const x = li[k];
    return x !== null && x > inMax - INPUT_FLOOR_BELOW_MAX_DB && (inputRolloffHz === null || hz * BAND_EDGE <= inputRolloffHz);
  });
  const diff = f.map((_, k) => (valid[k] || capped[k] ? (lr[k] as number) - (li[k] as number) : 0));
  const norm = f.map((hz, k) => valid[k] && hz >= NORMALISE_LOW_HZ && hz <= NORMALISE_HIGH_HZ);
  const offset = meanOver(diff, norm);
  const curveIn: MatchCurveInput = { bandsHz: f, differenceDb: diff, valid, boostable, capped, rangeDb, amount };
  const desired = shapeMatchCurve(curveIn);
  const sampleRate = 2 * (input.fine.channelPowerDb.length - 1) * input.fine.binHz;
  let eq: EqBand[] = [];
  const eqOn = match.has('eq') && amount > 0 && valid.some(Boolean);
  const fitted = f.map((_, k) => valid[k] || capped[k]);
  if (eqOn) eq = fitMatchEq(f, desired, fitted, rangeDb, sampleRate, input.fine);
  let widthPercent = 100;
  const si = input.fine.sideToMidDb, sr = reference.fine.sideToMidDb;
  if (match.has('width') && si !== null && sr !== null) {
    widthPercent = Math.round(Math.min(WIDTH_MAX_PERCENT, Math.max(WIDTH_MIN_PERCENT, 100 * Math.pow(10, (amount * (sr - si)) / 20))));
  }
  let ceilingDbtp = userCeiling;
  let strength = 0;
  if (match.has('dynamics')) {
    if (r.truePeakDbtp !== null) ceilingDbtp = Math.min(userCeiling, r.truePeakDbtp);
    if (a.plrDb !== null && r.plrDb !== null) strength = Math.min(1, Math.max(0, (a.plrDb - r.plrDb) / 8));
  }
  const multiband = decideMultiband(a, null, match.has('dynamics') ? amount : 0, strength);
  const eqPlan: MatchEqPlan | null = eqOn
    ? { bandsHz: f, valid, boostable, capped, desiredDb: desired.map(round2), rangeDb, amount, sampleRate, referenceLevelsDb: lr, refinements: 0 }
    : null;
  if (eqPlan) planSpectra.set(eqPlan, input.fine);
  return {
    targetLufs: match.has('loudness') ? r.integratedLufs : null,
    ceilingDbtp: round2(ceilingDbtp),
    eq, widthPercent, multiband,
    eqPlan,
    measurement: {
      referenceLufs: r.integratedLufs, referencePlrDb: r.plrDb, inputPlrDb: a.plrDb,
      referenceSideToMidDb: sr === null ? null : round2(sr), inputSideToMidDb: si === null ? null : round2(si),
      spectrumDifferenceDb: diff.map((x, k) => (valid[k] ? round2(x - offset) : null)), bandsHz: f,
      lowpassHz: referenceRolloffHz, inputRolloffHz,
    },
  };
}

/**
 * The second pass of the EQ match: the processed output (EQ, dynamics, limiter: the real chain) is
 * measured, and the remaining difference to the reference is folded into the curve, which is re-bounded
 * and re-fitted. This corrects what a one-shot fit misses: bell interaction within a band, the limiter's
 * and multiband's own tonal effect, and the shift of the loudness normalisation.
 * @param decision the decision from decideReferenceMatch (its eqPlan is updated in place)
 * @param output the fine spectrum of the processed output
 * @returns the new EQ bands (the decision's eq is replaced too); unchanged when there is no EQ plan
 */
export function refineReferenceEq(decision: ReferenceMatchDecision, output: Pick<FineSpectrumResult, 'binHz' | 'channelPowerDb'>): EqBand[] {
  const plan = decision.eqPlan;
  if (!plan) return decision.eq;
  const lo = matchBandLevels(output, plan.bandsHz);
  const valid = plan.valid.map((v, k) => v && lo[k] !== null);
  const capped = plan.capped.map((v, k) => v && lo[k] !== null);
  const used = valid.map((v, k) => v || capped[k]);
  const resid = plan.bandsHz.map((_, k) => (used[k] ? (plan.referenceLevelsDb[k] as number) - (lo[k] as number) : 0));
  // Level is free: the residual's own mean is not a tonal error.
  const m = meanOver(resid, valid);
  const wanted = plan.desiredDb.map((d, k) => (used[k] ? d / Math.max(plan.amount, 1e-6) + resid[k] - m : 0));
  const desired = shapeMatchCurve({ bandsHz: plan.bandsHz, differenceDb: wanted, valid, boostable: plan.boostable, capped, rangeDb: plan.rangeDb, amount: plan.amount });
  plan.desiredDb = desired.map(round2);
  plan.refinements++;
  decision.eq = fitMatchEq(plan.bandsHz, desired, used, plan.rangeDb, plan.sampleRate, planSpectra.get(plan));
  return decision.eq;
}

/**
 * Second pass of the width match: the processed output's side/mid ratio is moved onto the target ratio
 * (the input's plus `amount` of the difference to the reference) by the remaining difference (the imager
 * maps it exactly), within the same bounds.
 * @param widthPercent the width used for the measured pass
 * @param outputSideToMidDb measured on that pass's output, dB
 * @param targetSideToMidDb where the output should be, dB
 */
export function refineWidthPercent(widthPercent: number, outputSideToMidDb: number, targetSideToMidDb: number): number {
  const w = widthPercent * Math.pow(10, (targetSideToMidDb - outputSideToMidDb) / 20);
  return Math.round(Math.min(WIDTH_MAX_PERCENT, Math.max(WIDTH_MIN_PERCENT, w)));
}
