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
 * Table-driven exp (Tang's method, as in fdlibm / musl exp): x = n·ln2/64 + r with n = round(64·x/ln2)
 * and |r| <= ln2/128, so e^x = 2^(n>>6) · 2^((n&63)/64) · e^r, with e^r from its Taylor polynomial to
 * r³ (the first omitted term r⁴/24 < 4e-11). The result is within 4e-11 (relative) of Math.exp: a
 * gain error of 3e-10 dB, far below a float32 sample's resolution (6e-8), at about half the cost of
 * Math.exp in V8 (a C call per value) when it runs in a loop beside other work.
 */
const EXP_N = 64;
/*
 * The tables and constants are exported for copies of fastExp's body in the hottest loops
 * (compressor-linked.ts apply): V8 does not always inline the call there, and a call that is not
 * inlined returns its double boxed, one heap allocation per sample.
 */
export const LN2_BY_N = Math.LN2 / EXP_N;
export const N_BY_LN2 = EXP_N / Math.LN2;
/** 2^(j/64), j = 0..63. */
export const EXP_FRAC = new Float64Array(EXP_N);
for (let j = 0; j < EXP_N; j++) EXP_FRAC[j] = Math.pow(2, j / EXP_N);
/** 2^k for k = −1022..1023 at index k + 1022 (exact powers of two). */
export const EXP_POW2 = new Float64Array(2046);
for (let k = 0; k < 2046; k++) EXP_POW2[k] = Math.pow(2, k - 1022);

/**
 * e^x to within 4e-11 (relative) of Math.exp (see the comment above), for the per-sample dB → gain
 * conversions of the dynamics processors. Arguments beyond ±700 (and NaN) go to Math.exp.
 */
export function fastExp(x: number): number {
  if (!(x > -700 && x < 700)) return Math.exp(x);
  const n = Math.floor(x * N_BY_LN2 + 0.5); // |n| < 2^16: exact; Math.floor is one instruction in V8
  const r = x - n * LN2_BY_N; // n·LN2_BY_N rounds by < 1e-12: a relative error below the polynomial's
  const p = 1 + r * (1 + r * (1 / 2 + r * (1 / 6)));
  return EXP_POW2[(n >> 6) + 1022] * EXP_FRAC[n & 63] * p;
}

/*
 * Table-driven natural log (the table-and-short-polynomial idea of fastExp; P. T. P. Tang,
 * "Table-driven implementation of the logarithm function in IEEE floating-point arithmetic", ACM TOMS
 * 16(4), 1990). x is rounded to float32 (exact for audio samples and their magnitudes; a relative change
 * of at most 2^-24, i.e. 6e-8 in the log, for other values) and read as bits: x = 2^e · m with
 * m in [1, 2), m = c_j + f with c_j = 1 + j/256 (j = the top 8 of the 23 mantissa bits, f the other
 * 15, exact), so ln x = e·ln2 + ln c_j + ln(1 + r) with r = f/c_j in [0, 2^-8). ln(1 + r) is its Taylor
 * series to r³ (the first omitted term r⁴/4 < 6e-11). Total: within 6e-11 of Math.log for float32
 * values, 6e-8 for others (5e-7 dB), at about half the cost of Math.log in V8. The bits are read through
 * an int view of a one-slot float32 scratch (a same-size store and load, which store forwarding serves).
 */
const LOG_BITS = 8;
const LOG_N = 1 << LOG_BITS;
/** ln(1 + j/256) and 2^-23/(1 + j/256) (f as an integer times it is r), j = 0..255 (exported for the WebAssembly kernels' copy). */
export const LOG_C = new Float64Array(LOG_N);
export const LOG_R_SCALE = new Float64Array(LOG_N);
for (let j = 0; j < LOG_N; j++) {
  LOG_C[j] = Math.log(1 + j / LOG_N);
  LOG_R_SCALE[j] = 2 ** -23 / (1 + j / LOG_N);
}
/** Scratch for reading the bit pattern of a float32 (one module-wide slot: JS is single-threaded per realm). */
const LOG_F32 = new Float32Array(1);
const LOG_I32 = new Int32Array(LOG_F32.buffer);
/** The positive normal float32 range: outside it the exponent field does not give the scale. */
const F32_MIN_NORMAL = 1.1754943508222875e-38;
const F32_MAX = 3.4028234663852886e38;

/**
 * ln x (see the comment above): within 6e-11 of Math.log for float32 values in the normal range
 * [1.2e-38, 3.4e38], within 6e-8 for other values there; arguments outside it (0, negative, tiny,
 * huge, Infinity, NaN) go to Math.log.
 */
export function fastLog(x: number): number {
  if (!(x >= F32_MIN_NORMAL && x <= F32_MAX)) return Math.log(x);
  LOG_F32[0] = x;
  const b = LOG_I32[0];
  const j = (b >> (23 - LOG_BITS)) & (LOG_N - 1);
  const r = (b & ((1 << (23 - LOG_BITS)) - 1)) * LOG_R_SCALE[j];
  return ((b >> 23) - 127) * Math.LN2 + LOG_C[j] + r * (1 - r * (1 / 2 - r * (1 / 3)));
}
