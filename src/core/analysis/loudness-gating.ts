/**
 * Gating maths of BS.1770-4/5 (integrated loudness) and EBU Tech 3342 (loudness range), on lists of
 * channel-weighted mean squares ("powers"). Pure functions: the meter collects the powers, these turn them
 * into numbers; several lists at once give album values (gated across all of them).
 */
import { lufsToPower, powerToLufs } from '../audio/db.js';

/** Absolute gate, LUFS (BS.1770-4 §2.8, Tech 3342 §2). */
const ABSOLUTE_GATE_LUFS = -70;
/** Relative gate of the integrated loudness, LU below the absolutely gated loudness (BS.1770-4, R128). */
const INTEGRATED_RELATIVE_GATE_LU = -10;
/** Relative gate of the loudness range, LU (EBU Tech 3342 §2). */
const LRA_RELATIVE_GATE_LU = -20;
/** Percentiles of the gated short-term distribution that bound the loudness range (Tech 3342 §2). */
const LRA_LOW_PERCENTILE = 0.1;
const LRA_HIGH_PERCENTILE = 0.95;

function asList(powers: Float64Array | Float64Array[]): Float64Array[] {
  return Array.isArray(powers) ? powers : [powers];
}

/** Mean of the powers strictly above `threshold` and their count. */
function meanAbove(lists: Float64Array[], threshold: number): { mean: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const list of lists) {
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      if (p > threshold) {
        sum += p;
        count++;
      }
    }
  }
  return { mean: count > 0 ? sum / count : 0, count };
}

/**
 * Gated integrated loudness (BS.1770-4 §2.8, eqs. 5-7).
 * @param blockPowers channel-weighted mean squares of the 400 ms gating blocks (75 % overlap); several
 *   arrays are gated together as one programme (album loudness, e.g. one array per track).
 * @returns integrated loudness in LUFS, or null when no block passes the absolute -70 LUFS gate
 *   (silence, input shorter than one 400 ms block).
 */
export function gatedIntegratedLufs(blockPowers: Float64Array | Float64Array[]): number | null {
  const lists = asList(blockPowers);
  const absolute = meanAbove(lists, lufsToPower(ABSOLUTE_GATE_LUFS));
  if (absolute.count === 0) return null;
  // Relative threshold: the absolutely gated loudness minus 10 LU, i.e. its power times 10^(-10/10).
  const relative = meanAbove(lists, absolute.mean * Math.pow(10, INTEGRATED_RELATIVE_GATE_LU / 10));
  if (relative.count === 0) return null;
  return powerToLufs(relative.mean);
}

/**
 * Loudness range (EBU Tech 3342 §2): the spread between the 10th and the 95th percentile of the
 * short-term (3 s) loudness values that pass an absolute -70 LUFS gate and a relative gate 20 LU below
 * their mean power.
 * Percentiles use the nearest rank `round((n-1)·p)` on the sorted values, as libebur128 does (Tech 3342
 * leaves the interpolation open; with ≥ 10 Hz sampling the choice changes the result by far less than the
 * ±1 LU tolerance).
 * @param shortTermPowers channel-weighted mean squares of 3 s windows taken every 100 ms (at least 10 Hz,
 *   Tech 3342 v3); several arrays = album loudness range.
 * @returns loudness range in LU, or null when fewer than 2 values pass the gates.
 */
export function loudnessRangeLu(shortTermPowers: Float64Array | Float64Array[]): number | null {
  const lists = asList(shortTermPowers);
  const absoluteThreshold = lufsToPower(ABSOLUTE_GATE_LUFS);
  const absolute = meanAbove(lists, absoluteThreshold);
  if (absolute.count < 2) return null;
  const relativeThreshold = absolute.mean * Math.pow(10, LRA_RELATIVE_GATE_LU / 10);
  const gated = new Float64Array(absolute.count);
  let n = 0;
  for (const list of lists) {
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      if (p > absoluteThreshold && p > relativeThreshold) gated[n++] = p;
    }
  }
  if (n < 2) return null;
  const sorted = gated.subarray(0, n).sort();
  const low = sorted[Math.round((n - 1) * LRA_LOW_PERCENTILE)];
  const high = sorted[Math.round((n - 1) * LRA_HIGH_PERCENTILE)];
  // A difference of loudness values: the -0.691 offset cancels, so it is a plain power ratio in dB.
  return 10 * Math.log10(high / low);
}
