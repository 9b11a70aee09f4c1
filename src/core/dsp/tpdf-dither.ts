/**
 * TPDF dither and quantization to a PCM bit depth.
 *
 * Each sample x (nominal range [-1, 1]) is scaled to LSB units (x · 2^(bits-1)), a triangular random
 * value d in (-1, 1) LSB is added (the difference of two independent uniform values in [0, 1) LSB), and the
 * result is rounded to the nearest integer and clipped to [-2^(bits-1), 2^(bits-1) - 1]. TPDF dither of
 * ±1 LSB makes the first two moments of the total error independent of the signal (Lipshitz, Wannamaker &
 * Vanderkooy, "Quantization and Dither: A Theoretical Survey", JAES 1992): the error has mean 0 and
 * variance 1/12 (rounding) + 1/6 (dither) = 1/4 LSB².
 *
 * Optional first-order noise shaping feeds the previous total error back (error filter 1 - z^-1): the
 * error spectrum rises 6 dB/octave towards Nyquist and falls below the flat TPDF floor under fs/6.
 *
 * Every channel has its own xorshift32 generator (seeded from `seed` and the channel index), so the
 * output does not depend on the block size nor on the order in which channels are processed.
 * Nothing allocates after construction.
 */
export interface TpdfDitherOptions {
  /** Number of channels state is kept for (>= 1). */
  channels: number;
  /** PRNG seed (any integer); the same seed gives the same output. Default 1. */
  seed?: number;
  /** First-order error-feedback noise shaping. Default false. */
  noiseShaping?: boolean;
  /** false: plain rounding without dither (noise shaping is then off too). Default true. */
  enabled?: boolean;
}

/** Integer output arrays the quantizer can write to. */
export type IntSampleArray = Int32Array | Int16Array;

/** 2^-16: one step of a 16-bit uniform in LSB (16 bits of resolution is far below 1 LSB of any output). */
const HALF_WORD_TO_LSB = 1 / 65536;
/** Largest feedback error kept in the noise shaper (LSB): clipping would otherwise feed back a huge error. */
const MAX_FEEDBACK_LSB = 2;

export class TpdfDither {
  readonly channels: number;
  readonly noiseShaping: boolean;
  readonly enabled: boolean;
  /** xorshift32 state per channel (never 0). */
  private readonly state: Uint32Array;
  /** Previous total quantization error per channel, in LSB (noise shaping only). */
  private readonly lastError: Float64Array;
  private readonly seed: number;

  constructor(options: TpdfDitherOptions) {
    if (!Number.isInteger(options.channels) || options.channels < 1) {
      throw new RangeError(`TpdfDither: channels must be an integer >= 1, got ${options.channels}`);
    }
    this.channels = options.channels;
    this.enabled = options.enabled ?? true;
    this.noiseShaping = this.enabled && (options.noiseShaping ?? false);
    this.seed = options.seed ?? 1;
    this.state = new Uint32Array(this.channels);
    this.lastError = new Float64Array(this.channels);
    this.reset();
  }

  /** Back to the initial state: the same input gives the same output again. */
  reset(): void {
    for (let c = 0; c < this.channels; c++) {
      // Mix seed and channel with a 32-bit integer hash (murmur3 finalizer) so nearby seeds and channels
      // start far apart; xorshift32 needs a non-zero state.
      let h = (Math.imul(this.seed | 0, 0x9e3779b1) ^ Math.imul(c + 1, 0x85ebca6b)) >>> 0;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      this.state[c] = h >>> 0 || 0x6d2b79f5;
      this.lastError[c] = 0;
    }
  }

  /**
   * Quantizes `frames` samples of one channel to signed integers of `bits` bits.
   * @param input samples in [-1, 1] (values beyond clip; NaN becomes 0)
   * @param frames number of samples to read from `input`
   * @param bits target bit depth, 2..32
   * @param output receives the integers at output[outOffset + i·outStride]
   * @param outOffset first index written in `output`
   * @param outStride distance between written indices (the channel count for interleaved output)
   * @param channel which channel's dither state to use (0 <= channel < channels)
   * @returns the number of samples that were clipped
   */
  quantizeToInt(
    input: Float32Array,
    frames: number,
    bits: number,
    output: IntSampleArray,
    outOffset = 0,
    outStride = 1,
    channel = 0,
  ): number {
    return this.run(input, frames, bits, output, outOffset, outStride, channel, 1);
  }

  /**
   * Quantizes one channel to the `bits`-bit grid and writes the result as floats (q / 2^(bits-1)),
   * for the dither insert of a processing chain. In place allowed (output may be input).
   * @returns the number of samples that were clipped
   */
  quantizeToFloat(input: Float32Array, output: Float32Array, frames: number, bits: number, channel = 0): number {
    return this.run(input, frames, bits, output, 0, 1, channel, Math.pow(2, 1 - bits));
  }

  /** The one quantizer loop; writes q · outScale (1 for integers, 2^(1-bits) for floats). */
  private run(
    input: Float32Array,
    frames: number,
    bits: number,
    output: IntSampleArray | Float32Array,
    outOffset: number,
    outStride: number,
    channel: number,
    outScale: number,
  ): number {
    if (!(bits >= 2 && bits <= 32)) throw new RangeError(`TpdfDither: bits must be 2..32, got ${bits}`);
    // State: s = xorshift32 state of the channel; e = previous total error (LSB, noise shaping only);
    // scale = LSB per unit amplitude; hi/lo = integer range; k = LSB per 16-bit PRNG step (0: no dither).
    const scale = Math.pow(2, bits - 1);
    const hi = scale - 1;
    const lo = -scale;
    const k = this.enabled ? HALF_WORD_TO_LSB : 0;
    const shaping = this.noiseShaping;
    let s = this.state[channel] | 0;
    let e = this.lastError[channel];
    let clipped = 0;
    for (let i = 0, j = outOffset; i < frames; i++, j += outStride) {
      let v = input[i] * scale;
      if (shaping) v -= e;
      // One xorshift32 step (Marsaglia 2003) gives two 16-bit uniforms; their difference is TPDF in (-1, 1) LSB.
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const d = ((s & 0xffff) - (s >>> 16)) * k;
      let q = Math.floor(v + d + 0.5);
      if (q > hi) { q = hi; clipped++; } else if (q < lo) { q = lo; clipped++; } else if (q !== q) q = 0; // NaN in: silence
      if (shaping) {
        e = q - v;
        if (e > MAX_FEEDBACK_LSB) e = MAX_FEEDBACK_LSB; else if (e < -MAX_FEEDBACK_LSB) e = -MAX_FEEDBACK_LSB; else if (e !== e) e = 0;
      }
      output[j] = q * outScale;
    }
    this.state[channel] = s >>> 0;
    this.lastError[channel] = e;
    return clipped;
  }
}
