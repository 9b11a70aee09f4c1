/**
 * Per-stem features for the automix, derived from one analysis pass (Analyzer result with its loudness
 * series). Every feature except `loudnessLufs` and `peakDbfs` is a ratio within the stem (spectral shape,
 * crest, activity, width), so scaling a stem by a constant moves those two by the same dB and nothing else:
 * that is what makes the automix invariant to input gains.
 */
import type { AnalysisResult } from '../../analysis/analysis-result.js';
import { kWeightingPowers } from '../../analysis/k-weighting.js';
import { loudnessEnvelope } from './same-part.js';

/** What the automix needs to know about one stem. */
export interface StemFeatures {
  /** Integrated loudness of the active parts (BS.1770 gating drops silence and rests), LUFS; null = silent. */
  loudnessLufs: number | null;
  /** The stem is shorter than one 400 ms loudness block, so `loudnessLufs` is measured over its whole length. */
  isShort: boolean;
  /** Sample peak, dBFS; null = silent. */
  peakDbfs: number | null;
  /** Peak-to-loudness ratio of the active parts (peak dBFS − gated loudness), dB: the crest factor used for dynamics. */
  crestDb: number | null;
  /** 1 for mono; 2 for a stereo file whose channels differ (correlation < 0.98); a dual-mono file counts as mono. */
  isStereo: boolean;
  /** Inter-channel correlation (1 for mono files). */
  correlation: number;
  /** Fraction of the file's 100 ms steps whose momentary loudness is within 20 LU of the gated loudness, 0..1. */
  activity: number;
  /** 1/3-octave band centres, Hz, and the stem's band levels relative to its own loudest band, dB (−120 floor). */
  bandsHz: number[];
  bandLevelsDb: number[];
  /** Level of the loudest band as analysed (dBFS-referenced, scales with the input): with bandLevelsDb, the absolute spectrum. */
  spectrumPeakDb: number;
  /** Power-weighted mean of log2(frequency) over the bands, as Hz: the spectral centroid on a log scale. */
  centroidHz: number;
  /** Fractions of band power below 150 Hz and above 4 kHz, 0..1. */
  lowFraction: number;
  highFraction: number;
  /** Loudest band at or below 100 Hz and loudest band at or above 6.3 kHz, dB relative to the loudest band. */
  lowEdgeDb: number;
  highEdgeDb: number;
  /** Fraction of the bands from 50 Hz to 12.5 kHz within 24 dB of the loudest band, 0..1 (1 = noise-like, flat). */
  bandwidthShare: number;
  /** Spectral flatness of the analysed windows, 200 Hz–5 kHz, dB (≈ −2.5 for noise, far below for pitched parts); null when silent or empty there. */
  flatnessDb: number | null;
  /** Momentary loudness relative to `loudnessLufs`, floored (same-part.ts); null without a loudness series or when silent. */
  envelope: Float32Array | null;
  durationSeconds: number;
}

/** BS.1770 gating block, s: a stem shorter than this has no integrated loudness. */
const BLOCK_SECONDS = 0.4;
/** BS.1770 absolute gate, LUFS. */
const ABSOLUTE_GATE_LUFS = -70;

/**
 * Loudness of a stem too short for one gating block, measured as a single block of its own length:
 * BS.1770's channel sum of mean squares, the K-weighting applied to its band spectrum. Null when silent
 * or under the absolute gate.
 */
function shortStemLoudness(a: AnalysisResult, bandsHz: readonly number[], bandLevelsDb: readonly number[]): number | null {
  if (a.rmsDbfs === null || a.durationSeconds >= BLOCK_SECONDS) return null;
  const kw = kWeightingPowers(bandsHz, a.sampleRate);
  let flat = 0, weighted = 0;
  for (let b = 0; b < bandsHz.length; b++) {
    const p = Math.pow(10, bandLevelsDb[b] / 10);
    flat += p;
    weighted += p * kw[b];
  }
  const k = flat > 0 && weighted > 0 ? 10 * Math.log10(weighted / flat) : 0;
  // rmsDbfs is the mean over channels; BS.1770 sums them.
  const lufs = -0.691 + a.rmsDbfs + 10 * Math.log10(Math.max(1, a.channels)) + k;
  return lufs > ABSOLUTE_GATE_LUFS ? lufs : null;
}

/** Below this a band is treated as empty (dB relative to the loudest band). */
const FLOOR_DB = -120;
/** A band counts towards `bandwidthShare` when within this of the loudest band, dB. */
const SPAN_DB = 24;
/** Dual-mono detection: stereo files whose channels correlate this well are treated as mono sources. */
const MONO_CORRELATION = 0.98;
/** A 100 ms step is "active" when its momentary loudness is within this many LU of the gated loudness. */
const ACTIVITY_WINDOW_LU = 20;

/**
 * Features of one stem from its analysis (the Analyzer's result, with `loudnessSeries` for activity).
 * @returns the features; a silent stem has null loudness, peak and crest, activity 0.
 */
export function stemFeatures(a: AnalysisResult): StemFeatures {
  const bandsHz = a.spectrum.bandsHz.slice();
  let maxDb = -Infinity;
  for (const l of a.spectrum.levelsDb) if (l !== null && l > maxDb) maxDb = l;
  const bandLevelsDb = a.spectrum.levelsDb.map((l) => (l === null || !Number.isFinite(maxDb) ? FLOOR_DB : Math.max(FLOOR_DB, l - maxDb)));
  let sum = 0, logSum = 0, low = 0, high = 0;
  let lowEdgeDb = FLOOR_DB, highEdgeDb = FLOOR_DB, inSpan = 0, spanBands = 0;
  for (let b = 0; b < bandsHz.length; b++) {
    const hz = bandsHz[b], db = bandLevelsDb[b];
    const p = Math.pow(10, db / 10);
    sum += p;
    logSum += p * Math.log2(hz);
    if (hz < 150) low += p;
    if (hz > 4000) high += p;
    if (hz <= 100) lowEdgeDb = Math.max(lowEdgeDb, db);
    if (hz >= 6300) highEdgeDb = Math.max(highEdgeDb, db);
    if (hz >= 50 && hz <= 12500) { spanBands++; if (db >= -SPAN_DB) inSpan++; }
  }
  const short = a.integratedLufs === null ? shortStemLoudness(a, bandsHz, bandLevelsDb) : null;
  const loudness = a.integratedLufs ?? short;
  let activity = 0;
  const series = a.loudnessSeries?.momentaryLufs;
  if (loudness !== null && series && series.length > 0) {
    let n = 0;
    for (const m of series) if (m !== null && m > loudness - ACTIVITY_WINDOW_LU) n++;
    activity = n / series.length;
  } else if (loudness !== null) {
    activity = 1;
  }
  const correlation = a.channels < 2 ? 1 : (a.correlation ?? 1);
  return {
    loudnessLufs: loudness,
    isShort: short !== null,
    peakDbfs: a.samplePeakDbfs,
    crestDb: a.samplePeakDbfs !== null && loudness !== null ? a.samplePeakDbfs - loudness : null,
    isStereo: a.channels >= 2 && correlation < MONO_CORRELATION,
    correlation,
    activity,
    bandsHz,
    bandLevelsDb,
    spectrumPeakDb: Number.isFinite(maxDb) ? maxDb : FLOOR_DB,
    centroidHz: sum > 0 ? Math.pow(2, logSum / sum) : 1000,
    lowFraction: sum > 0 ? low / sum : 0,
    highFraction: sum > 0 ? high / sum : 0,
    lowEdgeDb,
    highEdgeDb,
    bandwidthShare: spanBands > 0 ? inSpan / spanBands : 0,
    flatnessDb: loudness !== null ? (a.spectrum.flatnessDb ?? null) : null,
    envelope: loudness !== null && series && series.length > 0 ? loudnessEnvelope(series, loudness) : null,
    durationSeconds: a.durationSeconds,
  };
}
