/**
 * The automaster's gentle multiband compression, decided from the programme's peak-to-loudness ratio
 * (PLR = true peak − integrated loudness) and crest factor (sample peak − RMS).
 *
 * Why PLR: the limiter will bring the programme's peaks down to the ceiling while the loudness goes to
 * the target, so PLR measures how hard it will have to work. Mastered pop sits around 8-11 dB PLR,
 * a dynamic mix at 15-20 dB (EBU Tech 3343 and the loudness-war literature, e.g. Vickers 2010). Above
 * PLR_START_DB the compressor starts helping the limiter with 1-3 dB of slower, band-wise gain
 * reduction (less audible than the same reduction in a fast broadband limiter); at or below it, the
 * programme is already dense and the multiband stays off.
 */
import type { AnalysisResult, SpectrumResult } from '../analysis/analysis-result.js';
import type { CompressorParams } from '../dsp/compressor.js';

/** Settings of one multiband band (the compressor parameters of the `multiband` insert). */
export type BandCompressorSettings = Pick<CompressorParams, 'thresholdDb' | 'ratio' | 'kneeDb' | 'attackMs' | 'releaseMs' | 'makeupDb' | 'detector'>;

export interface MultibandDecision {
  /** The multiband insert, or null when the programme needs none (strength 0). */
  insert: { type: 'multiband'; crossoversHz: number[]; bands: BandCompressorSettings[] } | null;
  /** The measurements and the strength they gave (0..1, times `amount`). */
  measurement: { plrDb: number | null; crestDb: number | null; bandRmsDb: (number | null)[] };
  strength: number;
  reason: string;
}

/** PLR at which compression starts / reaches full strength, dB. */
export const PLR_START_DB = 12;
export const PLR_FULL_DB = 20;
/** Crossovers of the 4-band split, Hz: lows, low-mids, high-mids, highs. */
export const MULTIBAND_CROSSOVERS_HZ = [120, 1000, 6000];
/** Time constants per band, ms: slower where periods are longer (less modulation distortion). */
const ATTACK_MS = [30, 20, 10, 5];
const RELEASE_MS = [250, 180, 120, 90];

/** Mean-square sum of the 1/3-octave bands whose centres lie in [lo, hi), as dB (sine-referenced levels). */
function bandRangeDb(spectrum: SpectrumResult, lo: number, hi: number): number | null {
  let p = 0;
  spectrum.bandsHz.forEach((f, k) => {
    const l = spectrum.levelsDb[k];
    if (f >= lo && f < hi && l !== null) p += Math.pow(10, l / 10);
  });
  return p > 0 ? 10 * Math.log10(p) - 3.0103 : null;
}

/**
 * Decides the multiband compressor.
 * @param input the programme's analysis (plrDb, crestDb, spectrum)
 * @param amount scale 0..1 of the strength (1 = as decided; 0 = off)
 * @param strengthOverride a strength 0..1 decided elsewhere (reference matching of PLR), used instead of PLR's
 */
export function decideMultiband(input: Pick<AnalysisResult, 'plrDb' | 'crestDb' | 'spectrum'>, amount = 1, strengthOverride?: number): MultibandDecision {
  const plr = input.plrDb;
  const edges = [0, ...MULTIBAND_CROSSOVERS_HZ, Infinity];
  const bandRmsDb = edges.slice(0, -1).map((lo, i) => bandRangeDb(input.spectrum, lo, edges[i + 1]));
  const round = (x: number) => Math.round(x * 100) / 100;
  const measurement = { plrDb: plr, crestDb: input.crestDb, bandRmsDb: bandRmsDb.map((x) => (x === null ? null : round(x))) };
  if (plr === null) return { insert: null, measurement, strength: 0, reason: 'no loudness (silence)' };
  const s0 = strengthOverride ?? Math.min(1, Math.max(0, (plr - PLR_START_DB) / (PLR_FULL_DB - PLR_START_DB)));
  const strength = round(s0 * Math.min(1, Math.max(0, amount)));
  if (strength === 0) {
    const why = amount <= 0 ? 'switched off' : strengthOverride !== undefined ? 'not needed to match the reference PLR' : `PLR ${plr.toFixed(1)} dB <= ${PLR_START_DB} dB: already dense`;
    return { insert: null, measurement, strength, reason: why };
  }
  // Ratio up to 2:1; the RMS-detector threshold moves from 6 dB above the band's long-term RMS (only
  // the loudest moments touched) down to 1 dB above it at full strength, so a steady band sees ≈ 0-2 dB.
  const ratio = round(1 + strength);
  const bands = bandRmsDb.map((rms, i) => ({
    thresholdDb: round(Math.min(0, Math.max(-80, (rms ?? -80) + 6 - 5 * strength))),
    ratio,
    kneeDb: 6,
    attackMs: ATTACK_MS[i],
    releaseMs: RELEASE_MS[i],
    makeupDb: 0,
    detector: 'rms' as const,
  }));
  return {
    insert: { type: 'multiband', crossoversHz: [...MULTIBAND_CROSSOVERS_HZ], bands },
    measurement, strength,
    reason: strengthOverride !== undefined ? 'to bring the PLR toward the reference' : `PLR ${plr.toFixed(1)} dB > ${PLR_START_DB} dB: gentle band-wise control helps the limiter`,
  };
}
