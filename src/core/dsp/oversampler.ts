import {
  branchL1Norms,
  designInterpolationFilter,
  kaiserBeta,
  polyphaseBranches,
} from './oversampler-design.js';

/** Options of the Oversampler. */
export interface OversamplerOptions {
  /** Oversampling factor L. */
  factor: 2 | 4 | 8;
  /** Taps per polyphase branch T (even; default 16). The filter has L·T + 1 taps. */
  tapsPerPhase?: number;
  /**
   * Kaiser window β. Default: the Kaiser formula for a transition band 0.385·fs .. 0.615·fs of the base
   * rate (A = 7.95 + 14.36·0.23·T dB, Oppenheim & Schafer eq. 7.76), i.e. ≈ 61 dB at T = 16: passband
   * ripple < 0.01 dB to 0.3·fs, images ≥ 0.7·fs below −60 dB.
   */
  kaiserBeta?: number;
}

/**
 * Linear-phase polyphase FIR oversampler, ONE implementation shared by the true-peak meter, the
 * true-peak limiter and the saturator.
 *
 * Filter: Kaiser-windowed sinc with cutoff at the base-rate Nyquist, L·T + 1 taps (see
 * designInterpolationFilter). Phase 0 of the interpolator is a pure delay of T/2 base frames, so the
 * original samples come out unchanged. The decimator uses the same filter divided by L.
 *
 * Delays: upsample() delays by T/2 base frames (y[n·L + p] ≈ x(n − T/2 + p/L)); upsample() followed by
 * downsample() delays by exactly T base frames (latencyFrames).
 *
 * State per channel: the last T−1 base samples (interpolator) and the last L·T oversampled samples
 * (decimator). Any block size gives the same output.
 */
export class Oversampler {
  readonly factor: number;
  readonly tapsPerPhase: number;
  /** Group delay of upsample() alone, in base-rate frames (T/2). */
  readonly upsampleDelayFrames: number;
  /** Total latency of upsample()+downsample(), in base-rate frames (T, an integer). */
  readonly latencyFrames: number;
  /** Interpolation filter, L·T + 1 taps, DC gain L. */
  readonly coefficients: Float64Array;
  /** Polyphase branches (reversed), branch p at [p·T, (p+1)·T). */
  readonly branches: Float64Array;
  /** Largest branch L1 norm Σ|h|: |y| ≤ maxBranchL1 · max|x| over the T-sample support. */
  readonly maxBranchL1: number;

  private readonly down: Float64Array;
  private channels = 0;
  private chunkFrames = 0;
  private upWork: Float64Array[] = [];
  private downWork: Float64Array[] = [];
  private tailWork = new Float64Array(0);

  /** @param opts factor, taps per branch (even, ≥ 4), optional Kaiser β */
  constructor(opts: OversamplerOptions) {
    const factor = opts.factor;
    const taps = opts.tapsPerPhase ?? 16;
    if (factor !== 2 && factor !== 4 && factor !== 8) throw new RangeError('Oversampler: factor must be 2, 4 or 8');
    if (!Number.isInteger(taps) || taps < 4 || taps % 2 !== 0) {
      throw new RangeError('Oversampler: tapsPerPhase must be an even integer >= 4');
    }
    const beta = opts.kaiserBeta ?? kaiserBeta(7.95 + 14.36 * 0.23 * taps);
    this.factor = factor;
    this.tapsPerPhase = taps;
    this.upsampleDelayFrames = taps / 2;
    this.latencyFrames = taps;
    this.coefficients = designInterpolationFilter(factor, taps, beta);
    this.branches = polyphaseBranches(this.coefficients, factor, taps);
    const norms = branchL1Norms(this.branches, factor, taps);
    let m = 0;
    for (let p = 0; p < factor; p++) m = Math.max(m, norms[p]);
    this.maxBranchL1 = m;
    this.down = new Float64Array(this.coefficients.length);
    for (let i = 0; i < this.down.length; i++) this.down[i] = this.coefficients[i] / factor;
  }

  /**
   * Allocates per-channel state. Blocks larger than maxBlockFrames are still accepted (processed in
   * pieces), so maxBlockFrames only sizes the work buffers.
   */
  prepare(channels: number, maxBlockFrames: number): void {
    this.channels = channels;
    this.chunkFrames = Math.max(1, Math.min(maxBlockFrames, 8192));
    const t = this.tapsPerPhase;
    const hist = this.factor * t;
    this.upWork = [];
    this.downWork = [];
    this.tailWork = new Float64Array(2 * (t - 1));
    for (let c = 0; c < channels; c++) {
      this.upWork.push(new Float64Array(t - 1 + this.chunkFrames));
      this.downWork.push(new Float64Array(hist + this.chunkFrames * this.factor));
    }
  }

  /** Clears the filter histories (time zero). */
  reset(): void {
    for (let c = 0; c < this.channels; c++) {
      this.upWork[c].fill(0);
      this.downWork[c].fill(0);
    }
  }

  /**
   * Upsamples `frames` samples of channel `ch` (from input[offset]) into out[0 .. frames·factor).
   * Gain-normalised: every polyphase branch has DC gain 1.
   */
  upsample(ch: number, input: Float32Array, frames: number, out: Float32Array, offset = 0): void {
    const work = this.upWork[ch];
    const br = this.branches;
    const t = this.tapsPerPhase;
    const l = this.factor;
    const hist = t - 1;
    const centre = t / 2 - 1; // index j of the pure-delay tap in branch 0 (x[n − T/2])
    let done = 0;
    while (done < frames) {
      const n = Math.min(this.chunkFrames, frames - done);
      for (let i = 0; i < n; i++) work[hist + i] = input[offset + done + i];
      let o = done * l;
      for (let i = 0; i < n; i++) {
        out[o] = work[i + centre];
        for (let p = 1; p < l; p++) {
          const b = p * t;
          let acc = 0;
          for (let j = 0; j < t; j++) acc += br[b + j] * work[i + j];
          out[o + p] = acc;
        }
        o += l;
      }
      for (let i = 0; i < hist; i++) work[i] = work[n + i];
      done += n;
    }
  }

  /**
   * Like upsample() but returns only max |y| over the frames·factor oversampled values, without writing
   * them (the true-peak meter's hot path). Advances the state exactly as upsample() does.
   */
  upsampleAbsMax(ch: number, input: Float32Array, frames: number, offset = 0): number {
    const work = this.upWork[ch];
    const br = this.branches;
    const t = this.tapsPerPhase;
    const l = this.factor;
    const hist = t - 1;
    const centre = t / 2 - 1;
    let peak = 0;
    let done = 0;
    while (done < frames) {
      const n = Math.min(this.chunkFrames, frames - done);
      for (let i = 0; i < n; i++) work[hist + i] = input[offset + done + i];
      for (let i = 0; i < n; i++) {
        const x0 = work[i + centre];
        if (x0 > peak) peak = x0;
        else if (-x0 > peak) peak = -x0;
        for (let p = 1; p < l; p++) {
          const b = p * t;
          let acc = 0;
          for (let j = 0; j < t; j++) acc += br[b + j] * work[i + j];
          if (acc > peak) peak = acc;
          else if (-acc > peak) peak = -acc;
        }
      }
      for (let i = 0; i < hist; i++) work[i] = work[n + i];
      done += n;
    }
    return peak;
  }

  /**
   * Feeds `frames` input samples into the interpolator's history without computing any output: the
   * state afterwards equals the state after upsample() of the same samples (the history is just the last
   * T−1 inputs). Used by the true-peak meter to skip blocks whose peak bound cannot raise its maximum.
   */
  advance(ch: number, input: Float32Array, frames: number, offset = 0): void {
    const work = this.upWork[ch];
    const hist = this.tapsPerPhase - 1;
    if (frames >= hist) {
      const s = offset + frames - hist;
      for (let i = 0; i < hist; i++) work[i] = input[s + i];
    } else {
      for (let i = 0; i < hist - frames; i++) work[i] = work[i + frames];
      for (let i = 0; i < frames; i++) work[hist - frames + i] = input[offset + i];
    }
  }

  /**
   * max |y| of the interpolator's tail: the outputs that T−1 further zero inputs would produce (the
   * ringing of the last samples). Does not change the state.
   */
  tailAbsMax(ch: number): number {
    const t = this.tapsPerPhase;
    const hist = t - 1;
    const w = this.tailWork;
    const src = this.upWork[ch];
    for (let i = 0; i < hist; i++) {
      w[i] = src[i];
      w[hist + i] = 0;
    }
    const br = this.branches;
    let peak = 0;
    for (let i = 0; i < hist; i++) {
      for (let p = 0; p < this.factor; p++) {
        const b = p * t;
        let acc = 0;
        for (let j = 0; j < t; j++) acc += br[b + j] * w[i + j];
        const a = acc < 0 ? -acc : acc;
        if (a > peak) peak = a;
      }
    }
    return peak;
  }

  /** Maximum |x| over the interpolator's stored history (the last T−1 inputs of channel ch). */
  historyAbsMax(ch: number): number {
    const work = this.upWork[ch];
    let m = 0;
    for (let i = 0; i < this.tapsPerPhase - 1; i++) {
      const a = Math.abs(work[i]);
      if (a > m) m = a;
    }
    return m;
  }

  /**
   * Low-pass filters and decimates frames·factor oversampled samples of channel `ch` into
   * output[0 .. frames). z[n] = Σ_j (h[j]/L) · y[n·L − j].
   */
  downsample(ch: number, input: Float32Array, frames: number, output: Float32Array): void {
    const work = this.downWork[ch];
    const g = this.down;
    const taps = g.length;
    const l = this.factor;
    const hist = l * this.tapsPerPhase; // = taps − 1
    let done = 0;
    while (done < frames) {
      const n = Math.min(this.chunkFrames, frames - done);
      const m = n * l;
      const src = done * l;
      for (let i = 0; i < m; i++) work[hist + i] = input[src + i];
      for (let i = 0; i < n; i++) {
        // Newest sample at work[hist + i·L]; g[j] multiplies work[hist + i·L − j].
        const top = hist + i * l;
        let acc = 0;
        for (let j = 0; j < taps; j++) acc += g[j] * work[top - j];
        output[done + i] = acc;
      }
      for (let i = 0; i < hist; i++) work[i] = work[m + i];
      done += n;
    }
  }
}
