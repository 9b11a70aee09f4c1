/**
 * `--reference`: match the automix's overall tonal balance to an example mix. The automix's spectrum is
 * predicted from the stems (their measured spectra, gains and EQ, summed as powers: stems are mostly
 * uncorrelated), compared with the reference's 1/3-octave spectrum at equal broadband level, and the
 * difference becomes a gentle master EQ: octave-spaced bells plus shelves, fitted to the smoothed
 * difference and limited to ±MAX_MATCH_DB. The loudness match is the caller's (a measured master fader).
 */
import { eqMagnitudeDb, type EqBand } from '../../dsp/eq.js';

/** Largest boost or cut of the match EQ, dB. */
export const MAX_MATCH_DB = 6;
/** Bands more than this below the reference's loudest band are not matched (noise, empty octaves). */
const FLOOR_BELOW_MAX_DB = 50;
const BELL_HZ = [63, 125, 250, 500, 1000, 2000, 4000, 8000];
const LOW_SHELF_HZ = 40;
const HIGH_SHELF_HZ = 12000;
/** Bells one octave apart: Q 1.41 is one octave between the half-gain points. */
const BELL_Q = 1.41;

export interface ToneMatch {
  bands: EqBand[];
  /** Target minus predicted, per band, dB (mean removed), as matched. */
  differenceDb: (number | null)[];
  bandsHz: number[];
  /** RMS of the difference before and after the match EQ (predicted), dB. */
  rmsBeforeDb: number;
  rmsAfterDb: number;
}

/**
 * The master EQ that moves a predicted mix spectrum to a reference's tonal balance.
 * @param bandsHz band centres (both spectra on the same bands)
 * @param predictedDb predicted mix level per band, dB (null = empty)
 * @param referenceDb reference level per band, dB (null = empty)
 * @param sampleRate Hz (for the EQ's digital response)
 */
export function matchTone(bandsHz: readonly number[], predictedDb: readonly (number | null)[], referenceDb: readonly (number | null)[], sampleRate: number): ToneMatch {
  let refMax = -Infinity;
  for (const r of referenceDb) if (r !== null && r > refMax) refMax = r;
  const use: number[] = [];
  for (let b = 0; b < bandsHz.length; b++) {
    const r = referenceDb[b], p = predictedDb[b];
    if (r !== null && p !== null && r > refMax - FLOOR_BELOW_MAX_DB && bandsHz[b] >= 25 && bandsHz[b] <= 16000) use.push(b);
  }
  const diff: (number | null)[] = bandsHz.map(() => null);
  if (use.length < 3) return { bands: [], differenceDb: diff, bandsHz: bandsHz.slice(), rmsBeforeDb: 0, rmsAfterDb: 0 };
  let mean = 0;
  for (const b of use) mean += (referenceDb[b] as number) - (predictedDb[b] as number);
  mean /= use.length;
  for (const b of use) diff[b] = (referenceDb[b] as number) - (predictedDb[b] as number) - mean;
  // Smooth over three bands (one octave): the match EQ follows the tonal balance, not single bands.
  const smooth = bandsHz.map((_, b) => {
    let s = 0, n = 0;
    for (let k = b - 1; k <= b + 1; k++) { const d = diff[k]; if (d !== undefined && d !== null) { s += d; n++; } }
    return n > 0 ? s / n : null;
  });
  const target = (hz: number): number => {
    let best = -1, bestDist = Infinity;
    for (let b = 0; b < bandsHz.length; b++) {
      if (smooth[b] === null) continue;
      const d = Math.abs(Math.log2(bandsHz[b] / hz));
      if (d < bestDist) { bestDist = d; best = b; }
    }
    return best >= 0 && bestDist <= 1 ? (smooth[best] as number) : 0;
  };
  const centres = [LOW_SHELF_HZ, ...BELL_HZ, HIGH_SHELF_HZ].filter((f) => f < 0.45 * sampleRate);
  const bands: EqBand[] = centres.map((f) => ({ type: f === LOW_SHELF_HZ ? 'lowshelf' : f === HIGH_SHELF_HZ ? 'highshelf' : 'bell', freqHz: f, gainDb: 0, q: f === LOW_SHELF_HZ || f === HIGH_SHELF_HZ ? 0.7071 : BELL_Q }));
  const goal = centres.map(target);
  // Neighbouring bells overlap: a few fixed-point passes on the EQ's own response at the centres.
  for (let pass = 0; pass < 6; pass++) {
    const resp = eqMagnitudeDb(bands, centres, sampleRate);
    for (let k = 0; k < bands.length; k++) {
      const g = (bands[k].gainDb ?? 0) + 0.8 * (goal[k] - resp[k]);
      bands[k].gainDb = Math.max(-MAX_MATCH_DB, Math.min(MAX_MATCH_DB, g));
    }
  }
  for (const b of bands) b.gainDb = Math.round((b.gainDb ?? 0) * 10) / 10;
  const kept = bands.filter((b) => Math.abs(b.gainDb ?? 0) >= 0.3);
  const resp = kept.length > 0 ? eqMagnitudeDb(kept, bandsHz, sampleRate) : bandsHz.map(() => 0);
  let before = 0, after = 0;
  let m2 = 0;
  for (const b of use) m2 += (diff[b] as number) - resp[b];
  m2 /= use.length;
  for (const b of use) { before += (diff[b] as number) ** 2; after += ((diff[b] as number) - resp[b] - m2) ** 2; }
  return { bands: kept, differenceDb: diff, bandsHz: bandsHz.slice(), rmsBeforeDb: Math.sqrt(before / use.length), rmsAfterDb: Math.sqrt(after / use.length) };
}
