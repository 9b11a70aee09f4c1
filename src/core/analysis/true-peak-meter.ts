import { Oversampler } from '../dsp/oversampler.js';
import { differenceSplit } from '../dsp/oversampler-design.js';
import { wasmKernels, type WasmKernels } from '../wasm/kernels.js';
import { truePeakChunk } from './true-peak-wasm.js';

/**
 * Meter filter: 32 taps per branch, Kaiser β = 5.25. Measured from its frequency response
 * (test/core/dsp/oversampler.test.ts): passband flat within 0.01 dB up to 0.39·fs, and the
 * worst-case true-peak error |H(f) − 1| + |H(fs − f)| ≤ 0.1 dB for sines up to 0.45·fs (= 19.8 kHz at
 * 44.1 kHz). libebur128 uses 4x with 12 taps per branch, whose error reaches ≈ 0.5 dB near 0.45·fs.
 */
const METER_TAPS = 32;
const METER_BETA = 5.25;

/** Frames processed per inner chunk (sizes the work buffers; any push() size is accepted). */
const CHUNK = 4096;
/** Intervals per coarse skip group, and the length of the blocks whose maxima are precomputed. */
const GROUP = 8;
/** 8-blocks whose maxima cover one group's filter support (8 intervals + 31 samples). */
const GROUP_SPAN = 5;
/** Width of the inner kernels of bound 2 (taps x[k−3] .. x[k+4] around interval k). */
const INNER = 8;
/**
 * Difference orders of the bound-2 splits: 2 suits noise-like material, 6 smooth (sine-like) material
 * (Δ⁶ of a 1 kHz sine at 48 kHz is 5e-6 of its amplitude). Order 4 is never the better one on the test
 * material, so it is not computed.
 */
const ORDERS = [2, 6] as const;
/**
 * Relative margin on every bound. It covers the floating-point rounding of the sums and of the split
 * identities (≲ 1e-13 relative to the largest |x| in the support, which never exceeds the running maximum
 * R), and the ≤ 1e-15 asymmetry between mirrored branches: a skipped output is below R even as computed.
 */
const MARGIN = 1 + 1e-9;

/**
 * Bound-2 kernels for one difference order, in mirror-pair form. Branch L−p is the mirror image of
 * branch p (linear phase), so with u_i = x[k−3+i] + x[k+4−i] and v_i = x[k−3+i] − x[k+4−i] (i < 4):
 * inner_p·x = E + O and inner_{L−p}·x = E − O, E = Σ even_i·u_i, O = Σ odd_i·v_i: 8 multiply-adds bound
 * both phases of a pair (4 for the middle phase L/2, whose kernel is symmetric).
 */
interface PairKernels {
  /** even/odd halves, 4 per pair index p = 1 .. L/2 (at 4p). */
  even: Float64Array;
  odd: Float64Array;
  /** Δ^m weight Σ|g| per pair (the larger of the two phases). */
  weight: Float64Array;
  /** max over pairs of weight. */
  maxWeight: number;
}

/**
 * True-peak meter after ITU-R BS.1770-4 Annex 2: oversample, take |x|, keep the maximum per channel.
 *
 * Oversampling factor: 8x below 176.4 kHz, 4x at and above (default). 4x (the Annex 2 minimum) misses up
 * to 0.17 dB on a sine at fs/4 whose peak falls halfway between grid points (cos(π/16)); 8x bounds this
 * grid error to 0.04 dB (cos(π/32)). At ≥ 176.4 kHz programme content sits far below fs/4, where 4x is
 * already exact to 0.01 dB.
 *
 * The reported value is EXACTLY the maximum of |y| over every output of the full polyphase filter — bit
 * for bit what Oversampler.upsampleAbsMax followed by Oversampler.tailAbsMax returns — but the 32-tap
 * filter only runs where a rigorous upper bound says an output could exceed the running maximum R.
 * Interval k spans x[k] .. x[k+1]; its outputs are x[k] (phase 0) and y_p = Σ_j h_p[j]·x[k−15+j],
 * p = 1..L−1, over the support x[k−15 .. k+16]. Bounds, cheapest first:
 *
 *  0. Group of 8 intervals: max |x| at the group's interval ends + G·max|Δ²x| over the group's support.
 *  1. Interval: max(|x[k]|, |x[k+1]|) + G₁·max(|Δ²x| at k, k+1) + G₂·max(|Δ²x| at k−1, k+2)
 *     + G₃·max|Δ²x| over the group's support.
 *  2. Phase: an 8-tap kernel evaluated exactly + W·max|Δ^m x| over the group's support, m ∈ {2, 6}
 *     chosen per group for the smaller remainder (m = 2 on noise, 6 on smooth material).
 *  3. The full 32-tap dot product, summed exactly as Oversampler sums it.
 *
 * Derivation (see differenceSplit): a branch h_p is a short kernel c that reproduces its moments
 * 0..m−1, plus a residual with m vanishing moments; m summations by parts turn the residual's output into
 * Σ_j g[j]·Δ^m x[j], so |y_p| ≤ |c·x| + Σ|g|·max|Δ^m x| (triangle inequality). For m = 2 and the 2-tap
 * c = linear interpolation at the branch's first moment (between x[k] and x[k+1] for every p ≥ 1),
 * |c·x| ≤ max(|x[k]|, |x[k+1]|): bounds 0 and 1, with G = max_p Σ|g| = 0.476 and ring weights G₁, G₂, G₃
 * = the largest Σ|g| over those second differences, over all phases. Bounds are compared with MARGIN.
 *
 * R is seeded with the chunk's sample peak (its phase-0 outputs, exact), so it is high before any
 * filtering. Results do not depend on the block sizes given to push(): the set of outputs is the same,
 * and every output that is evaluated is computed the same way.
 *
 * peaks() includes the filter's tail (the interpolation of the last samples, as if followed by silence).
 *
 * A stream can also be metered in pieces, by one meter or several (threads), in any order: restart()
 * gives a meter the samples that precede its next block, so the block's outputs are exactly those of the
 * whole stream. The stream's peak is the maximum over the pieces' peaks(false), and the tail's from a
 * meter restarted on the stream's last samples (the true-peak worker ring: api/parallel-analyzer.ts).
 */
export class TruePeakMeter {
  readonly factor: number;
  readonly channels: number;
  /** Samples before a block that its outputs depend on (taps − 1): what restart() needs. */
  readonly historyFrames: number;
  /** Holds the filter design and, via advance()/tailAbsMax(), the history for the tail. */
  private readonly os: Oversampler;
  private readonly taps: number;
  /** Largest branch L1 norm of the interpolator (the chunk-level bound). */
  private readonly l1: number;
  /** Polyphase branches (Oversampler layout: branch p at [p·T, (p+1)·T), forward over the support). */
  private readonly br: Float64Array;
  /** Bound 0 and 1 weights. */
  private readonly g2: number;
  private readonly ring1: number;
  private readonly ring2: number;
  private readonly ringRest: number;
  /** Bound 2 kernels, one set per entry of ORDERS. */
  private readonly kernels: PairKernels[];
  private readonly peak: Float64Array;
  /** Per channel: the last T−1 samples, then room for one chunk. */
  private readonly buf: Float64Array[];
  /** Scratch shared by the channels: maxima over 8-blocks of the chunk. */
  private readonly bxEnds: Float64Array;
  /**
   * Block maxima of |Δ²x| (every block, each chunk) and |Δ⁶x| (only the blocks of groups that fail bound
   * 0, filled by groupFeatures: rare, so the per-sample pass stays at one difference), index = ORDERS
   * index.
   */
  private readonly bd: Float64Array[];
  /** Centred Δ²x of the group being scanned (bound 1), at the buf index; filled by groupFeatures. */
  private readonly s2: Float64Array;
  /** buf index of the last sample of the chunk being scanned (Δ² is 0 from there on). */
  private last = 0;
  /** See wasmTable(). */
  private table: Float64Array | null = null;
  /**
   * Full-filter outputs computed so far (the outputs no bound ruled out): the bounds' decisions, which
   * the JavaScript and WebAssembly scans must make identically (tests).
   */
  evaluations = 0;

  /**
   * @param opts.sampleRate Hz (chooses the default factor)
   * @param opts.channels channel count
   * @param opts.factor override the oversampling factor (4 or 8)
   */
  constructor(opts: { sampleRate: number; channels: number; factor?: 4 | 8 }) {
    this.factor = opts.factor ?? (opts.sampleRate < 176400 ? 8 : 4);
    this.channels = opts.channels;
    const t = METER_TAPS;
    this.taps = t;
    this.historyFrames = t - 1;
    this.os = new Oversampler({ factor: this.factor as 4 | 8, tapsPerPhase: t, kaiserBeta: METER_BETA });
    this.os.prepare(opts.channels, CHUNK);
    this.br = this.os.branches;
    this.l1 = this.os.maxBranchL1;
    const bounds = meterBounds(this.br, this.factor, t);
    this.g2 = bounds.rings.total;
    this.ring1 = bounds.rings.ring1;
    this.ring2 = bounds.rings.ring2;
    this.ringRest = bounds.rings.rest;
    this.kernels = bounds.kernels;
    this.peak = new Float64Array(opts.channels);
    this.buf = [];
    for (let ch = 0; ch < opts.channels; ch++) this.buf.push(new Float64Array(t - 1 + CHUNK));
    const scratch = t - 1 + CHUNK + GROUP * (GROUP_SPAN + 4);
    this.s2 = new Float64Array(scratch);
    const blocks = Math.ceil(scratch / GROUP);
    this.bxEnds = new Float64Array(blocks);
    this.bd = ORDERS.map(() => new Float64Array(blocks));
    this.reset();
  }

  /** Back to time zero: peaks 0, filter histories cleared. */
  reset(): void {
    this.os.reset();
    this.peak.fill(0);
    for (const b of this.buf) b.fill(0);
  }

  /**
   * Makes the next push() continue a stream whose preceding samples end with `history` (the last
   * `frames` samples of each channel before the block; fewer than taps − 1 means the stream started
   * there, zeros before). Peaks so far are kept.
   * @param history one Float32Array per channel holding at least `frames` samples, the last at frames − 1
   */
  restart(history: readonly Float32Array[], frames: number): void {
    const hist = this.taps - 1;
    const n = Math.min(hist, frames);
    for (let c = 0; c < this.channels; c++) {
      const buf = this.buf[c];
      const x = history[c];
      buf.fill(0, 0, hist - n);
      for (let i = 0; i < n; i++) buf[hist - n + i] = x[frames - n + i];
    }
    this.os.reset();
    for (let c = 0; c < this.channels; c++) this.os.advance(c, history[c], n, frames - n);
  }

  /**
   * Feeds planar blocks of any size (finite values: the Analyzer replaces NaN/Inf by 0 first).
   * @param channels one Float32Array per channel, at least `frames` long
   */
  push(channels: readonly Float32Array[], frames: number): void {
    const kernels = wasmKernels();
    if (kernels !== null) {
      this.pushWasm(kernels, channels, frames);
      return;
    }
    const hist = this.taps - 1;
    for (let c = 0; c < this.channels; c++) {
      const x = channels[c];
      const buf = this.buf[c];
      let peak = this.peak[c];
      for (let done = 0; done < frames; ) {
        const n = Math.min(CHUNK, frames - done);
        for (let i = 0; i < n; i++) buf[hist + i] = x[done + i];
        peak = this.scanChunk(buf, n, peak);
        buf.copyWithin(0, n, n + hist);
        done += n;
      }
      this.os.advance(c, x, frames, 0);
      this.peak[c] = peak;
    }
  }

  /**
   * push() through the WebAssembly kernels (true-peak-wasm.ts): the widening copy, the chunk-level bound
   * and the per-sample features run there, over a chunk buffer in kernel memory that this meter's history
   * is copied into and back out of; the group scan and every output it evaluates stay in scanGroups, so
   * the peaks are those of the JavaScript path bit for bit.
   */
  private pushWasm(k: WasmKernels, channels: readonly Float32Array[], frames: number): void {
    const hist = this.taps - 1;
    const chunk = truePeakChunk(k, hist + CHUNK, CHUNK, this.bxEnds.length);
    for (let c = 0; c < this.channels; c++) {
      const x = channels[c];
      let peak = this.peak[c];
      chunk.buf.set(this.buf[c].subarray(0, hist));
      for (let done = 0; done < frames; ) {
        const n = Math.min(CHUNK, frames - done);
        const m = chunk.load(x, done, hist, n);
        if (!(peak > 0 && m * this.l1 * MARGIN <= peak)) {
          const groups = Math.ceil(n / GROUP);
          const before = chunk.evaluations();
          peak = chunk.scan(hist + n, groups + GROUP_SPAN, this.taps / 2 - 1, groups, n, peak, this.wasmTable());
          this.evaluations += chunk.evaluations() - before;
        }
        chunk.buf.copyWithin(0, n, n + hist);
        done += n;
      }
      this.buf[c].set(chunk.buf.subarray(0, hist));
      this.os.advance(c, x, frames, 0);
      this.peak[c] = peak;
    }
  }

  /** The kernel's table (see assembly/kernels.ts tpScan): the filter and the bounds' weights and kernels. */
  private wasmTable(): Float64Array {
    if (this.table === null) {
      const k = this.kernels;
      const parts = [
        [this.factor, this.taps, this.g2, this.ring1, this.ring2, this.ringRest, k[0].maxWeight, k[1].maxWeight],
        k[0].even, k[0].odd, k[0].weight, k[1].even, k[1].odd, k[1].weight, this.br,
      ];
      this.table = Float64Array.from(parts.flatMap((p) => Array.from(p)));
    }
    return this.table;
  }

  /**
   * Max |y| over the outputs of intervals 0..n−1 of buf (support buf[s .. s+T−1] for interval s), or
   * `peak` if larger. buf holds T−1 history samples followed by n new ones.
   */
  private scanChunk(buf: Float64Array, n: number, peak: number): number {
    // Tier 0, per chunk: every output is Σ h·x over one branch, so |y| ≤ maxBranchL1 · max|x| over the
    // chunk's supports (history included), and the samples themselves are ≤ max|x| too. A chunk that
    // cannot beat the running peak (quiet passages: ≥ 8 dB below it) needs no features at all.
    if (peak > 0) {
      const len = this.taps - 1 + n;
      let m0 = 0;
      let m1 = 0;
      let i = 0;
      for (; i + 1 < len; i += 2) {
        m0 = Math.max(m0, Math.abs(buf[i]));
        m1 = Math.max(m1, Math.abs(buf[i + 1]));
      }
      if (i < len) m0 = Math.max(m0, Math.abs(buf[i]));
      if (Math.max(m0, m1) * this.l1 * MARGIN <= peak) return peak;
    }
    const groups = Math.ceil(n / GROUP);
    this.computeFeatures(buf, this.taps - 1 + n, groups + GROUP_SPAN, groups);
    return this.scanGroups(buf, n, peak);
  }

  /**
   * scanChunk after its features (bd[0], bxEnds, last): seeds the peak with the chunk's samples and scans
   * the groups that bound 0 does not rule out.
   */
  private scanGroups(buf: Float64Array, n: number, peak: number): number {
    const c = this.taps / 2 - 1;
    const groups = Math.ceil(n / GROUP);
    const be = this.bxEnds;
    // Seed: the phase-0 outputs of these intervals are the samples x[s + c], s < n, themselves, exactly
    // (be[g] for the full groups; the last group's ends directly, as it may be partial).
    for (let g = 0; g < groups - 1; g++) if (be[g] > peak) peak = be[g];
    for (let s = (groups - 1) * GROUP; s < n; s++) {
      const a = Math.abs(buf[s + c]);
      if (a > peak) peak = a;
    }
    const bd2 = this.bd[0];
    const g2 = this.g2;
    const near = this.ring1 + this.ring2;
    const rest = this.ringRest;
    for (let g = 0; g < groups; g++) {
      // Group g: intervals 8g .. 8g+7; interval ends x[8g+15 .. 8g+23] (be[g] and one more);
      // Δ² centres 8g+1 .. 8g+37 (8-blocks g .. g+4), of which 8g+14 .. 8g+24 are the near rings.
      const mEnds = max2(be[g], Math.abs(buf[g * GROUP + c + GROUP]));
      const dNear = max2(max2(bd2[g + 1], bd2[g + 2]), bd2[g + 3]);
      const dAll = max2(max2(bd2[g], bd2[g + 4]), dNear);
      const ringBound = near * dNear + rest * dAll;
      const dBound = g2 * dAll < ringBound ? g2 * dAll : ringBound;
      if ((mEnds + dBound) * MARGIN <= peak) continue;
      const s0 = g * GROUP;
      this.groupFeatures(buf, g);
      peak = this.scanGroup(buf, s0, Math.min(n, s0 + GROUP), g, dAll, peak);
    }
    return peak;
  }

  /** Bound 1 per interval of one group; intervals that pass go to scanInterval with the group's split. */
  private scanGroup(buf: Float64Array, s0: number, s1: number, g: number, dAll: number, peak: number): number {
    const c = this.taps / 2 - 1;
    const s2 = this.s2;
    const r1 = this.ring1;
    const r2 = this.ring2;
    const rest = this.ringRest * dAll;
    let split = -1;
    let dSplit = 0;
    for (let s = s0; s < s1; s++) {
      const k = s + c;
      const a = max2(Math.abs(buf[k]), Math.abs(buf[k + 1]));
      const n1 = max2(Math.abs(s2[k]), Math.abs(s2[k + 1]));
      const n2 = max2(Math.abs(s2[k - 1]), Math.abs(s2[k + 2]));
      if ((a + r1 * n1 + r2 * n2 + rest) * MARGIN <= peak) continue;
      if (split < 0) {
        // Once per group: the difference order whose remainder bound is smallest here.
        let best = Infinity;
        for (let q = 0; q < ORDERS.length; q++) {
          const b = this.bd[q];
          const d = max2(max2(max2(b[g], b[g + 1]), max2(b[g + 2], b[g + 3])), b[g + 4]);
          if (this.kernels[q].maxWeight * d < best) {
            best = this.kernels[q].maxWeight * d;
            split = q;
            dSplit = d;
          }
        }
      }
      peak = this.scanInterval(buf, s, this.kernels[split], dSplit, peak);
    }
    return peak;
  }

  /**
   * Bound 2 for every phase of interval s (pairs p, L−p at once), then the full filter for the phases
   * that pass. dMax = max |Δ^m x| over the support, for the kernels' order m.
   */
  private scanInterval(buf: Float64Array, s: number, kern: PairKernels, dMax: number, peak: number): number {
    const t = this.taps;
    const l = this.factor;
    const half = l / 2;
    const lo = s + t / 2 - INNER / 2; // x[k−3]
    const u0 = buf[lo] + buf[lo + 7];
    const u1 = buf[lo + 1] + buf[lo + 6];
    const u2 = buf[lo + 2] + buf[lo + 5];
    const u3 = buf[lo + 3] + buf[lo + 4];
    const v0 = buf[lo] - buf[lo + 7];
    const v1 = buf[lo + 1] - buf[lo + 6];
    const v2 = buf[lo + 2] - buf[lo + 5];
    const v3 = buf[lo + 3] - buf[lo + 4];
    const ev = kern.even;
    const od = kern.odd;
    for (let p = 1; p <= half; p++) {
      const q = 4 * p;
      const e = ev[q] * u0 + ev[q + 1] * u1 + ev[q + 2] * u2 + ev[q + 3] * u3;
      const o = p === half ? 0 : od[q] * v0 + od[q + 1] * v1 + od[q + 2] * v2 + od[q + 3] * v3;
      const slack = kern.weight[p] * dMax;
      if ((Math.abs(e + o) + slack) * MARGIN > peak) peak = this.evaluate(buf, s, p, peak);
      if (p !== half && (Math.abs(e - o) + slack) * MARGIN > peak) peak = this.evaluate(buf, s, l - p, peak);
    }
    return peak;
  }

  /** Full branch p at interval s, summed exactly as Oversampler.upsampleAbsMax does; returns the new max. */
  private evaluate(buf: Float64Array, s: number, p: number, peak: number): number {
    this.evaluations++;
    const t = this.taps;
    const br = this.br;
    const b = p * t;
    let acc = 0;
    for (let j = 0; j < t; j++) acc += br[b + j] * buf[s + j];
    if (acc > peak) return acc;
    if (-acc > peak) return -acc;
    return peak;
  }

  /**
   * The per-sample pass over buf[0 .. len): maxima of |Δ²x| over 8-blocks (bd[0]), up to `blocks` blocks;
   * differences that would reach outside buf[0 .. len) count as 0. Also fills bxEnds[g] = max |x| over
   * [8g + T/2 − 1, 8g + T/2 + 6], g < groups. Nothing else runs per sample: Δ⁶ and the per-sample Δ²
   * are needed only where bound 0 fails (groupFeatures).
   */
  private computeFeatures(buf: Float64Array, len: number, blocks: number, groups: number): void {
    const bd2 = this.bd[0];
    const last = len - 1;
    this.last = last;
    // Blocks 1 .. inner−1 lie inside [1, last): no edge tests in their loop.
    const inner = Math.min(blocks, Math.max(1, Math.floor((last - GROUP) / GROUP) + 1));
    bd2[0] = blockAbsD2(buf, 0, last);
    for (let b = 1, i = GROUP; b < inner; b++) {
      let m0 = 0;
      let m1 = 0;
      // Two independent chains of Math.max (see max2 for why not `a > b ? a : b`).
      for (const e = i + GROUP; i < e; i += 2) {
        m0 = Math.max(m0, Math.abs(buf[i - 1] - 2 * buf[i] + buf[i + 1]));
        m1 = Math.max(m1, Math.abs(buf[i] - 2 * buf[i + 1] + buf[i + 2]));
      }
      bd2[b] = Math.max(m0, m1);
    }
    for (let b = inner; b < blocks; b++) bd2[b] = blockAbsD2(buf, b, last);
    blockAbsMax8(buf, this.taps / 2 - 1, this.bxEnds, groups);
  }

  /**
   * For group g (blocks g .. g+4 of the last computeFeatures pass): the centred Δ² at every index of the
   * blocks into s2, and the block maxima of |Δ⁶x| into bd[1]. Δ⁶ centred at i−2 is Δ²·(1, −4, 6, −4, 1)
   * over Δ² at i−4 .. i, stored at block ⌊i/8⌋ (so its blocks sit two samples early, [8b−2, 8b+5]:
   * still within the blocks of group g, whose Δ⁶ centres are 8g+3 .. 8g+35); 0 for i < 5 or i ≥ last.
   */
  private groupFeatures(buf: Float64Array, g: number): void {
    const s2 = this.s2;
    const bd6 = this.bd[1];
    const last = this.last;
    const from = g * GROUP;
    const to = from + GROUP_SPAN * GROUP;
    for (let i = Math.max(0, from - 4); i < to; i++) s2[i] = i >= 1 && i < last ? buf[i - 1] - 2 * buf[i] + buf[i + 1] : 0;
    for (let b = g; b < g + GROUP_SPAN; b++) {
      let m6 = 0;
      for (let i = b * GROUP; i < (b + 1) * GROUP; i++) {
        const d6 = i >= 5 && i < last ? s2[i - 4] - 4 * s2[i - 3] + 6 * s2[i - 2] - 4 * s2[i - 1] + s2[i] : 0;
        m6 = Math.max(m6, Math.abs(d6));
      }
      bd6[b] = m6;
    }
  }

  /**
   * Max absolute inter-sample peak per channel, linear (dBTP = gainToDb(peak)). Includes the tail of the
   * interpolation filter (the last samples followed by silence) without changing the meter's state.
   * @param withTail false for a meter that saw a middle piece of the stream: its last samples are
   *   followed by more, not by silence
   * @returns Float64Array, one value per channel (0 for silence)
   */
  peaks(withTail = true): Float64Array {
    const out = new Float64Array(this.channels);
    for (let c = 0; c < this.channels; c++) {
      out[c] = withTail ? Math.max(this.peak[c], this.os.tailAbsMax(c)) : this.peak[c];
    }
    return out;
  }
}

/**
 * max(a, b) for a, b ≥ 0 without a branch ((a + b + |a − b|)/2; Math.abs compiles to a sign mask, while
 * `a > b ? a : b` mispredicts on noise). Rounding can put it an ulp below the true maximum: see MARGIN.
 */
function max2(a: number, b: number): number {
  return 0.5 * (a + b + Math.abs(a - b));
}

/** max |Δ²x| over block b of buf (indices 8b .. 8b+7), Δ² taken as 0 outside [1, last). */
function blockAbsD2(buf: Float64Array, b: number, last: number): number {
  let m = 0;
  for (let i = b * GROUP; i < (b + 1) * GROUP; i++) {
    if (i >= 1 && i < last) m = Math.max(m, Math.abs(buf[i - 1] - 2 * buf[i] + buf[i + 1]));
  }
  return m;
}

/** dst[b] = max |src[from + 8b .. from + 8b + 7]| for b < blocks, as a branch-free tree. */
function blockAbsMax8(src: Float64Array, from: number, dst: Float64Array, blocks: number): void {
  for (let b = 0, i = from; b < blocks; b++, i += 8) {
    const a0 = Math.abs(src[i]);
    const a1 = Math.abs(src[i + 1]);
    const a2 = Math.abs(src[i + 2]);
    const a3 = Math.abs(src[i + 3]);
    const a4 = Math.abs(src[i + 4]);
    const a5 = Math.abs(src[i + 5]);
    const a6 = Math.abs(src[i + 6]);
    const a7 = Math.abs(src[i + 7]);
    // Each level doubles the scale (a + b + |a − b| = 2·max(a, b)); the final 1/8 is exact.
    const b0 = a0 + a1 + Math.abs(a0 - a1);
    const b1 = a2 + a3 + Math.abs(a2 - a3);
    const b2 = a4 + a5 + Math.abs(a4 - a5);
    const b3 = a6 + a7 + Math.abs(a6 - a7);
    const c0 = b0 + b1 + Math.abs(b0 - b1);
    const c1 = b2 + b3 + Math.abs(b2 - b3);
    dst[b] = 0.125 * (c0 + c1 + Math.abs(c0 - c1));
  }
}

/** The bounds' weights and kernels of one filter (read-only), per factor: the filter is fixed. */
const boundsByFactor = new Map<number, { rings: ReturnType<typeof linearRingWeights>; kernels: PairKernels[] }>();

/**
 * Memoized per factor like the filter itself (Oversampler): a meter built in a warm thread (a worker
 * that warmed up, a second file) skips the splits' linear solves.
 */
function meterBounds(br: Float64Array, l: number, t: number): { rings: ReturnType<typeof linearRingWeights>; kernels: PairKernels[] } {
  let b = boundsByFactor.get(l);
  if (b === undefined) {
    checkMirrorSymmetry(br, l, t);
    b = { rings: linearRingWeights(br, l, t), kernels: ORDERS.map((m) => pairKernels(br, l, t, m)) };
    boundsByFactor.set(l, b);
  }
  return b;
}

/**
 * Ring weights of the linear split (differenceSplit with the 2-tap window at x[k], x[k+1], order 2),
 * maximised over the phases: total = G, ring1 = weights of Δ² centred at k, k+1, ring2 = at k−1, k+2,
 * rest = all other centres.
 */
function linearRingWeights(br: Float64Array, l: number, t: number): { total: number; ring1: number; ring2: number; rest: number } {
  const c = t / 2 - 1;
  const out = { total: 0, ring1: 0, ring2: 0, rest: 0 };
  for (let p = 1; p < l; p++) {
    const lin = differenceSplit(br.subarray(p * t, (p + 1) * t), c, 2, 2);
    let r1 = 0;
    let r2 = 0;
    let rest = 0;
    for (let j = 0; j < lin.weights.length; j++) {
      const w = Math.abs(lin.weights[j]);
      const centre = j + 1; // weight j multiplies x[j] − 2x[j+1] + x[j+2]
      if (centre === c || centre === c + 1) r1 += w;
      else if (centre === c - 1 || centre === c + 2) r2 += w;
      else rest += w;
    }
    out.total = Math.max(out.total, lin.weightSum);
    out.ring1 = Math.max(out.ring1, r1);
    out.ring2 = Math.max(out.ring2, r2);
    out.rest = Math.max(out.rest, rest);
  }
  return out;
}

/** Bound-2 kernels of difference order m in mirror-pair form (see PairKernels). */
function pairKernels(br: Float64Array, l: number, t: number, m: number): PairKernels {
  const half = l / 2;
  const even = new Float64Array(4 * (half + 1));
  const odd = new Float64Array(4 * (half + 1));
  const weight = new Float64Array(half + 1);
  let maxWeight = 0;
  const start = t / 2 - INNER / 2;
  for (let p = 1; p <= half; p++) {
    const a = differenceSplit(br.subarray(p * t, (p + 1) * t), start, INNER, m);
    const b = differenceSplit(br.subarray((l - p) * t, (l - p + 1) * t), start, INNER, m);
    for (let i = 0; i < 4; i++) {
      even[4 * p + i] = 0.5 * (a.inner[i] + a.inner[INNER - 1 - i]);
      odd[4 * p + i] = 0.5 * (a.inner[i] - a.inner[INNER - 1 - i]);
    }
    weight[p] = Math.max(a.weightSum, b.weightSum);
    maxWeight = Math.max(maxWeight, weight[p]);
  }
  return { even, odd, weight, maxWeight };
}

/**
 * The pair form assumes branch L−p is branch p reversed. That holds for the symmetric Kaiser-sinc design
 * up to rounding (≈ 1e-16); MARGIN covers up to ~1e-11. Throws if a design ever breaks it.
 */
function checkMirrorSymmetry(br: Float64Array, l: number, t: number): void {
  for (let p = 1; p < l; p++) {
    let err = 0;
    for (let j = 0; j < t; j++) err += Math.abs(br[p * t + j] - br[(l - p) * t + (t - 1 - j)]);
    if (err > 1e-12) throw new Error('TruePeakMeter: polyphase branches are not mirror-symmetric');
  }
}
