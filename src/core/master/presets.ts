/**
 * Loudness presets for `mixmaster master --preset <name>`: the one table of delivery targets
 * (shared/DESIGN.md "Loudness presets").
 *
 * Sources (integrated loudness, true-peak ceiling):
 * - spotify: Spotify for Artists, "Loudness normalization" (-14 LUFS, -1 dBTP; -2 dBTP advised for loud masters).
 * - apple-music: Apple "Mastered for iTunes/Apple Digital Masters" and Sound Check (-16 LUFS, -1 dBTP).
 * - youtube: YouTube playback normalisation reference (-14 LUFS), -1 dBTP headroom for its lossy encodes.
 * - amazon-music: Amazon Music loudness guidance (-14 LUFS, -2 dBTP).
 * - tidal: TIDAL loudness normalisation (-14 LUFS), -1 dBTP.
 * - deezer: Deezer normalisation (-15 LUFS), -1 dBTP.
 * - podcast: AES TD1004.1.15-10 "Recommendations for loudness of internet audio streaming and on-demand
 *   distribution" (-16 LUFS for stereo, -1 dBTP).
 * - ebu-r128: EBU R 128 (2020) programme loudness -23 LUFS, max true peak -1 dBTP.
 * - atsc-a85: ATSC A/85:2013 -24 LKFS, -2 dBTP.
 * - cd: a loud CD master, as measured on commercial pop releases (about -9 LUFS), ceiling -0.3 dBTP.
 */

export interface LoudnessPreset {
  /** Preset name as typed on the command line. */
  name: string;
  /** Integrated loudness target, LUFS (ITU-R BS.1770). */
  targetLufs: number;
  /** True-peak ceiling, dBTP. */
  ceilingDbtp: number;
  /** Short description (for --help and the JSON settings). */
  description: string;
}

export const LOUDNESS_PRESETS: readonly LoudnessPreset[] = [
  { name: 'spotify', targetLufs: -14, ceilingDbtp: -1, description: 'Spotify' },
  { name: 'apple-music', targetLufs: -16, ceilingDbtp: -1, description: 'Apple Music (Sound Check)' },
  { name: 'youtube', targetLufs: -14, ceilingDbtp: -1, description: 'YouTube' },
  { name: 'amazon-music', targetLufs: -14, ceilingDbtp: -2, description: 'Amazon Music' },
  { name: 'tidal', targetLufs: -14, ceilingDbtp: -1, description: 'TIDAL' },
  { name: 'deezer', targetLufs: -15, ceilingDbtp: -1, description: 'Deezer' },
  { name: 'podcast', targetLufs: -16, ceilingDbtp: -1, description: 'Podcasts (AES TD1004)' },
  { name: 'ebu-r128', targetLufs: -23, ceilingDbtp: -1, description: 'Broadcast, EBU R 128' },
  { name: 'atsc-a85', targetLufs: -24, ceilingDbtp: -2, description: 'Broadcast, ATSC A/85' },
  { name: 'cd', targetLufs: -9, ceilingDbtp: -0.3, description: 'Loud CD master' },
];

/** Default target when neither --preset nor --target is given: the streaming norm. */
export const DEFAULT_PRESET = 'spotify';

/**
 * The quietest loudness target, LUFS: 10 LU above BS.1770's absolute gate (-70 LUFS), so that a master
 * on it is still measurable (at the gate its blocks are gated away and the loudness reads as none).
 */
export const MIN_TARGET_LUFS = -60;

/** The preset of that name, or undefined. */
export function findPreset(name: string): LoudnessPreset | undefined {
  return LOUDNESS_PRESETS.find((p) => p.name === name);
}
