/**
 * The loudness meter of mixmaster: ITU-R BS.1770-4/5 K-weighted loudness with the EBU R128 time scales
 * (EBU Tech 3341 "EBU mode": momentary 400 ms, short-term 3 s, gated integrated) and the loudness range
 * of EBU Tech 3342. One meter serves everyone (analysis, limiter tests, automaster, CLI).
 *
 * How it works: the K-weighted, channel-weighted squared signal is summed into 10 ms bins (Float64).
 * Every completed bin closes a window: momentary = mean over the last 40 bins, short-term = last 300 bins,
 * so both are evaluated every 10 ms (Tech 3341 asks for ≥ 10 Hz; finer steps catch the maxima of
 * misaligned bursts, cases 10 and 13). Every 10th bin (100 ms) the momentary power is a BS.1770 gating
 * block (400 ms, 75 % overlap) and the short-term power an LRA sample (Tech 3342 v3: ≥ 10 Hz).
 * Windows are evaluated only once full: measurement starts at t = 0 and no partial (zero-padded) window
 * is reported, as in libebur128's block and LRA lists.
 *
 * Bin boundaries: bin k ends at sample round(k·fs/100). For rates divisible by 100 every bin has exactly
 * fs/100 samples; for others (22 050, 11 025 Hz) bins alternate between floor and ceil of fs/100, so the
 * 100 ms / 400 ms / 3 s grid never drifts from real time (each window's mean divides by its exact sample
 * count).
 */
import { powerToLufs } from '../audio/db.js';
import { channelWeights } from '../audio/channel-layout.js';
import type { LoudnessSeries } from './analysis-result.js';
import { designKWeighting } from './k-weighting.js';
import { KW_MAX_FRAMES, KW_MAX_SEGMENTS, kWeightPairWasm, kWeightWasmAvailable, kwEnds, kwOut, kwSegments } from './k-weighting-wasm.js';
import { gatedIntegratedLufs, loudnessRangeLu } from './loudness-gating.js';
import { METER_MAX_RATE_HZ, METER_MIN_RATE_HZ } from './meter-rates.js';

export interface LoudnessMeterOptions {
  /** Sample rate, Hz (8 000..384 000). */
  sampleRate: number;
  /** Channel count (≥ 1). */
  channels: number;
  /** BS.1770 channel weights G_i (default from channel-layout.ts channelWeights(channels)). */
  weights?: number[];
}

export interface LoudnessResult {
  /** Gated integrated loudness, LUFS; null when no block passes the gates (silence, < 400 ms). */
  integratedLufs: number | null;
  /** EBU Tech 3342 loudness range, LU; null when fewer than 2 short-term values pass the gates. */
  loudnessRangeLu: number | null;
  /** Maximum momentary (400 ms) loudness evaluated every 10 ms, LUFS; null when none (silence, < 400 ms). */
  momentaryMaxLufs: number | null;
  /** Maximum short-term (3 s) loudness evaluated every 10 ms, LUFS; null when none (silence, < 3 s). */
  shortTermMaxLufs: number | null;
  /**
   * Momentary and short-term loudness every 100 ms: point i is the window ending at (i+1)·0.1 s;
   * null where the window is not yet full (momentary before 0.4 s, short-term before 3 s) or silent.
   */
  series: LoudnessSeries;
}

/** Bins per second (10 ms bins). */
const BINS_PER_SECOND = 100;
/** Momentary window, bins (400 ms, BS.1770 gating block / Tech 3341 M). */
const MOMENTARY_BINS = 40;
/** Short-term window, bins (3 s, Tech 3341 S). */
const SHORT_TERM_BINS = 300; // a multiple of 4 (closeBin sums it four bins at a time)
/** Bins between gating blocks and LRA samples (100 ms: 75 % block overlap, Tech 3342 ≥ 10 Hz). */
const BLOCK_STEP_BINS = 10;
/** Filter state below this magnitude is flushed to 0 once per bin: far above the denormal range, far below audio. */
const DENORMAL_FLUSH = 1e-30;
/** Filter state values per channel (see the hot loop). */
const STATE_STRIDE = 6;

/** State value, or 0 when it has decayed below DENORMAL_FLUSH or is not finite. */
function flush(v: number): number {
  return Math.abs(v) > DENORMAL_FLUSH && Math.abs(v) < Infinity ? v : 0;
}

/** Amortized-growth list of Float64 values (the block lists). */
class GrowableFloat64 {
  data = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * Streaming BS.1770 / EBU R128 loudness meter.
 * Feed planar blocks of any size with push(); read result() at any time (the block size never changes
 * the result). References: ITU-R BS.1770-5; EBU R 128 (2020); EBU Tech 3341 v4 (2023); EBU Tech 3342 v4.
 */
export class LoudnessMeter {
  private readonly sampleRate: number;
  private readonly channelCount: number;
  private readonly weights: Float64Array;
  /** Channels with a non-zero weight (LFE is excluded by BS.1770 and never filtered). */
  private readonly active: Int32Array;
  private readonly sb0: number;
  private readonly sb1: number;
  private readonly sb2: number;
  private readonly sa1: number;
  private readonly sa2: number;
  private readonly ha1: number;
  private readonly ha2: number;
  /** sb0, sb1, sb2, sa1, sa2, ha1, ha2 for the WebAssembly kernel (k-weighting-wasm.ts). */
  private readonly kCoef: Float64Array;
  /** Per channel STATE_STRIDE values of direct-form-I history (see the hot loop). */
  private readonly state: Float64Array;
  /** Ring of the last 300 bin sums: Σ_i G_i Σ_n y_i[n]² over each 10 ms bin. */
  private readonly bins = new Float64Array(SHORT_TERM_BINS);
  private binCount = 0;
  /** Σ y² of each channel in the current bin (unweighted). */
  private readonly channelSums: Float64Array;
  private binRemaining = 0;
  /**
   * Maximum momentary and short-term power so far ([0], [1]). In a typed array, not two number fields:
   * a field that starts as the integer 0 and later holds a fraction changes representation, which
   * deprecates the object's map, aborts the optimizing compile of filterPair and deopts it (measured:
   * ≈ 100 ms more in the unoptimized loop, boxing every sample).
   */
  private readonly maxPower = new Float64Array(2);
  /**
   * Where the kernels add the raw (unweighted) input's max |x|, Σx, Σx² per channel (3 per channel)
   * and Σ x0·x1 (last): push()'s `raw` argument, or this scratch when none is given.
   */
  private raw: Float64Array;
  private readonly rawScratch: Float64Array;
  /** 1 per channel whose raw sums the kernels produce (the active ones); last: the cross sum x0·x1. */
  readonly rawCovered: Uint8Array;
  /** checkpoint() copies of the mutable state. */
  private readonly saved: { state: Float64Array; sums: Float64Array; bins: Float64Array; max: Float64Array; scalars: Float64Array };
  private readonly blockPowers = new GrowableFloat64();
  private readonly shortPowers = new GrowableFloat64();

  /**
   * @param opts sample rate (Hz), channel count and optional BS.1770 weights G_i (one per channel;
   *   default: channelWeights(channels), i.e. surrounds +1.5 dB, LFE excluded).
   * @throws RangeError for a rate outside 8..384 kHz, a channel count < 1, or weights of the wrong length.
   */
  constructor(opts: LoudnessMeterOptions) {
    const { sampleRate, channels } = opts;
    if (!(sampleRate >= METER_MIN_RATE_HZ && sampleRate <= METER_MAX_RATE_HZ)) {
      throw new RangeError(`LoudnessMeter: sampleRate must be ${METER_MIN_RATE_HZ}..${METER_MAX_RATE_HZ} Hz, got ${sampleRate}`);
    }
    if (!(Number.isInteger(channels) && channels >= 1)) {
      throw new RangeError(`LoudnessMeter: channels must be an integer >= 1, got ${channels}`);
    }
    const weights = opts.weights ?? channelWeights(channels);
    if (weights.length !== channels || weights.some((w) => !(w >= 0 && Number.isFinite(w)))) {
      throw new RangeError(`LoudnessMeter: need ${channels} finite weights >= 0`);
    }
    this.sampleRate = sampleRate;
    this.channelCount = channels;
    this.weights = Float64Array.from(weights);
    const k = designKWeighting(sampleRate);
    [this.sb0, this.sb1, this.sb2, this.sa1, this.sa2] = k.shelf;
    this.ha1 = k.highpass[3];
    this.ha2 = k.highpass[4];
    this.kCoef = Float64Array.of(this.sb0, this.sb1, this.sb2, this.sa1, this.sa2, this.ha1, this.ha2);
    this.active = Int32Array.from(weights.flatMap((g, c) => (g > 0 ? [c] : [])));
    this.state = new Float64Array(channels * STATE_STRIDE);
    this.channelSums = new Float64Array(channels);
    this.rawScratch = new Float64Array(3 * channels + 1);
    this.raw = this.rawScratch;
    this.rawCovered = new Uint8Array(channels + 1);
    for (const c of this.active) this.rawCovered[c] = 1;
    // The first kernel call pairs the first two active channels: the cross sum is theirs when they are 0, 1.
    this.rawCovered[channels] = this.active.length >= 2 && this.active[0] === 0 && this.active[1] === 1 ? 1 : 0;
    this.saved = {
      state: new Float64Array(this.state.length), sums: new Float64Array(channels), bins: new Float64Array(SHORT_TERM_BINS),
      max: new Float64Array(2), scalars: new Float64Array(4),
    };
    this.reset();
  }

  /** Sample index (from t = 0) where bin k ends. */
  private binEnd(k: number): number {
    return Math.round((k * this.sampleRate) / BINS_PER_SECOND);
  }

  /** Back to t = 0: clears filter state, bins, maxima and block lists. */
  reset(): void {
    this.state.fill(0);
    this.bins.fill(0);
    this.binCount = 0;
    this.channelSums.fill(0);
    this.binRemaining = this.binEnd(1);
    this.maxPower.fill(0);
    this.blockPowers.length = 0;
    this.shortPowers.length = 0;
  }

  /**
   * Feeds planar input (finite values; the caller replaces NaN/Inf by 0). No allocation per call
   * (amortized growth of the block lists aside).
   * @param channels one Float32Array per channel, nominal range [-1, 1]; at least `frames` long.
   * @param frames frames to read from each channel.
   * @param raw optional: receives, added to what it holds, the raw input's per-channel max |x|, Σx, Σx²
   *   ([3c], [3c+1], [3c+2]) for the channels marked in rawCovered, and Σ x0·x1 ([3·channels]) when
   *   rawCovered[channels] is 1: the Analyzer's signal statistics, from the same pass over the samples.
   */
  push(channels: readonly Float32Array[], frames: number, raw?: Float64Array): void {
    this.raw = raw ?? this.rawScratch;
    const active = this.active;
    const nActive = active.length;
    if (nActive === 2 && kWeightWasmAvailable()) {
      this.pushPairWasm(channels[active[0]], active[0], channels[active[1]], active[1], frames);
      return;
    }
    let offset = 0;
    while (offset < frames) {
      const remaining = frames - offset;
      const n = remaining < this.binRemaining ? remaining : this.binRemaining;
      const end = offset + n;
      // Channels two at a time: the two recursions are independent, so the CPU overlaps their latency.
      let a = 0;
      for (; a + 1 < nActive; a += 2) {
        const ca = active[a], cb = active[a + 1];
        this.filterPair(channels[ca], ca, channels[cb], cb, offset, end);
      }
      for (; a < nActive; a++) {
        const c = active[a];
        this.filterOne(channels[c], c, offset, end);
      }
      this.binRemaining -= n;
      offset = end;
      if (this.binRemaining === 0) this.closeBin();
    }
  }

  /*
   * The hot loop. Both K-weighting stages run in direct form I, folded into one pass: the feedback
   * dependency chain per sample is then one multiply and one subtract per stage (transposed DF-II has
   * three operations), which sets the speed. State per channel (full-scale units), STATE_STRIDE values:
   * x[n-1], x[n-2] (input), s[n-1], s[n-2] (shelf output = high-pass input), k[n-1], k[n-2] (K-weighted).
   * The high-pass numerator is exactly (1, -2, 1) (BS.1770 Table 2). Once per bin, decayed state is
   * flushed to 0 before it can reach denormals (and a NaN that slipped in is dropped).
   */

  /**
   * push() for exactly two active channels through the WebAssembly kernel (k-weighting-wasm.ts): plans
   * the segments push() would give filterPair (up to each bin's end), runs them, then closes the bins
   * with the sums the kernel kept for each. The same bits as the loop below.
   */
  private pushPairWasm(xa: Float32Array, ca: number, xb: Float32Array, cb: number, frames: number): void {
    const sums = this.channelSums;
    let offset = 0;
    while (offset < frames) {
      let count = 0, total = 0, rem = this.binRemaining, bin = this.binCount;
      while (offset + total < frames && count < KW_MAX_SEGMENTS) {
        const n = Math.min(rem, frames - offset - total);
        if (total + n > KW_MAX_FRAMES) break;
        const closes = n === rem;
        kwSegments[count] = n;
        kwEnds[count] = closes ? 1 : 0;
        count++;
        total += n;
        if (closes) { bin++; rem = this.binEnd(bin + 1) - this.binEnd(bin); } else rem -= n;
      }
      kWeightPairWasm(this.kCoef, this.state, ca * STATE_STRIDE, cb * STATE_STRIDE, sums, ca, cb, this.raw, ca === 0 && cb === 1, xa, xb, offset, total, count);
      for (let j = 0; j < count; j++) {
        this.binRemaining -= kwSegments[j];
        if (kwEnds[j] === 0) continue;
        sums[ca] = kwOut[2 * j];
        sums[cb] = kwOut[2 * j + 1];
        this.closeBin();
      }
      sums[ca] = kwOut[2 * count];
      sums[cb] = kwOut[2 * count + 1];
      offset += total;
    }
  }

  /** K-weights x[offset..end) of channel c, updating its state and adding Σ y² to its bin sum. */
  private filterOne(x: Float32Array, c: number, offset: number, end: number): void {
    const st = this.state;
    const s = c * STATE_STRIDE;
    const sb0 = this.sb0, sb1 = this.sb1, sb2 = this.sb2, sa1 = this.sa1, sa2 = this.sa2;
    const ha1 = this.ha1, ha2 = this.ha2;
    let x1 = st[s], x2 = st[s + 1], s1 = st[s + 2], s2 = st[s + 3], k1 = st[s + 4], k2 = st[s + 5];
    let sum = this.channelSums[c];
    const raw = this.raw;
    let peak = raw[3 * c], rs = raw[3 * c + 1], rq = raw[3 * c + 2];
    for (let i = offset; i < end; i++) {
      const x0 = x[i];
      const s0 = sb0 * x0 + sb1 * x1 + sb2 * x2 - sa2 * s2 - sa1 * s1;
      const k0 = s0 - 2 * s1 + s2 - ha2 * k2 - ha1 * k1;
      x2 = x1; x1 = x0; s2 = s1; s1 = s0; k2 = k1; k1 = k0;
      sum += k0 * k0;
      // Raw statistics ride along: the loop is bound by the filters' feedback latency, not by throughput.
      const a = Math.abs(x0);
      peak = a > peak ? a : peak;
      rs += x0;
      rq += x0 * x0;
    }
    raw[3 * c] = peak; raw[3 * c + 1] = rs; raw[3 * c + 2] = rq;
    st[s] = flush(x1); st[s + 1] = flush(x2); st[s + 2] = flush(s1);
    st[s + 3] = flush(s2); st[s + 4] = flush(k1); st[s + 5] = flush(k2);
    this.channelSums[c] = sum;
  }

  /** filterOne for channels ca and cb at once. */
  private filterPair(xa: Float32Array, ca: number, xb: Float32Array, cb: number, offset: number, end: number): void {
    const st = this.state;
    const sa = ca * STATE_STRIDE, sb = cb * STATE_STRIDE;
    const sb0 = this.sb0, sb1 = this.sb1, sb2 = this.sb2, sa1 = this.sa1, sa2 = this.sa2;
    const ha1 = this.ha1, ha2 = this.ha2;
    let ax1 = st[sa], ax2 = st[sa + 1], as1 = st[sa + 2], as2 = st[sa + 3], ak1 = st[sa + 4], ak2 = st[sa + 5];
    let bx1 = st[sb], bx2 = st[sb + 1], bs1 = st[sb + 2], bs2 = st[sb + 3], bk1 = st[sb + 4], bk2 = st[sb + 5];
    const sums = this.channelSums;
    let sumA = sums[ca], sumB = sums[cb];
    const raw = this.raw;
    let pa = raw[3 * ca], ra = raw[3 * ca + 1], qa = raw[3 * ca + 2];
    let pb = raw[3 * cb], rb = raw[3 * cb + 1], qb = raw[3 * cb + 2];
    let xab = 0;
    for (let i = offset; i < end; i++) {
      const ax0 = xa[i];
      const bx0 = xb[i];
      const as0 = sb0 * ax0 + sb1 * ax1 + sb2 * ax2 - sa2 * as2 - sa1 * as1;
      const bs0 = sb0 * bx0 + sb1 * bx1 + sb2 * bx2 - sa2 * bs2 - sa1 * bs1;
      const ak0 = as0 - 2 * as1 + as2 - ha2 * ak2 - ha1 * ak1;
      const bk0 = bs0 - 2 * bs1 + bs2 - ha2 * bk2 - ha1 * bk1;
      ax2 = ax1; ax1 = ax0; as2 = as1; as1 = as0; ak2 = ak1; ak1 = ak0;
      bx2 = bx1; bx1 = bx0; bs2 = bs1; bs1 = bs0; bk2 = bk1; bk1 = bk0;
      sumA += ak0 * ak0;
      sumB += bk0 * bk0;
      // Raw statistics ride along: the loop is bound by the filters' feedback latency, not by throughput.
      const aa = Math.abs(ax0), ab = Math.abs(bx0);
      pa = aa > pa ? aa : pa;
      pb = ab > pb ? ab : pb;
      ra += ax0; qa += ax0 * ax0;
      rb += bx0; qb += bx0 * bx0;
      xab += ax0 * bx0;
    }
    raw[3 * ca] = pa; raw[3 * ca + 1] = ra; raw[3 * ca + 2] = qa;
    raw[3 * cb] = pb; raw[3 * cb + 1] = rb; raw[3 * cb + 2] = qb;
    // Only the pair (0, 1) contributes the cross sum (rawCovered says whether it is ever filtered as a pair).
    if (ca === 0 && cb === 1) raw[raw.length - 1] += xab;
    st[sa] = flush(ax1); st[sa + 1] = flush(ax2); st[sa + 2] = flush(as1);
    st[sa + 3] = flush(as2); st[sa + 4] = flush(ak1); st[sa + 5] = flush(ak2);
    st[sb] = flush(bx1); st[sb + 1] = flush(bx2); st[sb + 2] = flush(bs1);
    st[sb + 3] = flush(bs2); st[sb + 4] = flush(bk1); st[sb + 5] = flush(bk2);
    sums[ca] = sumA;
    sums[cb] = sumB;
  }

  /**
   * Remembers the state, so that rollback() can undo the pushes made after it (the Analyzer pushes a
   * block before it knows whether the block holds NaN/Inf, and re-pushes it cleaned when it did).
   */
  checkpoint(): void {
    const v = this.saved;
    v.state.set(this.state);
    v.sums.set(this.channelSums);
    v.bins.set(this.bins);
    v.max.set(this.maxPower);
    v.scalars[0] = this.binCount;
    v.scalars[1] = this.binRemaining;
    v.scalars[2] = this.blockPowers.length;
    v.scalars[3] = this.shortPowers.length;
  }

  /** Back to the last checkpoint(). */
  rollback(): void {
    const v = this.saved;
    this.state.set(v.state);
    this.channelSums.set(v.sums);
    this.bins.set(v.bins);
    this.maxPower.set(v.max);
    this.binCount = v.scalars[0];
    this.binRemaining = v.scalars[1];
    this.blockPowers.length = v.scalars[2];
    this.shortPowers.length = v.scalars[3];
  }

  /** Stores the finished 10 ms bin and evaluates the windows ending here. */
  private closeBin(): void {
    const k = ++this.binCount;
    const bins = this.bins;
    // Channel sums are combined here, in channel order, so that block sizes never change the rounding.
    const sums = this.channelSums;
    const w = this.weights;
    let binSum = 0;
    for (let c = 0; c < sums.length; c++) {
      binSum += w[c] * sums[c];
      sums[c] = 0;
    }
    bins[(k - 1) % SHORT_TERM_BINS] = binSum;
    const endSample = this.binEnd(k);
    this.binRemaining = this.binEnd(k + 1) - endSample;
    // Windows are re-summed from the bins (40 and 300 adds per 10 ms): exact, no running-sum drift.
    if (k >= MOMENTARY_BINS) {
      // The last 40 bins, oldest first, walking the ring without a modulo per element.
      let sum = 0;
      let j = (k - MOMENTARY_BINS) % SHORT_TERM_BINS;
      for (let n = 0; n < MOMENTARY_BINS; n++) {
        sum += bins[j];
        if (++j === SHORT_TERM_BINS) j = 0;
      }
      const power = sum / (endSample - this.binEnd(k - MOMENTARY_BINS));
      if (power > this.maxPower[0]) this.maxPower[0] = power;
      if (k % BLOCK_STEP_BINS === 0) this.blockPowers.push(power);
    }
    if (k >= SHORT_TERM_BINS) {
      // Four interleaved partial sums (a fixed order, so still exact and repeatable): one serial chain of
      // 300 additions per 10 ms bin was a tenth of the meter's time.
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < SHORT_TERM_BINS; j += 4) {
        s0 += bins[j];
        s1 += bins[j + 1];
        s2 += bins[j + 2];
        s3 += bins[j + 3];
      }
      const sum = (s0 + s1) + (s2 + s3);
      const power = sum / (endSample - this.binEnd(k - SHORT_TERM_BINS));
      if (power > this.maxPower[1]) this.maxPower[1] = power;
      if (k % BLOCK_STEP_BINS === 0) this.shortPowers.push(power);
    }
  }

  /**
   * Loudness values so far.
   * @returns integrated (gated), loudness range, momentary and short-term maxima, and the 100 ms series;
   *   each value null where undefined (see LoudnessResult).
   */
  result(): LoudnessResult {
    const blocks = this.blockPowers.view();
    const shorts = this.shortPowers.view();
    const steps = Math.floor(this.binCount / BLOCK_STEP_BINS);
    const momentaryLufs: (number | null)[] = new Array<number | null>(steps).fill(null);
    const shortTermLufs: (number | null)[] = new Array<number | null>(steps).fill(null);
    // Block j ends at step (j + 3) (first full 400 ms window at 0.4 s); short-term j at step (j + 29).
    for (let j = 0; j < blocks.length; j++) momentaryLufs[j + MOMENTARY_BINS / BLOCK_STEP_BINS - 1] = powerToLufs(blocks[j]);
    for (let j = 0; j < shorts.length; j++) shortTermLufs[j + SHORT_TERM_BINS / BLOCK_STEP_BINS - 1] = powerToLufs(shorts[j]);
    return {
      integratedLufs: gatedIntegratedLufs(blocks),
      loudnessRangeLu: loudnessRangeLu(shorts),
      momentaryMaxLufs: powerToLufs(this.maxPower[0]),
      shortTermMaxLufs: powerToLufs(this.maxPower[1]),
      series: { stepSeconds: BLOCK_STEP_BINS / BINS_PER_SECOND, momentaryLufs, shortTermLufs },
    };
  }

  /** Weighted mean square of each 400 ms gating block (75 % overlap, i.e. one per 100 ms) so far, for album gating (a copy). */
  gatingBlockPowers(): Float64Array {
    return this.blockPowers.view().slice();
  }

  /** Short-term (3 s) weighted mean squares every 100 ms so far, for album LRA (a copy). */
  shortTermPowers(): Float64Array {
    return this.shortPowers.view().slice();
  }
}
