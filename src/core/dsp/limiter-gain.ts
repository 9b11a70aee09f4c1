/**
 * The gain computer of the true-peak limiter, apart from the audio path (STYLE.md 5): a pure peak
 * refinement and the look-ahead gain envelope.
 *
 * Envelope (per base-rate frame, after the peak detector): required gain r = min(1, ceiling/peak) →
 * sliding-window minimum over W = lookahead+1 frames (hold) → instant-attack / exponential-release
 * follower → two cascaded moving averages of lengths W1 + W2 − 1 = W (a triangular kernel, so the gain
 * curve is a smooth quadratic spline). Every stage output is ≤ its input at the frames it covers, and any
 * averaging kernel of support W applied to a W-frame minimum is ≤ the r of the oldest frame in the window,
 * so the gain applied W−1 frames later never exceeds the required gain (the scheme of x42-dpl `peaklim.cc`
 * and Matchering `limiter/hyrax.py`, with the box pair of Sanfilippo's "lookahead limiter" in Faust).
 */

/**
 * Peak of |x| near three equally spaced samples a = |x[s−1]|, b = |x[s]|, c = |x[s+1]|: the vertex of the
 * parabola through them when b is a local maximum, else b. For a band-limited signal oversampled 4x this
 * shrinks the grid error of the peak from ~1 − cos(π·f/(L·fs)) to its square (about 0.02 dB at 0.45·fs).
 * @returns a value ≥ b.
 */
export function parabolicPeak(a: number, b: number, c: number): number {
  if (b < a || b < c) return b;
  const den = a - 2 * b + c; // ≤ 0 at a maximum
  if (den >= 0) return b;
  const v = b - ((a - c) * (a - c)) / (8 * den);
  // The vertex lies within ±0.5 sample when b is the maximum, so v ≤ b·(1 + 1/8·…) stays finite.
  return v;
}

/** A running sum is recomputed when it falls below this fraction of the largest value it has held. */
const RESUM_BELOW = 1e-6;

/**
 * Streaming look-ahead gain envelope: push one required gain r (0..1] per frame, get the smoothed gain
 * to apply to the frame pushed W−1 frames earlier. No allocation after construction.
 */
export class LimiterGainEnvelope {
  /** Window length W in frames (lookahead + 1). */
  readonly window: number;
  private readonly w1: number;
  private readonly w2: number;
  /*
   * Sliding minimum over the last W values (van Herk / Gil-Werman): the stream is cut into blocks of W
   * frames; the minimum of the window ending at offset j of a block is min(suffix minimum of the previous
   * block from j + 1, prefix minimum of this block up to j). Three compares a frame, none of them a
   * data-dependent branch (a monotonic deque pops a data-dependent number of entries, and its branches
   * mispredict on music), and exactly the same minimum.
   */
  /** This block's values so far (offsets 0 .. j − 1). */
  private readonly cur: Float64Array;
  /** Suffix minima of the previous block: suf[k] = min of its offsets k .. W − 1, suf[W] = 1. */
  private readonly suf: Float64Array;
  /** Offset in the current block, and the prefix minimum of the block so far. */
  private j = 0;
  private prefix = 1;
  private t = 0;
  // Release follower state and coefficient (1 − exp(−1/(τ·fs))).
  private env = 1;
  private releaseCoef = 0;
  // Moving-average rings and running sums.
  private readonly box1: Float64Array;
  private readonly box2: Float64Array;
  private p1 = 0;
  private p2 = 0;
  private sum1 = 0;
  private sum2 = 0;
  /** Largest value entered into each box since the sums were last recomputed (their rounding scale). */
  private top1 = 1;
  private top2 = 1;
  /**
   * Consecutive pushes with the window minimum and the release follower exactly 1 before and after
   * (no re-anchor among them). After w1 + w2 of them both boxes hold one value each (box1 all 1,
   * box2 all sum1/w1), so the running sums and the output are frozen while r stays 1: push() then
   * only needs to advance the frame counter (see push()).
   */
  private steady = 0;
  private readonly settle: number;
  /** The output of the last full push (sum2/w2), returned by the steady path. */
  private lastOut = 1;
  /** push()'s one-frame block. */
  private readonly one = new Float64Array(1);

  /** @param windowFrames W ≥ 1 (lookahead frames + 1); maxWindowFrames sizes the buffers. */
  constructor(windowFrames: number, maxWindowFrames = windowFrames) {
    const w = Math.max(1, Math.round(windowFrames));
    this.window = w;
    this.w1 = Math.ceil(w / 2);
    this.w2 = w - this.w1 + 1;
    const cap = Math.max(w, maxWindowFrames) + 1;
    this.cur = new Float64Array(cap);
    this.suf = new Float64Array(cap);
    this.box1 = new Float64Array(cap);
    this.box2 = new Float64Array(cap);
    this.settle = this.w1 + this.w2;
    this.reset();
  }

  /** Release time constant in frames (> 0). */
  setReleaseFrames(frames: number): void {
    this.releaseCoef = 1 - Math.exp(-1 / Math.max(1, frames));
  }

  /** Back to unity gain with an empty history. */
  reset(): void {
    // Before the first frame the history reads as unity (r ≤ 1, so 1 never lowers a minimum).
    this.suf.fill(1, 0, this.window + 1);
    this.j = 0;
    this.prefix = 1;
    this.t = 0;
    this.env = 1;
    this.box1.fill(1, 0, this.w1);
    this.box2.fill(1, 0, this.w2);
    this.p1 = 0;
    this.p2 = 0;
    this.sum1 = this.w1;
    this.sum2 = this.w2;
    this.top1 = 1;
    this.top2 = 1;
    this.steady = 0;
    this.lastOut = 1;
  }

  /**
   * push() for each of r[0 .. n), gains into out[0 .. n): the same values. One loop with the whole state
   * in locals (a per-frame method call kept ten fields in memory and, not inlined, cost more than its
   * arithmetic); steady frames (r = 1 while settled) skip the follower and the averages.
   */
  pushBlock(r: Float64Array, out: Float64Array, n: number): void {
    const cur = this.cur, suf = this.suf, box1 = this.box1, box2 = this.box2;
    const w = this.window, w1 = this.w1, w2 = this.w2, settle = this.settle;
    const rel = this.releaseCoef;
    let j = this.j, prefix = this.prefix, t = this.t, env = this.env, steady = this.steady;
    let p1 = this.p1, p2 = this.p2, sum1 = this.sum1, sum2 = this.sum2, lastOut = this.lastOut, top1 = this.top1, top2 = this.top2;
    for (let i = 0; i < n; i++) {
      const ri = r[i];
      // Window minimum m over the last W values (see the fields' comment).
      cur[j] = ri;
      prefix = j === 0 ? ri : Math.min(prefix, ri);
      const m = Math.min(suf[j + 1], prefix);
      if (++j === w) {
        let v = 1;
        for (let k = w - 1; k >= 0; k--) {
          v = Math.min(v, cur[k]);
          suf[k] = v;
        }
        j = 0;
      }
      const now = t++;
      // Steady path (the common case: no reduction for a while): with r = 1 after `settle` frames whose
      // minimum and follower were 1, m is 1 and every change below would leave the state as it is
      // (boxes uniform, sums gaining exactly 0): the output is lastOut. Re-anchor frames take the full path.
      if (ri === 1 && steady >= settle && (now & 0xffff) !== 0xffff) {
        out[i] = lastOut;
        continue;
      }
      // Instant attack, exponential release: env ≤ m always.
      const ePrev = env;
      const e = m < ePrev ? m : ePrev + (m - ePrev) * rel;
      env = e;
      steady = m === 1 && ePrev === 1 && e === 1 ? steady + 1 : 0;
      // Two moving averages (triangular kernel of support W).
      sum1 += e - box1[p1];
      box1[p1] = e;
      top1 = Math.max(top1, e);
      p1 = p1 + 1 === w1 ? 0 : p1 + 1;
      // A running sum's rounding error scales with the largest value it has held: when the sum falls far
      // below that (gains reduced by more than ~120 dB: absurd input levels), it is recomputed before use,
      // or those gains would come out larger than required, or negative.
      if (sum1 < top1 * RESUM_BELOW) {
        sum1 = 0;
        top1 = 0;
        for (let k = 0; k < w1; k++) { sum1 += box1[k]; top1 = Math.max(top1, box1[k]); }
      }
      const a1 = sum1 / w1;
      sum2 += a1 - box2[p2];
      box2[p2] = a1;
      top2 = Math.max(top2, a1);
      p2 = p2 + 1 === w2 ? 0 : p2 + 1;
      if (sum2 < top2 * RESUM_BELOW) {
        sum2 = 0;
        top2 = 0;
        for (let k = 0; k < w2; k++) { sum2 += box2[k]; top2 = Math.max(top2, box2[k]); }
      }
      // Re-anchor the running sums every so often, so rounding never drifts (exact recompute, O(W)).
      if ((now & 0xffff) === 0xffff) {
        // (The loops are written out: calls here, however rare, halve the loop's speed in V8.)
        sum1 = 0;
        top1 = 0;
        for (let k = 0; k < w1; k++) { sum1 += box1[k]; top1 = Math.max(top1, box1[k]); }
        sum2 = 0;
        top2 = 0;
        for (let k = 0; k < w2; k++) { sum2 += box2[k]; top2 = Math.max(top2, box2[k]); }
        steady = 0;
      }
      lastOut = sum2 / w2;
      out[i] = lastOut;
    }
    this.j = j;
    this.prefix = prefix;
    this.t = t;
    this.env = env;
    this.steady = steady;
    this.p1 = p1;
    this.p2 = p2;
    this.sum1 = sum1;
    this.sum2 = sum2;
    this.top1 = top1;
    this.top2 = top2;
    this.lastOut = lastOut;
  }

  /**
   * @param r required gain of the newest frame, in (0, 1].
   * @returns the gain for the frame pushed W−1 pushes ago (≤ every r pushed in the last W pushes
   * that is the oldest of them).
   */
  push(r: number): number {
    this.one[0] = r;
    this.pushBlock(this.one, this.one, 1);
    return this.one[0];
  }
}
