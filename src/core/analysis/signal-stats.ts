/**
 * Clip threshold: |x| ≥ 0.99997 counts as full scale. 1 − 0.99997 = 3e-5 ≈ 1 LSB at 16-bit
 * (2^−15 ≈ 3.05e-5), so a 16-bit sample at ±32767/32768 or a float sample at ±1 both count.
 */
export const CLIP_THRESHOLD = 0.99997;
/** A clip is a run of at least this many consecutive full-scale samples (single peaks are legal). */
export const CLIP_MIN_RUN = 3;

/**
 * Streaming per-channel signal statistics: sample peak, sum of squares (RMS), mean (DC offset), clipped
 * samples, and the Pearson correlation of channels 0 and 1. Sums are Float64.
 *
 * Clipped samples: samples inside runs of ≥ 3 consecutive samples with |x| ≥ CLIP_THRESHOLD (runs may
 * span push() calls; a run is counted whole once it reaches 3).
 */
export class SignalStats {
  readonly channels: number;
  private frames = 0;
  private readonly peak: Float64Array;
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  private readonly run: Float64Array;
  private readonly clipped: Float64Array;
  /**
   * Σ x0·x1 (for the correlation), in [0]. A typed array, not a number field: a field that starts as
   * the integer 0 and then holds fractions changes representation, deprecating the object's map and
   * deoptimizing push() once warm.
   */
  private readonly sumXY = new Float64Array(1);
  /** blockSums() output for a channel summed here: [peak, Σx, Σx²]. */
  private readonly own = new Float64Array(3);
  /** Per-block results, committed only when the block was finite: [peak, sum, sumSq, run, clipped] per channel. */
  private readonly staged: Float64Array;

  /** @param channels channel count (≥ 1) */
  constructor(channels: number) {
    this.channels = channels;
    this.peak = new Float64Array(channels);
    this.sum = new Float64Array(channels);
    this.sumSq = new Float64Array(channels);
    this.run = new Float64Array(channels);
    this.clipped = new Float64Array(channels);
    this.staged = new Float64Array(channels * 5);
  }

  /** Back to an empty measurement. */
  reset(): void {
    this.frames = 0;
    this.peak.fill(0);
    this.sum.fill(0);
    this.sumSq.fill(0);
    this.run.fill(0);
    this.clipped.fill(0);
    this.sumXY[0] = 0;
  }

  /**
   * Feeds planar samples. Returns false, and measures nothing, when the block holds NaN/Inf: the sums
   * then turn non-finite, which detects bad samples without a separate pass (the Analyzer zeroes them
   * and pushes the block again).
   */
  push(channels: readonly Float32Array[], frames: number): boolean {
    return this.pushWithSums(channels, frames, null, null);
  }

  /**
   * push(), taking the peak, Σx and Σx² of some channels from a pass that already read them (the
   * loudness meter's K-weighting loop: RawSums), so only the others are summed here.
   * @param sums per channel c: [3c] = max |x|, [3c+1] = Σx, [3c+2] = Σx² of this block; [3·channels] =
   *   Σ x0·x1 when `covered[channels]` is 1. null: sum everything here.
   * @param covered per channel, 1 where `sums` holds that channel; index `channels`: the cross sum.
   * @returns false, measuring nothing, when the block holds NaN/Inf
   */
  pushWithSums(channels: readonly Float32Array[], frames: number, sums: Float64Array | null, covered: Uint8Array | null): boolean {
    const nch = this.channels;
    const st = this.staged;
    let finite = true;
    // Σ x0·x1 of this block, summed in channel 1's pass (x0 is then hot in cache).
    let blockXY = nch >= 2 && sums !== null && covered !== null && covered[nch] === 1 ? sums[3 * nch] : 0;
    for (let c = 0; c < nch; c++) {
      const x = channels[c];
      let blockPeak: number;
      let blockSum: number;
      let s2: number;
      if (sums !== null && covered !== null && covered[c] === 1) {
        blockPeak = sums[3 * c];
        blockSum = sums[3 * c + 1];
        s2 = sums[3 * c + 2];
      } else {
        blockSums(x, frames, this.own);
        blockPeak = this.own[0];
        blockSum = this.own[1];
        s2 = this.own[2];
      }
      // NaN propagates into s2; ±Inf makes s2 infinite.
      if (!(s2 - s2 === 0)) finite = false;
      let run = this.run[c];
      let clipped = this.clipped[c];
      if (blockPeak >= CLIP_THRESHOLD) {
        // Rare: only blocks that reach full scale need the run-length pass.
        for (let j = 0; j < frames; j++) {
          if (Math.abs(x[j]) >= CLIP_THRESHOLD) {
            run++;
            if (run === CLIP_MIN_RUN) clipped += CLIP_MIN_RUN;
            else if (run > CLIP_MIN_RUN) clipped++;
          } else {
            run = 0;
          }
        }
      } else {
        run = 0;
      }
      st[c * 5] = Math.max(this.peak[c], blockPeak);
      st[c * 5 + 1] = blockSum;
      st[c * 5 + 2] = s2;
      st[c * 5 + 3] = run;
      st[c * 5 + 4] = clipped;
      if (c === 1 && finite && !(covered !== null && covered[nch] === 1)) blockXY = crossSum(channels[0], x, frames);
    }
    if (!finite) return false;
    for (let c = 0; c < nch; c++) {
      this.peak[c] = st[c * 5];
      this.sum[c] += st[c * 5 + 1];
      this.sumSq[c] += st[c * 5 + 2];
      this.run[c] = st[c * 5 + 3];
      this.clipped[c] = st[c * 5 + 4];
    }
    if (nch >= 2) this.sumXY[0] += blockXY;
    this.frames += frames;
    return true;
  }

  /** Frames measured. */
  get frameCount(): number {
    return this.frames;
  }

  /** Sample peak per channel, linear |x|max. */
  samplePeaks(): Float64Array {
    return this.peak.slice();
  }

  /** Mean square per channel (0 when no frames). */
  meanSquares(): Float64Array {
    const out = new Float64Array(this.channels);
    if (this.frames > 0) for (let c = 0; c < this.channels; c++) out[c] = this.sumSq[c] / this.frames;
    return out;
  }

  /** Mean (DC offset) per channel, linear; 0 when no frames. */
  dcOffsets(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.channels; c++) out.push(this.frames > 0 ? this.sum[c] / this.frames : 0);
    return out;
  }

  /** Clipped samples summed over channels. */
  clippedSamples(): number {
    let n = 0;
    for (let c = 0; c < this.channels; c++) n += this.clipped[c];
    return n;
  }

  /**
   * Pearson correlation of channels 0 and 1 over everything pushed, in [−1, 1].
   * @returns null for mono, no frames, or when either channel is constant (zero variance)
   */
  correlation(): number | null {
    if (this.channels < 2 || this.frames === 0) return null;
    const n = this.frames;
    const m0 = this.sum[0] / n;
    const m1 = this.sum[1] / n;
    const v0 = this.sumSq[0] / n - m0 * m0;
    const v1 = this.sumSq[1] / n - m1 * m1;
    // Variances below ~1e-20 (−200 dB) are numerical noise of the one-pass formula: treat as silent.
    if (!(v0 > 1e-20) || !(v1 > 1e-20)) return null;
    const cov = this.sumXY[0] / n - m0 * m1;
    const r = cov / Math.sqrt(v0 * v1);
    return Math.max(-1, Math.min(1, r));
  }
}

/**
 * max |x|, Σx and Σx² of x[0 .. frames) into out[0..2], with two interleaved accumulators per sum: a
 * single chain of adds is latency-bound (≈ 3-5x slower). Math.abs, not `v < 0 ? -v : v`: the sign of
 * audio is a coin toss, and the branch the ternary compiles to mispredicts half the time (measured 3x
 * slower on noise). The running maxima's `a > p ? a : p` is nearly always false once the peak is
 * reached, so it predicts well.
 */
function blockSums(x: Float32Array, frames: number, out: Float64Array): void {
  let p0 = 0;
  let p1 = 0;
  let s0 = 0;
  let s1 = 0;
  let q0 = 0;
  let q1 = 0;
  let i = 0;
  for (; i + 1 < frames; i += 2) {
    const v = x[i];
    const w = x[i + 1];
    const a = Math.abs(v);
    const b = Math.abs(w);
    p0 = a > p0 ? a : p0;
    p1 = b > p1 ? b : p1;
    s0 += v;
    s1 += w;
    q0 += v * v;
    q1 += w * w;
  }
  if (i < frames) {
    const v = x[i];
    p0 = Math.max(p0, Math.abs(v));
    s0 += v;
    q0 += v * v;
  }
  out[0] = p0 > p1 ? p0 : p1;
  out[1] = s0 + s1;
  out[2] = q0 + q1;
}

/** Σ x0[i]·x1[i] over i < frames, in two interleaved accumulators (even and odd i). */
function crossSum(x0: Float32Array, x1: Float32Array, frames: number): number {
  let e0 = 0;
  let e1 = 0;
  let i = 0;
  for (; i + 1 < frames; i += 2) {
    e0 += x0[i] * x1[i];
    e1 += x0[i + 1] * x1[i + 1];
  }
  if (i < frames) e0 += x0[i] * x1[i];
  return e0 + e1;
}
