/**
 * The "loudness maximiser" decision: when the loudness search finds that the true-peak limiter alone
 * cannot reach the target (it saturates: more drive no longer raises loudness, see loudness-search.ts),
 * an oversampled soft clipper is put in front of the limiter and the search is run again.
 *
 * Why a clipper and not a faster release: a look-ahead limiter removes a peak by lowering the gain for
 * at least its release time, so at high drive its output tends to the programme divided by its own peak
 * envelope, whose loudness is bounded by the programme's crest factor over a few milliseconds. A shorter
 * release raises that bound only a little (measured on a dense 30 s master with 5 ms look-ahead: the
 * loudness limit rose 0.6 LU from 100 ms to 25 ms of release) while the gain starts to follow the
 * waveform of bass notes (distortion) and to pump. A soft clipper acts on each peak alone, lowers the
 * short-term crest factor, and so has no such bound; the limiter after it keeps the true-peak ceiling
 * guaranteed (the clipper's 8x oversampling keeps its harmonics from aliasing).
 *
 * Engaged only when the search reports saturation: everything the limiter can reach on its own stays
 * clipper-free.
 */
import type { LoudnessSearchResult, SaturationMeasurement } from './loudness-search.js';
import type { MaximiserSettings } from './mastering-chain.js';

/**
 * Clip level above the limiter's ceiling, dB. The clipper is straight up to the ceiling and bends what
 * lies above it toward this level, so the limiter after it works on at most about this much. Measured with
 * masterscore at −9 LUFS / −0.3 dBTP on 16 programmes (7 dev, 9 held out): 2 dB scored higher than 3 dB
 * on every one (less limiter gain riding: pumping 0.39-1.08 dB against 0.44-1.20), with no flat-topped
 * runs (a tanh shoulder in place of the knee curve left flat tops of up to 16 samples on 2 of them).
 */
export const MAXIMISER_CLIP_ABOVE_CEILING_DB = 2;

/**
 * Limiter gain reduction above which the clipper takes the peaks over, dB. Beyond it a look-ahead limiter
 * rides the gain of the loud passages only, so the loudness range shrinks (measured with gain and limiting
 * only at -9 LUFS: a 6.66 LU programme fell to 4.39 LU at 6.6 dB of gain reduction, and to 5.74 LU with
 * the clipper; 4.35 → 2.72 at 5.3 dB, 3.80 with the clipper), and the limiter starts to pump.
 */
export const MAXIMISER_ENGAGE_GR_DB = 3;

export interface MaximiserDecision {
  settings: MaximiserSettings;
  /** Where the second search starts, dB of limiter drive: the low end of the flat segment. */
  startDriveDb: number;
  /** What triggered it: the limiter's loudness saturating, or heavy gain reduction. */
  trigger: { kind: 'saturation'; saturation: SaturationMeasurement } | { kind: 'heavy-limiting'; limiterGainReductionDb: number };
  /** For the warnings list. */
  warning: { code: 'loudness-maximiser'; message: string };
}

/**
 * Decides whether the maximiser is needed.
 * @param search the limiter-only search
 * @param targetLufs the loudness target, LUFS
 * @returns the decision, or null when the search converged or stopped for another reason
 */
export function decideLoudnessMaximiser(search: LoudnessSearchResult, targetLufs: number): MaximiserDecision | null {
  const s = search.saturation;
  if (search.converged || !s || s.toLufs >= targetLufs) return null;
  return {
    settings: { clipAboveCeilingDb: MAXIMISER_CLIP_ABOVE_CEILING_DB },
    startDriveDb: s.fromDriveDb,
    trigger: { kind: 'saturation', saturation: s },
    warning: {
      code: 'loudness-maximiser',
      message: `the limiter alone stops at ${s.toLufs.toFixed(2)} LUFS (${s.slopeLuPerDb.toFixed(3)} LU per dB of drive from ${s.fromDriveDb.toFixed(1)} dB), short of ${targetLufs} LUFS: a soft clipper ${MAXIMISER_CLIP_ABOVE_CEILING_DB} dB above the ceiling was added before it; expect some distortion on peaks`,
    },
  };
}

/**
 * The second trigger: the target was reached, but the limiter alone needed more than
 * MAXIMISER_ENGAGE_GR_DB of gain reduction (see there why that shrinks the loudness range).
 * @param maxGainReductionDb the limiter's largest gain reduction in the limiter-only render
 * @param driveDb that render's limiter drive (where the next search starts)
 * @returns the decision, or null when the limiter stayed within MAXIMISER_ENGAGE_GR_DB
 */
export function decideMaximiserForHeavyLimiting(maxGainReductionDb: number, driveDb: number): MaximiserDecision | null {
  if (!(maxGainReductionDb > MAXIMISER_ENGAGE_GR_DB)) return null;
  return {
    settings: { clipAboveCeilingDb: MAXIMISER_CLIP_ABOVE_CEILING_DB },
    startDriveDb: driveDb,
    trigger: { kind: 'heavy-limiting', limiterGainReductionDb: maxGainReductionDb },
    warning: {
      code: 'loudness-maximiser',
      message: `the limiter alone needed ${maxGainReductionDb.toFixed(1)} dB of gain reduction (more than ${MAXIMISER_ENGAGE_GR_DB} dB squashes the loudness range): a soft clipper ${MAXIMISER_CLIP_ABOVE_CEILING_DB} dB above the ceiling now takes the peaks first; expect some distortion on peaks`,
    },
  };
}
