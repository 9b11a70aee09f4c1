/**
 * The compressor's linked fast path (compressor.ts): the gain of a block for one or two channels
 * sharing one gain (stereoLink 1, or mono), with steady parameters and a plain smoother (no
 * auto-release). Per frame: detector level (peak: the larger |x|; RMS: the larger of the two channels'
 * mean squares) → static gain computer → attack/release smoother in dB → linear gain → both channels.
 *
 * It does the arithmetic of the compressor's general path (LevelDetector.processLinear, maxLevel,
 * reductionTargets, GainSmoother.process, the gain conversion) in the same order, so both give the same
 * bits: the fast path is an optimisation, never a different compressor. The gain computer is monotonic,
 * so the largest reduction over the channels is the reduction of the largest level: one log per frame.
 * Where the speed comes from: table-driven log and exp (gain-computer.ts) instead of Math.log; no
 * data-dependent branches where noisy levels would mispredict (maxLevel, the smoother's step picked by
 * a load); the smoother's serial recursion kept apart from the log; fewer passes over block buffers.
 */
import { AMP_FLOOR, MS_FLOOR } from './envelope-follower.js';
import { EXP_FRAC, EXP_POW2, fastExp, fastLog, LN2_BY_N, N_BY_LN2 } from './gain-computer.js';

export const NEPER_PER_DB = Math.LN10 / 20;
export const DB_PER_NEPER = 20 / Math.LN10;
/** Smoother flush level in dB (GainSmoother.process's). */
export const FLUSH_DB = 1e-9;

/**
 * The larger of two non-negative levels without a branch (a compare of noisy levels mispredicts about
 * every other sample): (a + b + |a − b|)/2. Exact for float32 magnitudes (their sum and difference fit a
 * double's mantissa unless they are more than 2^29 apart, and then it is within an ulp of the larger).
 * The compressor's general linked path takes its maximum with the same expression.
 */
export function maxLevel(a: number, b: number): number {
  return 0.5 * (a + b + Math.abs(a - b));
}

/**
 * The knee's lower edge (threshold − knee/2) as a linear detector level (an amplitude, or a mean square
 * when `power`), at least the detector floor: levels at or below it give no reduction.
 */
export function kneeEdgeLevel(thresholdDb: number, kneeDb: number, power: boolean): number {
  const floor = power ? MS_FLOOR : AMP_FLOOR;
  // The edge is at least −92 dB (threshold >= −80, knee <= 24), above the detector floor.
  const edge = Math.pow(10, ((power ? 2 : 1) * (thresholdDb - kneeDb / 2)) / 20);
  return edge > floor ? edge : floor;
}

/**
 * The static gain computer over a block: gain reduction in dB (>= 0, compressorGainDb negated) for
 * linear detector levels (|x|, or mean squares when `power`), with steady parameters. Levels at or below
 * the knee's lower edge (a linear compare) give 0 without a logarithm. Shared by the fast path and the
 * compressor's general path, so both compute the same bits. `out` may be `levels`.
 * @returns whether any level was above the knee's lower edge (false: every reduction is 0)
 */
export function reductionTargets(levels: Float64Array, out: Float64Array, n: number, thresholdDb: number, slope: number, kneeDb: number, power: boolean): boolean {
  const thr = thresholdDb, s = slope, w = kneeDb;
  const dbPerNeper = power ? DB_PER_NEPER / 2 : DB_PER_NEPER;
  const skip = kneeEdgeLevel(thr, w, power);
  const halfW = w / 2, inv2w = w > 0 ? 1 / (2 * w) : 0;
  let active = false;
  for (let i = 0; i < n; i++) {
    const a = levels[i];
    let c = 0;
    if (a > skip) {
      active = true;
      // compressorGainDb's branches (gain-computer.ts), negated.
      const d = dbPerNeper * fastLog(a) - thr;
      if (2 * d <= -w) c = 0;
      else if (2 * d >= w) c = s * d;
      else {
        const t = d + halfW;
        c = s * t * t * inv2w;
      }
    }
    out[i] = c;
  }
  return active;
}

/** Settings of one block (set by the compressor from its steady parameters) and the state it carries. */
export class LinkedGain {
  /** Threshold in dB of the detector level. */
  thresholdDb = 0;
  /** 1 − 1/ratio. */
  slope = 0;
  /** Knee width in dB. */
  kneeDb = 0;
  /** Makeup gain in dB. */
  makeupDb = 0;
  /** RMS detector (levels are mean squares) rather than peak. */
  power = false;
  /** 1 − α of the RMS averager (LevelDetector's). */
  msGain = 0;
  /** Smoother coefficients α while the reduction grows / shrinks (GainSmoother's). */
  up = 0;
  down = 0;
  /** State: smoothed reduction in dB (>= 0). */
  reductionDb = 0;
  /** State: the RMS averagers' mean squares of channels 0 and 1. */
  ms0 = 0;
  ms1 = 0;
  /** Largest smoothed reduction in dB seen (the compressor's meter; the caller resets it). */
  meterDb = 0;
  /** Smoother step [1 − down, 1 − up], indexed by (target > state): a load instead of a branch. */
  private readonly step = new Float64Array(2);

  /*
   * Passes over a block, each with independent work per frame where it can: the linked level, then the
   * targets (log and gain computer, no state at all) run ahead without waiting for the smoother, whose
   * recursion is the only serial chain; fused into one loop, the log's latency sat on that chain.
   */

  /**
   * Pass 1: the gain computer's target reduction in dB (>= 0) per frame into target[0..n), for the
   * detector input d0/d1 (the same array twice for mono) read from `off`.
   * @returns whether any target may be nonzero (false: all are 0, the level stayed below the knee)
   */
  targets(d0: Float32Array, d1: Float32Array, off: number, target: Float64Array, n: number): boolean {
    if (this.power) this.meanSquares(d0, d1, off, target, n);
    else this.peaks(d0, d1, off, target, n);
    return reductionTargets(target, target, n, this.thresholdDb, this.slope, this.kneeDb, this.power);
  }

  /** The larger |x| of the two channels per frame (LevelDetector's peak mode, then the link's maximum). */
  private peaks(d0: Float32Array, d1: Float32Array, off: number, level: Float64Array, n: number): void {
    for (let i = 0; i < n; i++) {
      let a0 = Math.abs(d0[off + i]);
      let a1 = Math.abs(d1[off + i]);
      if (!(a0 < Infinity)) a0 = 0; // NaN or Inf: silence
      if (!(a1 < Infinity)) a1 = 0;
      level[i] = maxLevel(a0, a1);
    }
  }

  /** The larger mean square of the two channels per frame (LevelDetector's rms mode, then the link's maximum). */
  private meanSquares(d0: Float32Array, d1: Float32Array, off: number, level: Float64Array, n: number): void {
    const k = this.msGain;
    let ms0 = this.ms0, ms1 = this.ms1;
    for (let i = 0; i < n; i++) {
      let x0 = d0[off + i];
      let x1 = d1[off + i];
      if (!(x0 - x0 === 0)) x0 = 0; // NaN or Inf: silence
      if (!(x1 - x1 === 0)) x1 = 0;
      ms0 += k * (x0 * x0 - ms0);
      if (ms0 < MS_FLOOR) ms0 = 0;
      ms1 += k * (x1 * x1 - ms1);
      if (ms1 < MS_FLOOR) ms1 = 0;
      level[i] = maxLevel(ms0, ms1);
    }
    this.ms0 = ms0;
    this.ms1 = ms1;
  }

  /**
   * Pass 2: smooths the targets and multiplies both channels by the gain (makeup − smoothed reduction):
   * out[outOff + i] = x·gain for x = inp[inOff + i], non-finite x read as 0 (DelayLine's rule). Mono
   * passes its channel twice; in place is allowed (both samples of a frame are read before either is
   * written).
   * @param active targets()'s result: when false and nothing is smoothed, the gain is the makeup's throughout
   */
  apply(target: Float64Array, active: boolean, in0: Float32Array, in1: Float32Array, inOff: number, out0: Float32Array, out1: Float32Array, outOff: number, n: number): void {
    const mk = this.makeupDb;
    const mkLin = fastExp(NEPER_PER_DB * mk); // = the formula's value at reduction 0 (the general path's)
    if (!active && this.reductionDb === 0) {
      // All targets 0 and the state 0: the recursion stays at exactly 0 (0 + (0 − 0)·step), as per frame.
      for (let i = 0; i < n; i++) {
        const x0 = in0[inOff + i];
        const x1 = in1[inOff + i];
        out0[outOff + i] = (x0 - x0 === 0 ? x0 : 0) * mkLin;
        out1[outOff + i] = (x1 - x1 === 0 ? x1 : 0) * mkLin;
      }
      return;
    }
    const step = this.step;
    step[0] = 1 - this.down;
    step[1] = 1 - this.up;
    let y = this.reductionDb, meter = this.meterDb;
    for (let i = 0; i < n; i++) {
      const c = target[i];
      y += (c - y) * step[+(c > y)]; // GainSmoother.process's step, without its branch
      if (y < FLUSH_DB) y = 0;
      if (y > meter) meter = y;
      // g = fastExp(NEPER_PER_DB * (mk − y)), its body written out (see gain-computer.ts: a call V8
      // leaves out of line boxes every result; measured 1.5-7x slower multiband when that happened).
      // At y = 0 it is mkLin exactly (mk − 0 = mk), so no branch for the uncompressed frames.
      const e = NEPER_PER_DB * (mk - y);
      let g: number;
      if (e > -700 && e < 700) {
        const en = Math.floor(e * N_BY_LN2 + 0.5);
        const r = e - en * LN2_BY_N;
        g = EXP_POW2[(en >> 6) + 1022] * EXP_FRAC[en & 63] * (1 + r * (1 + r * (1 / 2 + r * (1 / 6))));
      } else {
        g = Math.exp(e);
      }
      const x0 = in0[inOff + i];
      const x1 = in1[inOff + i];
      out0[outOff + i] = (x0 - x0 === 0 ? x0 : 0) * g;
      out1[outOff + i] = (x1 - x1 === 0 ? x1 : 0) * g;
    }
    this.reductionDb = y;
    this.meterDb = meter;
  }
}

/**
 * LinkedGain.apply() of three kernels at once, each scaling its own stereo band in place (Multiband's
 * three bands, linked fast path, no lookahead): per band the same arithmetic as apply(), so the same
 * bits, but the three smoothers' serial recursions run side by side in one loop instead of one after
 * another (measured ≈ 1.5x faster than three apply() calls).
 * @param targets each kernel's targets (LinkedGain.targets())
 * @param bands each kernel's band, [left, right], at least n frames
 */
export function applyLinked3(k: readonly LinkedGain[], targets: readonly Float64Array[], bands: readonly (readonly Float32Array[])[], n: number): void {
  const ka = k[0], kb = k[1], kc = k[2];
  const ta = targets[0], tb = targets[1], tc = targets[2];
  const a0 = bands[0][0], a1 = bands[0][1], b0 = bands[1][0], b1 = bands[1][1], c0 = bands[2][0], c1 = bands[2][1];
  const mka = ka.makeupDb, mkb = kb.makeupDb, mkc = kc.makeupDb;
  // apply()'s step tables, [1 − down, 1 − up] per band.
  const st = STEPS3;
  st[0] = 1 - ka.down; st[1] = 1 - ka.up;
  st[2] = 1 - kb.down; st[3] = 1 - kb.up;
  st[4] = 1 - kc.down; st[5] = 1 - kc.up;
  let ya = ka.reductionDb, yb = kb.reductionDb, yc = kc.reductionDb;
  let ma = ka.meterDb, mb = kb.meterDb, mc = kc.meterDb;
  for (let i = 0; i < n; i++) {
    const ca = ta[i], cb = tb[i], cc = tc[i];
    ya += (ca - ya) * st[+(ca > ya)];
    yb += (cb - yb) * st[2 + +(cb > yb)];
    yc += (cc - yc) * st[4 + +(cc > yc)];
    if (ya < FLUSH_DB) ya = 0;
    if (yb < FLUSH_DB) yb = 0;
    if (yc < FLUSH_DB) yc = 0;
    if (ya > ma) ma = ya;
    if (yb > mb) mb = yb;
    if (yc > mc) mc = yc;
    // fastExp(NEPER_PER_DB · (makeup − y)) per band, written out (see apply()); |e| < 700 always here
    // in practice, the branch only keeps fastExp's exact behaviour.
    const ea = NEPER_PER_DB * (mka - ya), eb = NEPER_PER_DB * (mkb - yb), ec = NEPER_PER_DB * (mkc - yc);
    let ga: number, gb: number, gc: number;
    if (ea > -700 && ea < 700 && eb > -700 && eb < 700 && ec > -700 && ec < 700) {
      const na = Math.floor(ea * N_BY_LN2 + 0.5), nb = Math.floor(eb * N_BY_LN2 + 0.5), nc = Math.floor(ec * N_BY_LN2 + 0.5);
      const ra = ea - na * LN2_BY_N, rb = eb - nb * LN2_BY_N, rc = ec - nc * LN2_BY_N;
      ga = EXP_POW2[(na >> 6) + 1022] * EXP_FRAC[na & 63] * (1 + ra * (1 + ra * (1 / 2 + ra * (1 / 6))));
      gb = EXP_POW2[(nb >> 6) + 1022] * EXP_FRAC[nb & 63] * (1 + rb * (1 + rb * (1 / 2 + rb * (1 / 6))));
      gc = EXP_POW2[(nc >> 6) + 1022] * EXP_FRAC[nc & 63] * (1 + rc * (1 + rc * (1 / 2 + rc * (1 / 6))));
    } else {
      ga = fastExp(ea);
      gb = fastExp(eb);
      gc = fastExp(ec);
    }
    let x = a0[i];
    a0[i] = (x - x === 0 ? x : 0) * ga;
    x = a1[i];
    a1[i] = (x - x === 0 ? x : 0) * ga;
    x = b0[i];
    b0[i] = (x - x === 0 ? x : 0) * gb;
    x = b1[i];
    b1[i] = (x - x === 0 ? x : 0) * gb;
    x = c0[i];
    c0[i] = (x - x === 0 ? x : 0) * gc;
    x = c1[i];
    c1[i] = (x - x === 0 ? x : 0) * gc;
  }
  ka.reductionDb = ya; kb.reductionDb = yb; kc.reductionDb = yc;
  ka.meterDb = ma; kb.meterDb = mb; kc.meterDb = mc;
}

/** applyLinked3's step tables (one module-wide scratch: JS is single-threaded per realm). */
const STEPS3 = new Float64Array(6);
