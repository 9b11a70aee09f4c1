/**
 * The neutral long-term spectrum the automaster's tonal EQ leans toward.
 *
 * What it is: the shape (relative dB per 1/3-octave band, power) of the long-term average spectrum of
 * well-mastered popular music. Only the shape matters: it is compared with a programme's spectrum after
 * both are normalised to the same mean level over NORMALISE_LOW_HZ..NORMALISE_HIGH_HZ.
 *
 * How it was derived: a piecewise-linear curve in log frequency through the features every large
 * study of commercial music reports:
 * - Pestana, Ma, Reiss, Barbosa, Black, "Spectral characteristics of popular commercial recordings
 *   1950-2010", AES 135th Convention (2013): the mean long-term spectrum of ~700 chart recordings is
 *   nearly flat per 1/3 octave from ~60 Hz to ~200 Hz and falls steadily above, by roughly 3-5 dB per
 *   octave through the mids and faster above ~8-10 kHz; the low end got stronger over the decades.
 * - Elowsson & Friberg, "Long-term average spectrum in popular music and its relation to the level of
 *   the percussion", AES 142nd Convention (2017), paper 9762: the mean LTAS of ~10 000 songs, fitted by
 *   two quadratics in log frequency with the maximum near 60-150 Hz and a mid/high slope of about
 *   -4 dB/octave (per 1/3-octave band power), steepening toward 16 kHz.
 * The breakpoints below are read off those descriptions (not copied tables) and cross-checked
 * against the four mastered excerpts of shared/corpus-dev (Wesnoth soundtrack): their mean 1/3-octave
 * spectrum lies within about ±3 dB of this curve from 40 Hz to 12.5 kHz. Because the curve is
 * approximate, the auto-EQ only moves part of the way toward it (eqAmount), after 1-octave smoothing,
 * with boost/cut bounded to a few dB (auto-eq.ts).
 */

/** [frequency Hz, relative level dB] breakpoints, interpolated linearly in log2(f). */
export const TARGET_CURVE_POINTS: readonly (readonly [number, number])[] = [
  [20, -9],
  [31.5, -4],
  [50, -1],
  [63, 0],
  [160, 0],
  [500, -5],
  [1000, -8.5],
  [2000, -12],
  [4000, -15.5],
  [8000, -19.5],
  [12500, -24.5],
  [16000, -29],
  [20000, -36],
];

/** Band range over which spectra are level-normalised before comparison, Hz. */
export const NORMALISE_LOW_HZ = 100;
export const NORMALISE_HIGH_HZ = 8000;

/**
 * The target curve at one frequency.
 * @param freqHz frequency, Hz (clamped to the curve's 20 Hz..20 kHz range)
 * @returns relative level, dB (1/3-octave band power)
 */
export function targetCurveDb(freqHz: number): number {
  const pts = TARGET_CURVE_POINTS;
  if (freqHz <= pts[0][0]) return pts[0][1];
  const last = pts[pts.length - 1];
  if (freqHz >= last[0]) return last[1];
  const lf = Math.log2(freqHz);
  for (let i = 1; i < pts.length; i++) {
    if (freqHz <= pts[i][0]) {
      const l0 = Math.log2(pts[i - 1][0]);
      const l1 = Math.log2(pts[i][0]);
      const t = (lf - l0) / (l1 - l0);
      return pts[i - 1][1] + t * (pts[i][1] - pts[i - 1][1]);
    }
  }
  return last[1];
}
