/**
 * The automaster's gentle multiband compression, decided from how hard the limiter will have to work.
 *
 * The limiter brings the programme to the loudness target with its peaks at the ceiling, so it takes
 * target + PLR − ceiling dB off the peaks (PLR = true peak − integrated loudness). Mastered pop sits
 * around 8-11 dB PLR, a dynamic mix at 15-20 dB (EBU Tech 3343 and the loudness-war literature, e.g.
 * Vickers 2010); at −14 LUFS and −1 dBTP that is 0-7 dB of limiting. The first couple of dB a look-ahead
 * limiter takes are inaudible, and a compressor that acts anyway only adds movement (band levels that
 * rise and fall with the music: pumping). So the multiband stays off while the limiter's work is under
 * WORK_START_DB, and from there shares the work with 1-3 dB of slower, band-wise gain reduction (less
 * audible than the same reduction in a fast broadband limiter), at full strength from WORK_FULL_DB.
 * A quiet target (EBU R 128's −23 LUFS) asks less of the limiter than a loud one, and gets less compression.
 * The bands are split in linear phase (multiband `phase: 'linear'`), so that at rest the stage only delays.
 */
import type { AnalysisResult, SpectrumResult } from '../analysis/analysis-result.js';
import type { CompressorParams } from '../dsp/compressor.js';

/** Settings of one multiband band (the compressor parameters of the `multiband` insert). */
export type BandCompressorSettings = Pick<CompressorParams, 'thresholdDb' | 'ratio' | 'kneeDb' | 'attackMs' | 'releaseMs' | 'makeupDb' | 'detector'>;

export interface MultibandDecision {
  /** The multiband insert, or null when the programme needs none (strength 0). */
  insert: { type: 'multiband'; phase: 'linear'; crossoversHz: number[]; bands: BandCompressorSettings[] } | null;
  /** The measurements and the strength they gave (0..1, times `amount`). */
  measurement: { plrDb: number | null; crestDb: number | null; bandRmsDb: (number | null)[] };
  strength: number;
  reason: string;
}

/**
 * Limiter work (dB the target asks off the peaks) at which compression starts / reaches full strength.
 * The 8 dB between them is the range the design had when it started at PLR 12 and reached full strength
 * at PLR 20; only the start moved, to where the limiter stops being transparent on its own.
 */
export const WORK_START_DB = 2;
export const WORK_FULL_DB = 10;

/** The loudness target and true-peak ceiling the limiter works to. */
export interface LimiterTarget {
  targetLufs: number;
  ceilingDbtp: number;
}
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
 * @param target the loudness target and ceiling (null: no target, so no compression unless overridden)
 * @param amount scale 0..1 of the strength (1 = as decided; 0 = off)
 * @param strengthOverride a strength 0..1 decided elsewhere (reference matching of PLR), used instead
 */
export function decideMultiband(input: Pick<AnalysisResult, 'plrDb' | 'crestDb' | 'spectrum'>, target: LimiterTarget | null, amount = 1, strengthOverride?: number): MultibandDecision {
  const plr = input.plrDb;
  const edges = [0, ...MULTIBAND_CROSSOVERS_HZ, Infinity];
  const bandRmsDb = edges.slice(0, -1).map((lo, i) => bandRangeDb(input.spectrum, lo, edges[i + 1]));
  const round = (x: number) => Math.round(x * 100) / 100;
  const measurement = { plrDb: plr, crestDb: input.crestDb, bandRmsDb: bandRmsDb.map((x) => (x === null ? null : round(x))) };
  if (plr === null) return { insert: null, measurement, strength: 0, reason: 'no loudness (silence)' };
  const work = target ? target.targetLufs + plr - target.ceilingDbtp : null;
  const s0 = strengthOverride ?? (work === null ? 0 : Math.min(1, Math.max(0, (work - WORK_START_DB) / (WORK_FULL_DB - WORK_START_DB))));
  const strength = round(s0 * Math.min(1, Math.max(0, amount)));
  const workText = work === null || target === null ? ''
    : work <= 0 ? `at ${target.targetLufs} LUFS the peaks (PLR ${plr.toFixed(1)} dB) stay ${(-work).toFixed(1)} dB under the ${target.ceilingDbtp} dBTP ceiling`
      : `the limiter takes ${work.toFixed(1)} dB off the peaks (target ${target.targetLufs} LUFS + PLR ${plr.toFixed(1)} dB - ceiling ${target.ceilingDbtp} dBTP)`;
  if (strength === 0) {
    const why = amount <= 0 ? 'switched off'
      : strengthOverride !== undefined ? 'not needed to match the reference PLR'
        : work === null ? 'no loudness target'
          : work <= 0 ? `${workText}: nothing to compress` : `${workText}: up to ${WORK_START_DB} dB the limiter alone is transparent`;
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
    // Linear phase: a Linkwitz-Riley split delays the bass against the highs by a few ms (its allpass
    // sum) even where the bands are barely compressed, and a master should not move in time.
    insert: { type: 'multiband', phase: 'linear', crossoversHz: [...MULTIBAND_CROSSOVERS_HZ], bands },
    measurement, strength,
    reason: strengthOverride !== undefined ? 'to bring the PLR toward the reference' : `${workText}: gentle band-wise control shares the work`,
  };
}
