/**
 * Automix dynamics and space: per-role compression set from the stem's crest factor, gentle glue on the
 * mix bus, and the shared reverb bus. Thresholds are set on the staged signal (every stem is trimmed to
 * STAGE_LUFS before its inserts), so they do not depend on the level the stem arrived at.
 */
import type { InsertSpec } from '../../dsp/insert-catalog.js';

/** Every stem is trimmed to this loudness before its inserts (gain staging), LUFS. */
export const STAGE_LUFS = -23;
/** Crest factors (peak to gated loudness, dB) up to this are left alone: already controlled. */
export const CREST_COMPRESS_FROM_DB = 12;
/** Peak gain reduction per dB of crest above CREST_COMPRESS_FROM_DB, and its maximum, dB. */
const REDUCTION_PER_CREST_DB = 0.5;
const MAX_PEAK_REDUCTION_DB = 6;
/** The threshold never goes below the staged loudness plus this (the body of the sound is not squashed). */
const MIN_THRESHOLD_ABOVE_LOUDNESS_DB = 3;
/**
 * Loudness lost per dB of peak gain reduction (a peak compressor at these settings touches the loudest
 * moments only; measured on the dev corpus stems, 0.15–0.3): the fader gets it back so the balance holds.
 */
const LOUDNESS_LOSS_PER_REDUCTION_DB = 0.2;

export interface CompressionDecision {
  insert: InsertSpec | null;
  reason: string;
  /** Estimated loudness change of the stem, dB (negative), compensated in the fader. */
  loudnessChangeDb: number;
}

/**
 * Per-stem compressor from the role's ratio and times and the stem's crest factor.
 * @param crestDb peak minus gated loudness, dB (null: silent)
 * @param ratio the role's ratio (1 = the role is never compressed)
 */
export function decideCompression(crestDb: number | null, ratio: number, attackMs: number, releaseMs: number): CompressionDecision {
  if (crestDb === null) return { insert: null, reason: 'silent stem', loudnessChangeDb: 0 };
  if (ratio <= 1) return { insert: null, reason: 'role is not compressed', loudnessChangeDb: 0 };
  if (crestDb <= CREST_COMPRESS_FROM_DB) return { insert: null, reason: `crest ${crestDb.toFixed(1)} dB: already controlled`, loudnessChangeDb: 0 };
  const stagedPeak = STAGE_LUFS + crestDb;
  let reduction = Math.min(MAX_PEAK_REDUCTION_DB, (crestDb - CREST_COMPRESS_FROM_DB) * REDUCTION_PER_CREST_DB);
  // Above the threshold the output rises 1/ratio dB per dB: the peak loses (peak − threshold)·(1 − 1/ratio).
  let threshold = stagedPeak - reduction / (1 - 1 / ratio);
  const floor = STAGE_LUFS + MIN_THRESHOLD_ABOVE_LOUDNESS_DB;
  if (threshold < floor) { threshold = floor; reduction = (stagedPeak - threshold) * (1 - 1 / ratio); }
  // A stem of lone spikes (crest over ~30 dB) peaks above full scale once staged: the threshold stops at
  // the compressor's 0 dBFS limit, and the spikes lose more than MAX_PEAK_REDUCTION_DB.
  const atLimit = threshold > 0;
  if (atLimit) { threshold = 0; reduction = stagedPeak * (1 - 1 / ratio); }
  threshold = Math.round(threshold * 10) / 10;
  const insert: InsertSpec = { type: 'compressor', thresholdDb: threshold, ratio, kneeDb: 6, attackMs, releaseMs, detector: 'peak' };
  return {
    insert,
    reason: `crest ${crestDb.toFixed(1)} dB: about ${reduction.toFixed(1)} dB off the peaks${atLimit ? ' (threshold at its 0 dBFS limit)' : ''}`,
    loudnessChangeDb: -LOUDNESS_LOSS_PER_REDUCTION_DB * reduction,
  };
}

/** The mix level the automix aims at before mastering, LUFS (headroom for the master; like the corpus mixes). */
export const MIX_TARGET_LUFS = -20;

/** Gentle bus glue: 1.5:1, slow attack, program release; only the loudest moments (~1–2 dB). */
export function glueCompressor(): InsertSpec {
  return { type: 'compressor', thresholdDb: MIX_TARGET_LUFS + 8, ratio: 1.5, kneeDb: 6, attackMs: 30, releaseMs: 200, detector: 'rms' };
}

/** Name of the shared reverb bus. */
export const REVERB_BUS = 'reverb';

/**
 * The shared reverb return: high-passed and darkened so it adds space without low-end mud or hiss;
 * fully wet (the dry sound comes from the tracks).
 */
export function reverbBusInserts(): InsertSpec[] {
  return [
    { type: 'eq', bands: [{ type: 'highpass', freqHz: 250, slopeDbPerOct: 12 }, { type: 'lowpass', freqHz: 9000, slopeDbPerOct: 12 }] },
    { type: 'reverb', decaySeconds: 1.6, preDelayMs: 20, dampingHz: 6000, sizePercent: 100, mix: 1 },
  ];
}
