/**
 * Album mastering decisions: one gain offset for the whole album so the intended level differences
 * between songs survive (the loudest song lands on the target, the others keep their distance to it),
 * and one tonal decision from the album's average spectrum so the songs keep a consistent tone.
 */
import type { SpectrumResult } from '../analysis/analysis-result.js';

export interface AlbumPlan {
  /** Gain applied to every song's loudness, dB: target − loudest song's input loudness. */
  offsetDb: number;
  /** Index of the loudest song (by input integrated loudness). */
  loudestIndex: number;
  /** Per song loudness target, LUFS (null for a silent song: left silent). */
  targetsLufs: (number | null)[];
}

/**
 * Plans album loudness.
 * @param inputLufs integrated loudness per song, LUFS (null = silent)
 * @param targetLufs the album's target: the loudest song lands here
 * @returns the plan, or null when every song is silent
 */
export function planAlbum(inputLufs: readonly (number | null)[], targetLufs: number): AlbumPlan | null {
  let loudestIndex = -1;
  inputLufs.forEach((l, i) => {
    if (l !== null && (loudestIndex < 0 || l > (inputLufs[loudestIndex] as number))) loudestIndex = i;
  });
  if (loudestIndex < 0) return null;
  const offsetDb = targetLufs - (inputLufs[loudestIndex] as number);
  return { offsetDb, loudestIndex, targetsLufs: inputLufs.map((l) => (l === null ? null : l + offsetDb)) };
}

/**
 * The album's long-term spectrum: the duration-weighted power average of the songs' spectra, each
 * first normalised to its own loudness (so a quiet interlude counts for its tone, not its level).
 * @param spectra per song spectrum (same bands)
 * @param weights per song weight (e.g. duration, s)
 * @param loudnessLufs per song loudness used for the normalisation (null songs are skipped)
 */
export function albumSpectrum(spectra: readonly SpectrumResult[], weights: readonly number[], loudnessLufs: readonly (number | null)[]): SpectrumResult {
  const bandsHz = [...spectra[0].bandsHz];
  const levelsDb: (number | null)[] = bandsHz.map((_, k) => {
    let p = 0, w = 0;
    spectra.forEach((s, i) => {
      const l = s.levelsDb[k];
      const lufs = loudnessLufs[i];
      if (lufs === null) return;
      w += weights[i];
      if (l !== null) p += weights[i] * Math.pow(10, (l - lufs) / 10);
    });
    return p > 0 && w > 0 ? 10 * Math.log10(p / w) : null;
  });
  return { bandsHz, levelsDb };
}
