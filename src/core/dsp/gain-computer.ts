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

/*
 * Table-driven exp (Tang's method, as in fdlibm / musl exp): x = n·ln2/64 + r, |r| ≤ ln2/128, so
 * e^x = 2^(n>>6) · 2^((n&63)/64) · e^r, with e^r from a degree-5 Taylor polynomial (truncation
 * r⁶/720 < 4e-17, below half an ulp) and ln2/64 split in two (Cody–Waite) so r is exact to ~1e-20.
 * The result is within ~2 ulp of Math.exp; for float32 audio multiplied by it that is the same
 * product in all but ~1 of 2^28 samples, at a fraction of Math.exp's cost in V8 (a C call per value).
 */
const EXP_N = 64;
const LN2_BY_N_HI = 6.93147180369123816490e-1 / EXP_N; // ln2 with 21 trailing zero bits: n·HI is exact
const LN2_BY_N_LO = 1.90821492927058770002e-10 / EXP_N;
const N_BY_LN2 = EXP_N / Math.LN2;
/** 2^(j/64), j = 0..63. */
const EXP_FRAC = new Float64Array(EXP_N);
for (let j = 0; j < EXP_N; j++) EXP_FRAC[j] = Math.pow(2, j / EXP_N);
/** 2^k for k = −1022..1023 at index k + 1022 (exact powers of two). */
const EXP_POW2 = new Float64Array(2046);
for (let k = 0; k < 2046; k++) EXP_POW2[k] = Math.pow(2, k - 1022);

/**
 * e^x to within a few ulp of Math.exp (see the comment above), for the per-sample dB → gain
 * conversions of the dynamics processors. Arguments beyond ±700 go to Math.exp.
 */
export function fastExp(x: number): number {
  if (!(x > -700 && x < 700)) return Math.exp(x);
  // Round to nearest through an int32 (|t| < 2^16 here): Math.round keeps a double and costs more than the exp.
  const t = x * N_BY_LN2;
  const n = (t + (t < 0 ? -0.5 : 0.5)) | 0;
  const r = x - n * LN2_BY_N_HI - n * LN2_BY_N_LO;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  return EXP_POW2[(n >> 6) + 1022] * EXP_FRAC[n & 63] * p;
}
