/** dB helpers: the one place where decibels become linear values and back. */

/** Amplitude ratio for a level in dB (20·log10 convention). */
export function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}

/** Level in dB of an amplitude ratio; -Infinity for 0. */
export function gainToDb(gain: number): number {
  return 20 * Math.log10(Math.abs(gain));
}

/** Level in dB of a power (mean square) ratio; -Infinity for 0. */
export function powerToDb(power: number): number {
  return 10 * Math.log10(power);
}

/** Power ratio for a level in dB (10·log10 convention). */
export function dbToPower(db: number): number {
  return Math.pow(10, db / 10);
}

/** BS.1770 loudness offset: L = -0.691 + 10·log10(Σ G_i·z_i). */
export const LOUDNESS_OFFSET_DB = -0.691;

/** Loudness in LUFS of a channel-weighted mean square (BS.1770-4 eq. 2); null when silent. */
export function powerToLufs(weightedMeanSquare: number): number | null {
  if (!(weightedMeanSquare > 0)) return null;
  return LOUDNESS_OFFSET_DB + 10 * Math.log10(weightedMeanSquare);
}

/** Weighted mean square that has a loudness of `lufs` (inverse of powerToLufs). */
export function lufsToPower(lufs: number): number {
  return Math.pow(10, (lufs - LOUDNESS_OFFSET_DB) / 10);
}

/** A finite dB value, or null where the value is -Infinity/NaN (JSON has no -Infinity). */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
