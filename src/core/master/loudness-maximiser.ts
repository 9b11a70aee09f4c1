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
 * Clip level above the limiter's ceiling, dB. The clipper rounds whatever lies above it, so the limiter
 * after it works on at most about this much (3 dB: the range where a 100 ms release is still inaudible as
 * gain riding on dense material), and the clipper only starts to bend the waveform (tanh: -0.7 dB at
 * 6 dB below the clip level) near the ceiling.
 */
export const MAXIMISER_CLIP_ABOVE_CEILING_DB = 3;

export interface MaximiserDecision {
  settings: MaximiserSettings;
  /** Where the second search starts, dB of limiter drive: the low end of the flat segment. */
  startDriveDb: number;
  /** The measurement that triggered it. */
  saturation: SaturationMeasurement;
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
    saturation: s,
    warning: {
      code: 'loudness-maximiser',
      message: `the limiter alone stops at ${s.toLufs.toFixed(2)} LUFS (${s.slopeLuPerDb.toFixed(3)} LU per dB of drive from ${s.fromDriveDb.toFixed(1)} dB), short of ${targetLufs} LUFS: a soft clipper ${MAXIMISER_CLIP_ABOVE_CEILING_DB} dB above the ceiling was added before it; expect some distortion on peaks`,
    },
  };
}
