import {
  branchL1Norms,
  designHalfbandFor,
  designInterpolationFilter,
  designLowpass,
  kaiserBeta,
  kaiserOrder,
  polyphaseBranches,
} from './oversampler-design.js';

/** The filter of one (factor, taps, β): read-only, shared by every Oversampler built with them. */
interface FilterDesign {
  coefficients: Float64Array;
  branches: Float64Array;
  maxBranchL1: number;
  down: Float64Array;
}

/**
 * Designs are memoized: the true-peak meters, limiters and saturators of a session or an analysis use a
 * few filters many times, and a design costs milliseconds (more while the code is still cold, at
 * start-up, where the analysis waits for it).
 */
const designs = new Map<string, FilterDesign>();

function filterDesign(factor: number, taps: number, beta: number): FilterDesign {
  const key = `${factor}/${taps}/${beta}`;
  let d = designs.get(key);
  if (d === undefined) {
    const coefficients = designInterpolationFilter(factor, taps, beta);
    const branches = polyphaseBranches(coefficients, factor, taps);
    const norms = branchL1Norms(branches, factor, taps);
    let maxBranchL1 = 0;
    for (let p = 0; p < factor; p++) maxBranchL1 = Math.max(maxBranchL1, norms[p]);
    const down = new Float64Array(coefficients.length);
    for (let i = 0; i < down.length; i++) down[i] = coefficients[i] / factor;
    d = { coefficients, branches, maxBranchL1, down };
    designs.set(key, d);
  }
  return d;
}

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
    const d = filterDesign(factor, taps, beta);
    this.coefficients = d.coefficients;
    this.branches = d.branches;
    this.maxBranchL1 = d.maxBranchL1;
    this.down = d.down;
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

/** Options of the CascadeOversampler (all edges as fractions of the BASE sample rate). */
export interface CascadeOversamplerOptions {
  /** Oversampling factor: 4 (two 2x stages each way) or 8 (three). Default 4. */
  factor?: 4 | 8;
  /** Pass-band edge of the whole up/down chain (default 0.45·fs). */
  passband?: number;
  /** Stopband edge of the decimator (default 0.5·fs: nothing above the base Nyquist can fold back). */
  stopband?: number;
  /** Stopband attenuation and (as −20·log10 δ) pass-band ripple of every stage, dB (default 90). */
  attenuationDb?: number;
}

/**
 * Half-band 2x interpolation: n new samples sit at work[h .. h + n) after h = 2m − 1 history samples;
 * writes 2n samples to out[o ..). Even outputs are the pure delay x[i − m]; odd outputs the symmetric
 * pairs around x(i − m + ½). Output j ≈ x(j/2 − m).
 */
function halfbandInterpolate(work: Float64Array, n: number, a: Float64Array, m: number, out: Float64Array, o: number): void {
  const h = 2 * m - 1;
  const m4 = m - (m % 4);
  for (let i = 0; i < n; i++) {
    const c = h + i - m;
    // Four independent accumulators: a single chain would be bound by the floating-point add latency.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k < m4; k += 4) {
      s0 += a[k] * (work[c + k + 1] + work[c - k]);
      s1 += a[k + 1] * (work[c + k + 2] + work[c - k - 1]);
      s2 += a[k + 2] * (work[c + k + 3] + work[c - k - 2]);
      s3 += a[k + 3] * (work[c + k + 4] + work[c - k - 3]);
    }
    for (; k < m; k++) s0 += a[k] * (work[c + k + 1] + work[c - k]);
    out[o + 2 * i] = work[c];
    out[o + 2 * i + 1] = s0 + s1 + (s2 + s3);
  }
}

/**
 * Half-band 2x decimation: 2n new samples at work[h .. h + 2n) after h = 4m − 2 history samples; keeps
 * the filtered samples 2i + phase, writing n samples to out[o ..). Output i ≈ input(2i + phase − (2m − 1)).
 * b = the half-band's odd-offset taps scaled for decimation (centre tap ½).
 */
function halfbandDecimate(work: Float64Array, n: number, b: Float64Array, m: number, phase: number, out: Float64Array, o: number): void {
  const base = 4 * m - 2 + phase - (2 * m - 1);
  const m4 = m - (m % 4);
  for (let i = 0; i < n; i++) {
    const c = base + 2 * i;
    let s0 = 0.5 * work[c];
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k < m4; k += 4) {
      s0 += b[k] * (work[c + 2 * k + 1] + work[c - 2 * k - 1]);
      s1 += b[k + 1] * (work[c + 2 * k + 3] + work[c - 2 * k - 3]);
      s2 += b[k + 2] * (work[c + 2 * k + 5] + work[c - 2 * k - 5]);
      s3 += b[k + 3] * (work[c + 2 * k + 7] + work[c - 2 * k - 7]);
    }
    for (; k < m; k++) s0 += b[k] * (work[c + 2 * k + 1] + work[c - 2 * k - 1]);
    out[o + i] = s0 + s1 + (s2 + s3);
  }
}

/** Moves the last `hist` samples (ending at hist + consumed) to the front. */
function keepHistory(work: Float64Array, hist: number, consumed: number): void {
  for (let i = 0; i < hist; i++) work[i] = work[consumed + i];
}

/**
 * 4x or 8x oversampler for nonlinear processing, built from 2x stages (a design option of the same
 * shared oversampler module, for processors that must not alias: the saturator).
 *
 * Why not the single-stage Oversampler: its interpolation filter is also its decimation filter, with
 * the transition band centred on the base Nyquist, so harmonics between 0.5·fs and the stopband edge
 * fold back into the top of the band barely attenuated. A decimator whose stopband starts AT 0.5·fs needs
 * a narrow transition band, which is cheap only at the 2x rate; so (edges in base fs, p = `passband`):
 *
 *  up:   U1  2x half-band, pass to p, stop from 1 − p (images of the pass band land above 0.55·fs,
 *            where the decimator removes them);
 *        U2  2x half-band, pass to 1 − p, stop from 1 + p (wide transition: short);
 *        U3  (8x only) 2x half-band, pass to 1 − p, stop from 3 + p (shorter still);
 *  down: D3  (8x only) 2x half-band (U3's taps): rejects what would fold onto 0..0.5·fs at 4x;
 *        D1  2x half-band (U2's taps): rejects what would fold onto 0..0.5·fs at 2x;
 *        D2  2x general low-pass at the 2x rate, pass to p, stop from `stopband` (the sharp one:
 *            Kaiser, 2P + 1 taps, evaluated only at the output rate).
 * U3/D3 only need to handle the significant content (≤ 0.55·fs): what U2 leaves above that is already
 * ≥ A dB down.
 *
 * Half-band filters have every other tap zero and one polyphase branch that is a pure delay, so the
 * half-band stages cost ~M multiply-adds per output (symmetric taps folded in pairs); D2 costs P + 1 per
 * output. With the defaults (0.45, 0.5, 90 dB): M1 = 31, M2 = 9, M3 = 7, P = 115; with a 20 kHz pass band
 * at 48 kHz (0.4167): M1 = 19, P = 69.
 *
 * All stages are linear-phase; the decimation phases are chosen so the total delay of
 * upsample() + downsample() is an integer number of base frames (latencyFrames) and a band-limited
 * signal comes back as a pure delay (pass-band ripple ≈ stages·10^(−A/20), < 0.001 dB at 90 dB).
 * Half-band lengths are checked against the stopband on a grid (designHalfbandFor): Kaiser's formula
 * underestimates short filters.
 *
 * State per channel: one history per stage. Any block size gives the same output. The oversampled
 * signal is Float64 (no rounding between stages).
 */
export class CascadeOversampler {
  readonly factor: 4 | 8;
  /** Delay of upsample() alone, base frames: out[j] ≈ x(j/factor − upsampleDelayFrames). */
  readonly upsampleDelayFrames: number;
  /** Total latency of upsample()+downsample(), in base-rate frames (an integer). */
  readonly latencyFrames: number;
  /** U1 odd-offset half-band taps (see designHalfbandTaps). */
  readonly up1Taps: Float64Array;
  /** U2 (and, halved, D1) odd-offset half-band taps. */
  readonly up2Taps: Float64Array;
  /** U3 (and, halved, D3) odd-offset half-band taps (8x only; empty at 4x). */
  readonly up3Taps: Float64Array;
  /** D2: 2P + 1 symmetric taps at the 2x rate, DC gain 1. */
  readonly downTaps: Float64Array;

  private readonly m1: number;
  private readonly m2: number;
  private readonly m3: number;
  private readonly p: number;
  /** Decimation phases (which sample of each pair is kept) of D3, D1, D2: make the delay integral. */
  private readonly ph3: number;
  private readonly ph1: number;
  private readonly ph2: number;
  private readonly d1Taps: Float64Array;
  private readonly d3Taps: Float64Array;
  private channels = 0;
  private chunkFrames = 0;
  private u1: Float64Array[] = [];
  private u2: Float64Array[] = [];
  private u3: Float64Array[] = [];
  private d3: Float64Array[] = [];
  private d1: Float64Array[] = [];
  private d2: Float64Array[] = [];

  /** @param opts factor, edges and attenuation; see CascadeOversamplerOptions */
  constructor(opts: CascadeOversamplerOptions = {}) {
    const factor = opts.factor ?? 4;
    const pass = opts.passband ?? 0.45;
    const stop = opts.stopband ?? 0.5;
    const att = opts.attenuationDb ?? 90;
    if (factor !== 4 && factor !== 8) throw new RangeError('CascadeOversampler: factor must be 4 or 8');
    if (!(pass > 0 && pass < stop && stop <= 0.5 && pass < 0.5)) {
      throw new RangeError('CascadeOversampler: need 0 < passband < stopband <= 0.5');
    }
    if (!(att > 21 && att < 200)) throw new RangeError('CascadeOversampler: attenuationDb out of range');
    this.factor = factor;
    const beta = kaiserBeta(att);
    // Pass-band edges of U1, U2, U3 in cycles per sample of their output rate (2x, 4x, 8x).
    this.up1Taps = designHalfbandFor(att, pass / 2);
    this.up2Taps = designHalfbandFor(att, (1 - pass) / 4);
    this.up3Taps = factor === 8 ? designHalfbandFor(att, (1 - pass) / 8) : new Float64Array(0);
    this.m1 = this.up1Taps.length;
    this.m2 = this.up2Taps.length;
    this.m3 = this.up3Taps.length;
    this.p = Math.max(1, Math.ceil(kaiserOrder(att, (stop - pass) / 2) / 2));
    this.d1Taps = this.up2Taps.map((v) => v / 2);
    this.d3Taps = this.up3Taps.map((v) => v / 2);
    this.downTaps = designLowpass(this.p, (pass + stop) / 4, beta);
    // Delays in units of the top rate (1/factor base frame): U1 M1 base frames, U2 M2 2x samples,
    // U3 M3 4x samples; a half-band decimator keeping phase s delays by 2M − 1 − s of its input samples;
    // D2 by P − s 2x samples. The phases are chosen (low bits first) so the total is a whole frame.
    const u = factor;
    const up = u * this.m1 + (u / 2) * this.m2 + (factor === 8 ? 2 * this.m3 : 0);
    let total = up;
    if (factor === 8) {
      this.ph3 = 1; // 2M3 − 1 − s3 must be even (units of 1/8)
      total += 2 * this.m3 - 1 - this.ph3;
    } else {
      this.ph3 = 0;
    }
    // D1's input samples are u/4 units each.
    const d1Unit = u / 4;
    this.ph1 = ((total + d1Unit * (2 * this.m2 - 1)) / d1Unit) % 2 === 0 ? 0 : 1;
    total += d1Unit * (2 * this.m2 - 1 - this.ph1);
    const d2Unit = u / 2;
    this.ph2 = ((total + d2Unit * this.p) / d2Unit) % 2 === 0 ? 0 : 1;
    total += d2Unit * (this.p - this.ph2);
    if (total % u !== 0) throw new Error('CascadeOversampler: internal delay is not integral');
    this.latencyFrames = total / u;
    this.upsampleDelayFrames = up / u;
  }

  /** Allocates per-channel state; larger blocks are processed in pieces of maxBlockFrames. */
  prepare(channels: number, maxBlockFrames: number): void {
    this.channels = channels;
    const n = Math.max(1, Math.min(maxBlockFrames, 8192));
    this.chunkFrames = n;
    const mk = (len: number) => Array.from({ length: channels }, () => new Float64Array(len));
    this.u1 = mk(2 * this.m1 - 1 + n);
    this.u2 = mk(2 * this.m2 - 1 + 2 * n);
    this.u3 = mk(this.factor === 8 ? 2 * this.m3 - 1 + 4 * n : 0);
    this.d3 = mk(this.factor === 8 ? 4 * this.m3 - 2 + 8 * n : 0);
    this.d1 = mk(4 * this.m2 - 2 + 4 * n);
    this.d2 = mk(2 * this.p + 2 * n);
  }

  /** Clears the filter histories (time zero). */
  reset(): void {
    for (let c = 0; c < this.channels; c++) {
      this.u1[c].fill(0);
      this.u2[c].fill(0);
      this.u3[c].fill(0);
      this.d3[c].fill(0);
      this.d1[c].fill(0);
      this.d2[c].fill(0);
    }
  }

  /** Upsamples `frames` samples of channel `ch` (from input[offset]) into out[0 .. factor·frames). */
  upsample(ch: number, input: Float32Array, frames: number, out: Float64Array, offset = 0): void {
    const w1 = this.u1[ch];
    const w2 = this.u2[ch];
    const w3 = this.u3[ch];
    const h1 = 2 * this.m1 - 1;
    const h2 = 2 * this.m2 - 1;
    const h3 = 2 * this.m3 - 1;
    const f = this.factor;
    let done = 0;
    while (done < frames) {
      const n = Math.min(this.chunkFrames, frames - done);
      for (let i = 0; i < n; i++) w1[h1 + i] = input[offset + done + i];
      halfbandInterpolate(w1, n, this.up1Taps, this.m1, w2, h2);
      if (f === 8) {
        halfbandInterpolate(w2, 2 * n, this.up2Taps, this.m2, w3, h3);
        halfbandInterpolate(w3, 4 * n, this.up3Taps, this.m3, out, done * 8);
        keepHistory(w3, h3, 4 * n);
      } else {
        halfbandInterpolate(w2, 2 * n, this.up2Taps, this.m2, out, done * 4);
      }
      keepHistory(w1, h1, n);
      keepHistory(w2, h2, 2 * n);
      done += n;
    }
  }

  /** Low-pass filters and decimates factor·frames oversampled samples of channel `ch` into output[0 .. frames). */
  downsample(ch: number, input: Float64Array, frames: number, output: Float32Array): void {
    const w3 = this.d3[ch];
    const w1 = this.d1[ch];
    const w2 = this.d2[ch];
    const h = this.downTaps;
    const p = this.p;
    const h3 = 4 * this.m3 - 2;
    const h1 = 4 * this.m2 - 2;
    const h2 = 2 * p;
    const f = this.factor;
    const ph2 = this.ph2;
    const p4 = p - (p % 4);
    let done = 0;
    while (done < frames) {
      const n = Math.min(this.chunkFrames, frames - done);
      const src = done * f;
      if (f === 8) {
        for (let j = 0; j < 8 * n; j++) w3[h3 + j] = input[src + j];
        halfbandDecimate(w3, 4 * n, this.d3Taps, this.m3, this.ph3, w1, h1);
        keepHistory(w3, h3, 8 * n);
      } else {
        for (let j = 0; j < 4 * n; j++) w1[h1 + j] = input[src + j];
      }
      halfbandDecimate(w1, 2 * n, this.d1Taps, this.m2, this.ph1, w2, h2);
      // D2: the sharp low-pass, evaluated at every other 2x sample; symmetric taps folded in pairs.
      // Four accumulators (see halfbandInterpolate).
      for (let i = 0; i < n; i++) {
        const q = h2 + 2 * i + ph2;
        const lo = q - 2 * p;
        let s0 = h[p] * w2[q - p];
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let k = 0;
        for (; k < p4; k += 4) {
          s0 += h[k] * (w2[q - k] + w2[lo + k]);
          s1 += h[k + 1] * (w2[q - k - 1] + w2[lo + k + 1]);
          s2 += h[k + 2] * (w2[q - k - 2] + w2[lo + k + 2]);
          s3 += h[k + 3] * (w2[q - k - 3] + w2[lo + k + 3]);
        }
        for (; k < p; k++) s0 += h[k] * (w2[q - k] + w2[lo + k]);
        output[done + i] = s0 + s1 + (s2 + s3);
      }
      keepHistory(w1, h1, 4 * n);
      keepHistory(w2, h2, 2 * n);
      done += n;
    }
  }
}
