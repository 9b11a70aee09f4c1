/**
 * Static gain curves of the dynamics processors, in the log domain: level in dB in, gain in dB out.
 * Pure functions, no state; the processors smooth their output (envelope-follower.ts).
 *
 * Reference: D. Giannoulis, M. Massberg, J. D. Reiss, "Digital Dynamic Range Compressor Design —
 * A Tutorial and Analysis", J. Audio Eng. Soc. 60(6), 2012, eq. (4) (soft-knee compressor curve).
 */

/**
 * Downward-compressor gain (<= 0 dB) for a detector level, with a quadratic soft knee.
 *
 * With d = levelDb − thresholdDb, s = 1 − 1/ratio and W = kneeDb (Giannoulis et al. eq. 4):
 *  - 2d < −W: 0 (below the knee)
 *  - |2d| <= W: −s·(d + W/2)² / (2W) (quadratic knee, continuous in value and slope)
 *  - 2d > W: −s·d (above the knee: output rises 1/ratio dB per dB)
 *
 * @param levelDb detector level in dB (peak or RMS, dBFS)
 * @param thresholdDb threshold in dB
 * @param slope 1 − 1/ratio, in [0, 1] (0 = no compression, 1 = limiting); the slope form lets callers
 *   ramp the ratio linearly without dividing per sample
 * @param kneeDb knee width in dB (>= 0; 0 = hard knee)
 * @returns the gain in dB (<= 0)
 */
export function compressorGainDb(levelDb: number, thresholdDb: number, slope: number, kneeDb: number): number {
  const d = levelDb - thresholdDb;
  if (2 * d <= -kneeDb) return 0;
  if (2 * d >= kneeDb) return -slope * d;
  const t = d + kneeDb / 2;
  return (-slope * t * t) / (2 * kneeDb);
}

/** 1 − 1/ratio: the slope form of a compression ratio (ratio >= 1). */
export function ratioToSlope(ratio: number): number {
  return ratio <= 1 ? 0 : 1 - 1 / ratio;
}

/**
 * Downward-expander / gate gain (<= 0 dB) for a detector level.
 *
 * Below the threshold every dB the level falls lowers the output by `ratio` dB, i.e. the gain is
 * (levelDb − thresholdDb)·(ratio − 1), limited to −rangeDb. A gate is this curve with a high ratio.
 * Hard knee: with the range limit the curve already has two corners, and a gate wants a clean edge.
 *
 * @param levelDb detector level in dB
 * @param thresholdDb threshold in dB (no attenuation at and above it)
 * @param expansion ratio − 1 (>= 0)
 * @param rangeDb the largest attenuation in dB (>= 0)
 * @returns the gain in dB, in [−rangeDb, 0]
 */
export function expanderGainDb(levelDb: number, thresholdDb: number, expansion: number, rangeDb: number): number {
  const d = levelDb - thresholdDb;
  if (d >= 0) return 0;
  const g = d * expansion;
  return g < -rangeDb ? -rangeDb : g;
}
