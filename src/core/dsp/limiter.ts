/**
 * True-peak look-ahead limiter: the output never exceeds `ceilingDbtp`, between samples included.
 *
 * Signal path (per block):
 *  1. input gain (ramped), non-finite samples → 0;
 *  2. detector: the shared Oversampler's polyphase filter (4x or 8x) interpolates each channel; each
 *     oversampled |x| that is a local maximum is refined with a parabola (parabolicPeak), and Q[k] = max
 *     over channels (linked) of the refined peaks in [k, k+1). The peak around frame k is
 *     P[k] = max(Q[k−1], Q[k]), i.e. every inter-sample interval that touches frame k;
 *  3. required gain r[k] = min(1, ceiling·10^(−HEADROOM_DB/20) / P[k]) → LimiterGainEnvelope (sliding
 *     minimum over the look-ahead, exponential release, triangular smoothing of the same support);
 *  4. the gain multiplies the input delayed by latencyFrames = lookahead + T/2 + 1 (T/2 = the
 *     oversampler's interpolation delay, +1 frame so the parabola of the last subsample is known).
 *
 * Why a headroom: the gain is applied at the base rate, and a time-varying gain modulates the signal,
 * so the reconstructed product can overshoot g(t)·x(t) slightly where the gain moves fastest; the
 * detector also has a small residual error (filter ripple, parabola). HEADROOM_DB covers both; the
 * tests measure the worst output true peak with a 32x reference on square waves, fs/4 inter-sample
 * peaks, noise bursts and drum-like material driven 12 dB over, and report how far below the ceiling
 * it sits. A final sample clamp at the ceiling guards the samples themselves against anything left.
 *
 * Detector speed (the result is exactly that of interpolating everything):
 *  - branches p and L−p are mirror images (linear phase), so one pass over the even/odd halves of the
 *    support gives both (half the multiplies);
 *  - only r = min(1, target/P) matters, and it depends on Q only through max(Q, target): a frame whose
 *    refined peaks are provably ≤ target needs no interpolation. Per group of 8 frames, the true-peak
 *    meter's bound 0 (|y| ≤ max |interval ends| + G·max |Δ²x|, G = secondDifferenceBound) bounds every
 *    oversampled value the refinements read; a parabola's vertex through a ≤ b ≥ c (all ≥ 0) is
 *    b + (a − c)²/(8(2b − a − c)) ≤ b + (b − min(a, c))/8 ≤ 9/8·b, so the group is skipped when
 *    9/8 of the bound is ≤ target; before it, the cheaper bound |y| ≤ (largest branch Σ|h|)·max |x| over
 *    the group's support is tried. Quiet passages of music skip nearly everything; dense noise near the
 *    ceiling skips nothing. The bound's terms come from per-8-sample block maxima (|x| for every block,
 *    |Δ²x| only for blocks a group whose end samples already pass needs), so a group costs a few
 *    operations;
 *  - 4x: two consecutive frames share one pass over the taps (independent sums that overlap in the CPU);
 *  - unity stretches of the gain envelope run in one tight loop (LimiterGainEnvelope.pushBlock).
 *
 * Structural parameters (`lookaheadMs`, `oversampling`) set latencyFrames; they take effect at the next
 * prepare() or reset(), so latencyFrames only changes there.
 */
import { dbToGain } from '../audio/db.js';
import { LinearRamp } from './gain.js';
import { LimiterGainEnvelope, parabolicPeak } from './limiter-gain.js';
import { Oversampler } from './oversampler.js';
import { kaiserBeta, secondDifferenceBound } from './oversampler-design.js';
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';

export interface LimiterParams {
  /** Output true-peak ceiling, dBTP. */
  ceilingDbtp: number;
  /** Gain before limiting, dB. */
  inputGainDb: number;
  /** Release time constant, ms. */
  releaseMs: number;
  /** Look-ahead (attack) time, ms; applies at the next prepare()/reset(). */
  lookaheadMs: number;
  /** Detector oversampling factor, 4 or 8; applies at the next prepare()/reset(). */
  oversampling: number;
}

export interface LimiterMeters {
  /** Largest gain reduction since the last read, dB (≥ 0). */
  gainReductionDb: number;
}

const MAX_LOOKAHEAD_MS = 20;
/**
 * Detector interpolator: 32 taps per phase with a 60 dB Kaiser design, so the transition band is
 * (60 − 7.95)/(14.36·32) ≈ 0.11·fs wide around Nyquist (Kaiser's formula) instead of 0.2·fs: content up
 * to ~0.44·fs is interpolated at full level, so the detector does not under-read bright transients.
 */
const DETECTOR_TAPS = 32;
const DETECTOR_STOPBAND_DB = 60;

/**
 * Internal margin below the ceiling, dB: covers gain-modulation overshoot and detector error.
 * Chosen from the test measurements (see test/core/dsp/limiter.test.ts).
 */
export const LIMITER_HEADROOM_DB = 0.1;

/** Relative margin of the detector's skip bound: covers the rounding of the bound's own sums (≲ 1e-13). */
const MARGIN = 1 + 1e-9;

export const LIMITER_PARAMS = {
  ceilingDbtp: { kind: 'number', unit: 'dBTP', min: -20, max: 0, default: -1, rampMs: 0, description: 'True-peak ceiling of the output' },
  // Down to -80 dB: a master to a quiet target (mastering accepts -70 LUFS) turns a loud mix down here.
  inputGainDb: { kind: 'number', unit: 'dB', min: -80, max: 36, default: 0, rampMs: 20, description: 'Gain before the limiter' },
  releaseMs: { kind: 'number', unit: 'ms', min: 1, max: 2000, default: 80, rampMs: 0, description: 'Release time constant' },
  lookaheadMs: { kind: 'number', unit: 'ms', min: 0.5, max: MAX_LOOKAHEAD_MS, default: 5, rampMs: 0, description: 'Look-ahead (attack) time; sets the latency' },
  oversampling: { kind: 'number', unit: 'ratio', min: 4, max: 8, default: 4, rampMs: 0, integer: true, description: 'True-peak detector oversampling: 4 or 8' },
} as const satisfies ParamTable;

/** True-peak limiter; see LIMITER_PARAMS. */
export class Limiter implements Processor<LimiterParams, LimiterMeters> {
  private p: LimiterParams = { ceilingDbtp: -1, inputGainDb: 0, releaseMs: 80, lookaheadMs: 5, oversampling: 4 };
  private fs = 48000;
  private channels = 0;
  private maxBlock = 0;
  private os4: Oversampler | null = null;
  private os8: Oversampler | null = null;
  private os: Oversampler | null = null;
  private envelope: LimiterGainEnvelope = new LimiterGainEnvelope(1);
  private envelopes: LimiterGainEnvelope[] = [];
  private latency = 0;
  private ceiling = 1;
  private target = 1;
  private readonly inGain = new LinearRamp(1);
  // Buffers (allocated in prepare): gained input per channel, oversampled block, per-frame peaks and gains.
  private xg: Float32Array[] = [];
  /** Per channel: the last T gained input samples, then the current chunk (the detector's history). */
  private hist: Float64Array[] = [];
  // Detector kernels of the current oversampler (set in reset()): pair halves, branch L−1, Δ² bound G.
  private halfPairs = 2;
  private pairEven = new Float64Array(0);
  private pairOdd = new Float64Array(0);
  private lastBranch: Float64Array = new Float64Array(0);
  /** 4x only: per tap pair j, [even₁, odd₁, even₂, odd₂] (the pair halves of branches 1 and 2, interleaved). */
  private k4 = new Float64Array(0);
  private g2 = 0;
  /** Largest Σ|h| of a detector branch (the L1 skip bound). */
  private l1Max = 1;
  /** The L oversampled values of one frame (scratch). */
  private readonly ys = new Float64Array(8);
  private prevSkipped = new Uint8Array(0);
  /** Per chunk and channel: max |Δ²x| of each 8-sample block of the history (the skip bound's G term). */
  private d2Blocks = new Float64Array(0);
  /** Per chunk and channel: max |x| of each 8-sample block of the history (the skip bound's ends term). */
  private absBlocks = new Float64Array(0);
  private qAcc = new Float64Array(0);
  private gains = new Float64Array(0);
  /** Required gain r per frame of the chunk (the envelope's input). */
  private required = new Float64Array(0);
  private inGains = new Float64Array(0);
  private delay: Float32Array[] = [];
  private delaySize = 1;
  private writePos = 0;
  // Detector state: last two |oversampled| values per channel, the partial Q of the pending frame, Q[k−1].
  private prevA = new Float64Array(0);
  private prevB = new Float64Array(0);
  private qPending = 0;
  private qPrev = 0;
  private maxGr = 0;
  private readonly meters: LimiterMeters = { gainReductionDb: 0 };

  /** Latency in frames: lookahead + the detector delay (fixed between prepare()/reset() calls). */
  get latencyFrames(): number {
    return this.latency;
  }

  prepare(spec: ProcessSpec): void {
    this.fs = spec.sampleRate;
    this.channels = spec.channels;
    this.maxBlock = Math.max(1, spec.maxBlockFrames);
    this.os4 = new Oversampler({ factor: 4, tapsPerPhase: DETECTOR_TAPS, kaiserBeta: kaiserBeta(DETECTOR_STOPBAND_DB) });
    this.os8 = new Oversampler({ factor: 8, tapsPerPhase: DETECTOR_TAPS, kaiserBeta: kaiserBeta(DETECTOR_STOPBAND_DB) });
    this.os4.prepare(spec.channels, this.maxBlock);
    this.os8.prepare(spec.channels, this.maxBlock);
    const maxW = Math.round((MAX_LOOKAHEAD_MS / 1000) * spec.sampleRate) + 1;
    // One envelope per possible window would allocate in reset(); instead keep a pool keyed by W lazily
    // created here for the current setting and re-created in prepare() only.
    this.envelopes = [];
    this.envelope = new LimiterGainEnvelope(this.windowFrames(), maxW);
    this.xg = Array.from({ length: spec.channels }, () => new Float32Array(this.maxBlock));
    this.hist = Array.from({ length: spec.channels }, () => new Float64Array(DETECTOR_TAPS + this.maxBlock));
    this.prevSkipped = new Uint8Array(spec.channels);
    this.d2Blocks = new Float64Array(((DETECTOR_TAPS + this.maxBlock) >> 3) + 2);
    this.absBlocks = new Float64Array(((DETECTOR_TAPS + this.maxBlock) >> 3) + 2);
    this.qAcc = new Float64Array(this.maxBlock + 1);
    this.gains = new Float64Array(this.maxBlock);
    this.required = new Float64Array(this.maxBlock);
    this.inGains = new Float64Array(this.maxBlock);
    const maxLatency = maxW + Math.max(this.os4.upsampleDelayFrames, this.os8.upsampleDelayFrames) + 2;
    this.delaySize = maxLatency + 1;
    this.delay = Array.from({ length: spec.channels }, () => new Float32Array(this.delaySize));
    this.prevA = new Float64Array(spec.channels);
    this.prevB = new Float64Array(spec.channels);
    this.inGain.setRampFrames((LIMITER_PARAMS.inputGainDb.rampMs / 1000) * spec.sampleRate);
    this.reset();
  }

  private windowFrames(): number {
    const la = Math.min(Math.max(this.p.lookaheadMs, LIMITER_PARAMS.lookaheadMs.min), MAX_LOOKAHEAD_MS);
    return Math.max(2, Math.round((la / 1000) * this.fs) + 1);
  }

  reset(): void {
    if (!this.os4 || !this.os8) return;
    this.os = this.p.oversampling >= 8 ? this.os8 : this.os4;
    this.os.reset();
    this.designDetector(this.os);
    for (const h of this.hist) h.fill(0);
    this.prevSkipped.fill(0);
    const w = this.windowFrames();
    if (w !== this.envelope.window) this.envelope = this.reconfigure(w);
    this.envelope.reset();
    this.envelope.setReleaseFrames((this.p.releaseMs / 1000) * this.fs);
    this.latency = w - 1 + this.os.upsampleDelayFrames + 1;
    for (const d of this.delay) d.fill(0);
    this.writePos = 0;
    this.prevA.fill(0);
    this.prevB.fill(0);
    this.qPending = 0;
    this.qPrev = 0;
    this.maxGr = 0;
    this.inGain.setTarget(dbToGain(this.p.inputGainDb));
    this.inGain.snap();
    this.updateCeiling();
  }

  /**
   * Detector kernels from the shared Oversampler's design (one filter design for the whole project):
   * the mirror-pair halves of branches 1 .. L/2 (branch p's even/odd parts about its centre, so one pass
   * gives branches p and L−p), branch L−1 alone (seams after skipped frames), and the second-difference
   * bound G (oversampler-design.ts secondDifferenceBound) of the skip test.
   */
  private designDetector(os: Oversampler): void {
    const t = os.tapsPerPhase;
    const l = os.factor;
    const half = t / 2;
    const br = os.branches;
    this.halfPairs = l / 2;
    this.pairEven = new Float64Array((l / 2 + 1) * half);
    this.pairOdd = new Float64Array((l / 2 + 1) * half);
    for (let p = 1; p <= l / 2; p++) {
      for (let j = 0; j < half; j++) {
        const lo = br[p * t + j];
        const hi = br[p * t + t - 1 - j];
        this.pairEven[p * half + j] = 0.5 * (lo + hi);
        this.pairOdd[p * half + j] = 0.5 * (lo - hi);
      }
    }
    this.lastBranch = br.subarray((l - 1) * t, l * t);
    this.k4 = new Float64Array(4 * half);
    if (l === 4) {
      for (let j = 0; j < half; j++) {
        this.k4[4 * j] = this.pairEven[half + j];
        this.k4[4 * j + 1] = this.pairOdd[half + j];
        this.k4[4 * j + 2] = this.pairEven[2 * half + j];
        this.k4[4 * j + 3] = this.pairOdd[2 * half + j];
      }
    }
    this.g2 = secondDifferenceBound(br, l, t);
    this.l1Max = os.maxBranchL1;
  }

  /** An envelope for window w, reusing one made before (allocates only the first time a W is used). */
  private reconfigure(w: number): LimiterGainEnvelope {
    for (const e of this.envelopes) if (e.window === w) return e;
    const maxW = Math.round((MAX_LOOKAHEAD_MS / 1000) * this.fs) + 1;
    const e = new LimiterGainEnvelope(w, maxW);
    this.envelopes.push(e);
    return e;
  }

  setParams(patch: Partial<LimiterParams>): void {
    Object.assign(this.p, patch);
    if (patch.releaseMs !== undefined) this.envelope.setReleaseFrames((this.p.releaseMs / 1000) * this.fs);
    if (patch.inputGainDb !== undefined) this.inGain.setTarget(dbToGain(this.p.inputGainDb));
    this.updateCeiling();
  }

  private updateCeiling(): void {
    this.ceiling = dbToGain(Math.min(this.p.ceilingDbtp, 0));
    this.target = this.ceiling * dbToGain(-LIMITER_HEADROOM_DB);
  }

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    for (let off = 0; off < frames; off += this.maxBlock) {
      this.processChunk(inputs, outputs, off, Math.min(this.maxBlock, frames - off));
    }
  }

  private processChunk(inputs: readonly Float32Array[], outputs: Float32Array[], off: number, n: number): void {
    const os = this.os!;
    const nCh = Math.min(this.channels, inputs.length, outputs.length);
    const ig = this.inGains;
    // A steady input gain is one constant (the same value fill() would repeat).
    const igRamping = this.inGain.isRamping;
    const ig0 = this.inGain.value;
    if (igRamping) this.inGain.fill(ig, n);
    // 1. Input gain into xg; Q accumulation: slot 0 = the pending frame of the previous chunk, slot i+1 = frame i.
    const q = this.qAcc;
    q.fill(0, 0, n + 1);
    q[0] = this.qPending;
    const t = os.tapsPerPhase;
    for (let c = 0; c < nCh; c++) {
      const x = inputs[c];
      const xg = this.xg[c];
      const h = this.hist[c];
      if (igRamping) {
        for (let i = 0; i < n; i++) {
          const v = x[off + i];
          const y = v - v === 0 ? v * ig[i] : 0;
          xg[i] = y;
          h[t + i] = y;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const v = x[off + i];
          const y = v - v === 0 ? v * ig0 : 0; // h keeps the double, xg the float32 (as with a ramp)
          xg[i] = y;
          h[t + i] = y;
        }
      }
      this.detect(c, h, n);
      h.copyWithin(0, n, n + t);
    }
    // 3. Gain envelope: slots 0..n−1 are complete frames (one per input frame, a constant delay).
    const env = this.envelope;
    const target = this.target;
    const g = this.gains;
    let qPrev = this.qPrev;
    let maxGr = this.maxGr;
    const rq = this.required;
    for (let i = 0; i < n; i++) {
      const qk = q[i];
      const pk = qk > qPrev ? qk : qPrev;
      qPrev = qk;
      rq[i] = pk > target ? target / pk : 1;
    }
    env.pushBlock(rq, g, n);
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      if (gi < 1 && 1 - gi > maxGr) maxGr = 1 - gi;
    }
    this.qPrev = qPrev;
    this.qPending = q[n];
    this.maxGr = maxGr;
    // 4. Apply to the delayed signal; clamp samples at the ceiling as a last guard.
    const size = this.delaySize;
    const lat = this.latency;
    const ceil = this.ceiling;
    let w = this.writePos;
    for (let c = 0; c < nCh; c++) {
      const d = this.delay[c];
      const xg = this.xg[c];
      const y = outputs[c];
      w = this.writePos;
      let r = w - lat;
      if (r < 0) r += size;
      // Runs up to the next wrap of either ring index, so the inner loop has no wrap tests.
      for (let i = 0; i < n; ) {
        const run = Math.min(n - i, size - w, size - r);
        for (let e = i + run; i < e; i++, w++, r++) {
          d[w] = xg[i];
          let v = d[r] * g[i];
          if (v > ceil) v = ceil;
          else if (v < -ceil) v = -ceil;
          y[off + i] = v;
        }
        if (w === size) w = 0;
        if (r === size) r = 0;
      }
    }
    for (let c = nCh; c < outputs.length; c++) outputs[c].fill(0, off, off + n);
    this.writePos = w;
  }

  /**
   * Detector of channel c over the chunk (h = its history then the chunk's n gained samples): the
   * refined peaks go into qAcc (max over channels); a, b and the skip state carry to the next chunk. A
   * method of its own so the JIT compiles it (the hot part) apart from the rest of the chunk.
   */
  private detect(c: number, h: Float64Array, n: number): void {
    const os = this.os!;
    const L = os.factor;
    const q = this.qAcc;
    const t = os.tapsPerPhase;
    const half = t >> 1;
    const hp = this.halfPairs;
    const ev = this.pairEven;
    const od = this.pairOdd;
    const brLast = this.lastBranch;
    const k4 = this.k4;
    const d2b = this.d2Blocks;
    const absB = this.absBlocks;
    const g2 = this.g2;
    const ys = this.ys;
    // A refined peak is ≤ 9/8 of the largest |y| around it (see parabolicPeak's bound in the file
    // comment), and MARGIN covers the rounding of the bound itself.
    const skipLevel = this.target / (1.125 * MARGIN);
    const skipL1 = skipLevel / this.l1Max;
    // 2. Frame i's outputs y_p(i) = Σ_j br_p[j]·h[i + 1 + j] (phase 0 = h[i + T/2]); refine each once its
    // right neighbour is known; a = |y(s−1)|, b = |y(s)|.
    blockMaxima(h, n + t, absB, d2b);
    let a = this.prevA[c];
    let b = this.prevB[c];
    let skipped = this.prevSkipped[c] === 1;
    for (let g0 = 0; g0 < n; g0 += 8) {
      const g1 = g0 + 8 < n ? g0 + 8 : n;
      // Bound 0 of the true-peak meter over intervals g0−1 .. g1−1 (the refinements of frame i also read
      // the last output of frame i − 1): |y| ≤ max |interval ends| + G·max |Δ²x| over the supports.
      // Cheapest bound first: |y| ≤ Σ|taps|·max |x| over the frames' support h[g0 .. g1+T−1] (the
      // largest branch L1 norm; every output the refinements read is such a y, or a sample).
      let mAll = 0;
      for (let j = g0 >> 3, j1 = (g1 + t - 1) >> 3; j <= j1; j++) mAll = Math.max(mAll, absB[j]);
      if (mAll <= skipL1) {
        skipped = true;
        a = 0;
        b = 0;
        continue;
      }
      let mEnds = 0;
      if (g1 - g0 === 8 && (half & 7) === 0) {
        // Ends g0−1+T/2 .. g0+8+T/2: the whole 8-block starting at g0+T/2 plus one sample either side.
        mEnds = Math.max(Math.abs(h[g0 - 1 + half]), absB[(g0 + half) >> 3], Math.abs(h[g1 + half]));
      } else {
        // Math.abs / Math.max compile branch-free: no mispredictions on noise.
        for (let k = g0 - 1 + half; k <= g1 + half; k++) mEnds = Math.max(mEnds, Math.abs(h[k]));
      }
      // max |Δ²x| over k = g0+1 .. g1−2+T from the 8-sample block maxima that cover it (a superset, so
      // still a bound; each |Δ²x| is computed once per chunk instead of ~5 times by overlapping groups).
      // The bound is ≥ mEnds, so the Δ² term is only worth computing (once per block) when mEnds passes.
      let mD2 = 0;
      if (mEnds <= skipLevel) {
        for (let j = g0 >> 3, j1 = (g1 - 2 + t) >> 3; j <= j1; j++) {
          let d = d2b[j];
          if (d < 0) {
            d = d2Block(h, j, n + t);
            d2b[j] = d;
          }
          mD2 = Math.max(mD2, d);
        }
      }
      if (mEnds <= skipLevel && mEnds + g2 * mD2 <= skipLevel) {
        // Every refined peak of these frames is ≤ target: Q stays ≤ target, which gives r = 1 exactly
        // as the exact value would (r depends on Q only through max(Q, target)).
        skipped = true;
        a = 0;
        b = 0;
        continue;
      }
      for (let i = g0; i < g1; i++) {
        if (skipped) {
          // The first evaluated frame after skipped ones needs the exact last output of frame i − 1;
          // its other neighbour only refines a peak of frame i − 1, which is bounded, so 0 is safe.
          let acc = 0;
          for (let j = 0; j < t; j++) acc += brLast[j] * h[i + j];
          a = 0;
          b = acc < 0 ? -acc : acc;
          skipped = false;
        }
        const w = i + 1;
        // Mirror pairs: branch L−p is branch p reversed (linear phase), so with u_j = x_j + x_{T−1−j} and
        // v_j = x_j − x_{T−1−j}, y_p = E + O and y_{L−p} = E − O (E = even·u, O = odd·v).
        ys[0] = h[w + half - 1];
        if (L === 4) {
          // 4x: pair (1, 3) and the symmetric middle branch 2 share u_j, v_j: 3 multiplies per tap pair.
          // k4 interleaves the four coefficients of tap pair j. Two frames (i, i + 1) share one pass
          // over the taps: their sums are independent chains, so they overlap in the CPU instead of
          // waiting on each other's additions (each sum keeps its own order: the same values).
          const two = i + 1 < g1;
          let e1 = 0;
          let o1 = 0;
          let e2 = 0;
          let f1 = 0;
          let p1 = 0;
          let f2 = 0;
          if (two) {
            for (let j = 0, m = 0; j < half; j++, m += 4) {
              const lo = h[w + j];
              const hi = h[w + t - 1 - j];
              const lo2 = h[w + 1 + j];
              const hi2 = h[w + t - j];
              const c0 = k4[m];
              const c1 = k4[m + 1];
              const c2 = k4[m + 2];
              const c3 = k4[m + 3];
              const u = lo + hi;
              const v = lo - hi;
              const u2 = lo2 + hi2;
              const v2 = lo2 - hi2;
              e1 += c0 * u;
              o1 += c1 * v;
              e2 += c2 * u + c3 * v;
              f1 += c0 * u2;
              p1 += c1 * v2;
              f2 += c2 * u2 + c3 * v2;
            }
          } else {
            for (let j = 0, m = 0; j < half; j++, m += 4) {
              const lo = h[w + j];
              const hi = h[w + t - 1 - j];
              const u = lo + hi;
              const v = lo - hi;
              e1 += k4[m] * u;
              o1 += k4[m + 1] * v;
              e2 += k4[m + 2] * u + k4[m + 3] * v;
            }
          }
          // Refinements of frame i, then (two) of frame i + 1, on locals; each frame's running maximum
          // is written to q once (the same maxima, in the same order).
          for (let f = i, last = two ? i + 1 : i; f <= last; f++) {
            const s1 = f === i ? e1 : f1;
            const d1 = f === i ? o1 : p1;
            let cur = h[f + half];
            cur = cur < 0 ? -cur : cur;
            if (!(cur < 3.4e38)) cur = 3.4e38;
            let pk = parabolicPeak(a, b, cur);
            if (pk > q[f]) q[f] = pk;
            let qi = q[f + 1];
            let y1 = s1 + d1;
            y1 = y1 < 0 ? -y1 : y1;
            if (!(y1 < 3.4e38)) y1 = 3.4e38;
            pk = parabolicPeak(b, cur, y1);
            if (pk > qi) qi = pk;
            let y2 = f === i ? e2 : f2;
            y2 = y2 < 0 ? -y2 : y2;
            if (!(y2 < 3.4e38)) y2 = 3.4e38;
            pk = parabolicPeak(cur, y1, y2);
            if (pk > qi) qi = pk;
            let y3 = s1 - d1;
            y3 = y3 < 0 ? -y3 : y3;
            if (!(y3 < 3.4e38)) y3 = 3.4e38;
            pk = parabolicPeak(y1, y2, y3);
            if (pk > qi) qi = pk;
            q[f + 1] = qi;
            a = y2;
            b = y3;
          }
          if (two) i++;
          continue;
        } else {
          for (let p = 1; p <= hp; p++) {
            let e = 0;
            let o = 0;
            const qo = p * half;
            for (let j = 0; j < half; j++) {
              const lo = h[w + j];
              const hi = h[w + t - 1 - j];
              e += ev[qo + j] * (lo + hi);
              o += od[qo + j] * (lo - hi);
            }
            ys[L - p] = e - o;
            ys[p] = e + o; // the middle branch (p = L/2) is its own mirror: o ≈ 0, keep E + O
          }
        }
        for (let p = 0; p < L; p++) {
          let cur = ys[p];
          cur = cur < 0 ? -cur : cur;
          if (!(cur < 3.4e38)) cur = 3.4e38; // overflowed interpolation of huge input
          const pk = parabolicPeak(a, b, cur);
          // b belongs to frame i−1 (slot i) when cur is the first subsample of frame i, else to frame i (slot i+1).
          const slot = p === 0 ? i : i + 1;
          if (pk > q[slot]) q[slot] = pk;
          a = b;
          b = cur;
        }
      }
    }
    this.prevA[c] = a;
    this.prevB[c] = b;
    this.prevSkipped[c] = skipped ? 1 : 0;
  }

  readMeters(): Readonly<LimiterMeters> {
    // maxGr is stored as 1 − gain; convert the held minimum gain to dB.
    this.meters.gainReductionDb = this.maxGr > 0 ? -20 * Math.log10(1 - this.maxGr) : 0;
    this.maxGr = 0;
    return this.meters;
  }
}

/**
 * Per 8-sample block j of h[0 .. len) (indices k = 8j .. 8j+7): absB[j] = max |h[k]|; d2b[j] = −1
 * (not computed yet: d2Block fills it when a group bound needs it).
 */
function blockMaxima(h: Float64Array, len: number, absB: Float64Array, d2b: Float64Array): void {
  for (let j = 0, k0 = 0; k0 < len; j++, k0 += 8) {
    const k1 = k0 + 8 < len ? k0 + 8 : len;
    let ma = 0;
    for (let k = k0; k < k1; k++) ma = Math.max(ma, Math.abs(h[k]));
    absB[j] = ma;
    d2b[j] = -1;
  }
}

/**
 * max |h[k−1] − 2·h[k] + h[k+1]| over the k of block j (8j .. 8j+7) within 1 .. len − 2 (0 when none):
 * a block holds the second differences centred in it.
 */
function d2Block(h: Float64Array, j: number, len: number): number {
  const k0 = j === 0 ? 1 : 8 * j;
  const k1 = 8 * j + 8 < len - 1 ? 8 * j + 8 : len - 1;
  let md = 0;
  for (let k = k0; k < k1; k++) md = Math.max(md, Math.abs(h[k - 1] - 2 * h[k] + h[k + 1]));
  return md;
}
