/**
 * Finds the limiter's input gain (the "drive") that makes the mastered output land on an integrated
 * loudness target, with the real chain in the loop: the caller's `measure(driveDb)` renders the whole
 * programme through the chain with that drive and returns the output's integrated loudness.
 *
 * Why drive, not a gain after the limiter: the limiter's ceiling stays fixed, so every candidate output
 * is true-peak safe by construction; a post-limiter trim could push peaks over the ceiling.
 *
 * L(d) is non-decreasing in the drive d with slope ≤ 1 (slope 1 while the limiter is idle, less as it
 * works harder). The search is a safeguarded secant: the first step assumes slope 1, later steps use
 * the secant slope clamped to [MIN_SLOPE, 1], and any step leaving the current bracket [lo, hi]
 * (L(lo) < target < L(hi)) is replaced by bisection. Typically 1 pass (gain only) to 4 passes.
 *
 * Saturation: a true-peak limiter with a few ms of look-ahead can only pull the gain down around each
 * peak for at least a release time, so at high drive its output tends to the programme divided by its own
 * peak envelope and stops getting louder (L(d) flattens; on a dense master it happens at 8-14 dB of drive).
 * When two passes below the target, at least SATURATION_MIN_SPAN_DB apart, show a slope under
 * SATURATION_SLOPE (more than 10 dB of drive per LU), and closing the remaining gap at that slope would take
 * more than SATURATION_MAX_EXTRA_DRIVE_DB (L(d) is concave, so the real cost is higher still), the search
 * stops and reports `saturation` with the measurement, instead of driving the limiter to its end stop;
 * loudness-maximiser.ts decides what then. A small gap at a low slope is still searched for.
 */
import { LIMITER_PARAMS } from '../dsp/limiter.js';

export interface DrivePass {
  /** Limiter input gain tried, dB. */
  driveDb: number;
  /** Output integrated loudness with it, LUFS (null: silent output). */
  integratedLufs: number | null;
  /** Output true peak, dBTP (null: silent). */
  truePeakDbtp: number | null;
}

export interface LoudnessSearchOptions {
  targetLufs: number;
  /** First drive to try, dB (e.g. target − input loudness). */
  initialDriveDb: number;
  /** Accept when |L − target| ≤ toleranceLu (default 0.03: well inside the ±0.1 LU promise). */
  toleranceLu?: number;
  /** Most passes (default 10). */
  maxPasses?: number;
  /** Drive range of the limiter, dB (default LIMITER_PARAMS.inputGainDb's, -80..36). */
  minDriveDb?: number;
  maxDriveDb?: number;
}

export interface LoudnessSearchResult {
  driveDb: number;
  converged: boolean;
  /** Every pass, in order. The chosen one is the pass with driveDb. */
  passes: DrivePass[];
  /** Why the search stopped without converging (drive limit, limiter saturated), else null. */
  problem: string | null;
  /** Set when loudness stopped rising with the drive below the target (see the module note). */
  saturation: SaturationMeasurement | null;
}

/** Where the limiter stopped making the programme louder. */
export interface SaturationMeasurement {
  /** Lower and upper drive of the flat segment, dB, and the loudness at each, LUFS. */
  fromDriveDb: number;
  fromLufs: number;
  toDriveDb: number;
  toLufs: number;
  /** Loudness gained per dB of drive on that segment, LU/dB. */
  slopeLuPerDb: number;
}

/** Slope dL/dd (LU per dB of drive) under which the limiter counts as saturated. */
export const SATURATION_SLOPE = 0.1;
/** Smallest drive span over which saturation is judged, dB (short spans are noisy near a gating threshold). */
export const SATURATION_MIN_SPAN_DB = 3;
/**
 * Largest drive span over which saturation is judged, dB: L(d) is not concave on sparse material (more
 * drive lifts decays over the relative gate), so a long secant can look flat where the curve rises again.
 */
export const SATURATION_MAX_SPAN_DB = 12;
/** Extra drive beyond which a gap counts as out of reach at the measured slope, dB. */
export const SATURATION_MAX_EXTRA_DRIVE_DB = 6;

/** Smallest slope dL/dd believed, so a nearly saturated limiter does not send the drive to infinity. */
const MIN_SLOPE = 0.05;

/**
 * Runs the search.
 * @param measure renders the programme with the given drive, returns the output measurement
 * @returns the drive with the smallest loudness error, the passes and whether it converged
 */
export async function searchLimiterDrive(
  measure: (driveDb: number) => Promise<DrivePass>, opts: LoudnessSearchOptions,
): Promise<LoudnessSearchResult> {
  const target = opts.targetLufs;
  const tol = opts.toleranceLu ?? 0.03;
  const maxPasses = opts.maxPasses ?? 10;
  const dMin = opts.minDriveDb ?? LIMITER_PARAMS.inputGainDb.min;
  const dMax = opts.maxDriveDb ?? LIMITER_PARAMS.inputGainDb.max;
  const clampD = (d: number) => Math.min(dMax, Math.max(dMin, d));
  const passes: DrivePass[] = [];
  let lo: DrivePass | null = null;
  let hi: DrivePass | null = null;
  let d = clampD(opts.initialDriveDb);
  let problem: string | null = null;
  let saturation: SaturationMeasurement | null = null;
  for (let i = 0; i < maxPasses; i++) {
    const p = await measure(d);
    passes.push(p);
    if (p.integratedLufs === null) { problem = 'output has no measurable loudness'; break; }
    const err = p.integratedLufs - target;
    if (Math.abs(err) <= tol) break;
    if (err < 0 && (!lo || p.driveDb > lo.driveDb)) lo = p;
    if (err > 0 && (!hi || p.driveDb < hi.driveDb)) hi = p;
    if (err < 0 && d >= dMax) { problem = `target needs more than the limiter's ${dMax} dB of drive`; break; }
    if (err > 0 && d <= dMin) { problem = `target needs less than ${dMin} dB of drive`; break; }
    saturation = findSaturation(passes, target);
    if (saturation) {
      problem = `limiter saturated: ${saturation.slopeLuPerDb.toFixed(3)} LU per dB of drive between ${saturation.fromDriveDb.toFixed(1)} and ${saturation.toDriveDb.toFixed(1)} dB (${saturation.toLufs.toFixed(2)} LUFS)`;
      break;
    }
    // Secant slope from the two passes nearest the target, clamped to the physically possible range.
    let slope = 1;
    if (passes.length >= 2) {
      const sorted = passes.filter((q) => q.integratedLufs !== null)
        .sort((a, b) => Math.abs((a.integratedLufs as number) - target) - Math.abs((b.integratedLufs as number) - target));
      const [a, b] = sorted;
      if (a && b && a.driveDb !== b.driveDb) slope = ((a.integratedLufs as number) - (b.integratedLufs as number)) / (a.driveDb - b.driveDb);
    }
    slope = Math.min(1, Math.max(MIN_SLOPE, slope));
    let next = clampD(d - err / slope);
    if (lo && hi && !(next > lo.driveDb && next < hi.driveDb)) next = 0.5 * (lo.driveDb + hi.driveDb);
    if (lo && hi && hi.driveDb - lo.driveDb < 1e-4) { problem = 'loudness does not change with the drive (limiter saturated)'; break; }
    if (Math.abs(next - d) < 1e-5) { problem = 'search stalled'; break; }
    d = next;
  }
  let best = passes[0];
  for (const p of passes) {
    if (p.integratedLufs === null) continue;
    if (best.integratedLufs === null || Math.abs(p.integratedLufs - target) < Math.abs(best.integratedLufs - target)) best = p;
  }
  const converged = best.integratedLufs !== null && Math.abs(best.integratedLufs - target) <= Math.max(tol, 0.05);
  if (converged) { problem = null; saturation = null; }
  else problem ??= `did not converge in ${maxPasses} passes`;
  return { driveDb: best.driveDb, converged, passes, problem, saturation };
}

/**
 * The flat segment of L(d) below the target, if any: the highest-drive pass below the target and the
 * highest pass at least SATURATION_MIN_SPAN_DB lower, when their slope is under SATURATION_SLOPE.
 */
function findSaturation(passes: readonly DrivePass[], target: number): SaturationMeasurement | null {
  const below = passes.filter((p) => p.integratedLufs !== null && p.integratedLufs < target).sort((a, b) => b.driveDb - a.driveDb);
  if (below.length < 2) return null;
  const top = below[0];
  const lower = below.find((p) => top.driveDb - p.driveDb >= SATURATION_MIN_SPAN_DB);
  if (!lower || top.driveDb - lower.driveDb > SATURATION_MAX_SPAN_DB) return null;
  const slope = ((top.integratedLufs as number) - (lower.integratedLufs as number)) / (top.driveDb - lower.driveDb);
  if (slope >= SATURATION_SLOPE) return null;
  if (slope > 0 && (target - (top.integratedLufs as number)) / slope <= SATURATION_MAX_EXTRA_DRIVE_DB) return null;
  return { fromDriveDb: lower.driveDb, fromLufs: lower.integratedLufs as number, toDriveDb: top.driveDb, toLufs: top.integratedLufs as number, slopeLuPerDb: slope };
}
