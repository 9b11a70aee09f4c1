/**
 * The `compressor` insert: a feed-forward downward compressor in the log domain.
 *
 * Signal flow per sample (Giannoulis, Massberg & Reiss, JAES 2012, fig. 7 "log domain, smooth branching"):
 *   detector input (the input, or the external sidechain; optionally high-passed)
 *   → level in dB (peak: |x|; RMS: one-pole mean square, RMS_WINDOW_MS)
 *   → static gain computer (gain-computer.ts, soft knee) → gain reduction in dB per channel
 *   → stereo link → branching attack/release smoothing in dB (envelope-follower.ts)
 *   → applied, with makeup, to the audio delayed by the lookahead.
 *
 * Definitions (tested in test/core/dsp/compressor.test.ts):
 * - thresholdDb refers to the detector's level: with `peak` the sample peak (a sine of amplitude A
 *   reads 20·log10 A), with `rms` the RMS level (the same sine reads 3.01 dB lower).
 * - attackMs / releaseMs: the time a step in gain reduction needs to reach 1 − 1/e (63.2 %) of its
 *   change, measured in dB. attackMs = 0 is instantaneous.
 * - stereoLink in [0, 1] is a fraction (not a percentage): each channel's reduction is
 *   own + stereoLink·(largest of all channels − own). 1 = fully linked (a signal only in L also
 *   reduces R), 0 = independent channels.
 * - autoRelease: program-dependent dual-time-constant release (GainSmoother).
 * - lookaheadMs: the audio is delayed by latencyFrames = round(lookaheadMs·fs/1000) while the detector
 *   sees the undelayed signal. Because latencyFrames must stay fixed between prepare() calls, a
 *   lookaheadMs set after prepare() takes effect at the next prepare().
 * - sidechain.highpassHz (0 = off): a 2nd-order Butterworth high-pass (bilinear) in the detector path,
 *   applied to whichever signal feeds the detector.
 * - Continuous parameters (thresholdDb, ratio via 1 − 1/ratio, kneeDb, makeupDb, stereoLink) ramp
 *   linearly per sample over their table rampMs; time constants change at once (they only change the
 *   speed of an already smooth gain).
 */
import { designButterworth2, runBiquad, type BiquadCoefs } from './crossover.js';
import { DelayLine } from './delay-line.js';
import { AMP_FLOOR, GainSmoother, LevelDetector, MS_FLOOR, type DetectorMode } from './envelope-follower.js';
import { LinearRamp } from './gain.js';
import { LinkedGain, maxLevel, reductionTargets } from './compressor-linked.js';
import { fastExp, fastLog, ratioToSlope } from './gain-computer.js';
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';
import { linkedStereoPairWasm, linkedStereoWasm } from './compressor-wasm.js';

export interface CompressorParams {
  thresholdDb: number;
  ratio: number;
  kneeDb: number;
  attackMs: number;
  releaseMs: number;
  makeupDb: number;
  detector: DetectorMode;
  lookaheadMs: number;
  stereoLink: number;
  autoRelease: boolean;
  sidechain?: { highpassHz?: number };
}

export interface CompressorMeters {
  /** Largest gain reduction in dB (>= 0) since the last read, over all channels. */
  gainReductionDb: number;
}

export const COMPRESSOR_PARAMS = {
  thresholdDb: { kind: 'number', unit: 'dB', min: -80, max: 0, default: -20, rampMs: 20, description: 'Threshold in dB of the detector level (peak or RMS)' },
  ratio: { kind: 'number', unit: 'ratio', min: 1, max: 100, default: 4, rampMs: 20, description: 'Compression ratio above the threshold (dB in per dB out)' },
  kneeDb: { kind: 'number', unit: 'dB', min: 0, max: 24, default: 6, rampMs: 20, description: 'Width of the quadratic soft knee in dB (0 = hard)' },
  attackMs: { kind: 'number', unit: 'ms', min: 0, max: 500, default: 10, rampMs: 0, description: 'Time to 63 % of a gain-reduction increase (dB)' },
  releaseMs: { kind: 'number', unit: 'ms', min: 1, max: 5000, default: 100, rampMs: 0, description: 'Time to 63 % of a gain-reduction decrease (dB)' },
  makeupDb: { kind: 'number', unit: 'dB', min: -24, max: 48, default: 0, rampMs: 20, description: 'Makeup gain in dB' },
  detector: { kind: 'enum', values: ['peak', 'rms'], default: 'peak', description: 'Level detector: sample peak or RMS (10 ms)' },
  lookaheadMs: { kind: 'number', unit: 'ms', min: 0, max: 20, default: 0, rampMs: 0, description: 'Look-ahead (adds latency); applied at the next prepare()' },
  stereoLink: { kind: 'number', unit: 'linear', min: 0, max: 1, default: 1, rampMs: 20, description: 'Stereo link as a fraction: 0 independent, 1 fully linked' },
  autoRelease: { kind: 'bool', default: false, description: 'Program-dependent (dual time constant) release' },
} as const satisfies ParamTable;

/** Fields of the compressor's `sidechain` object. */
export const SIDECHAIN_PARAMS = {
  highpassHz: { kind: 'number', unit: 'Hz', min: 0, max: 2000, default: 0, rampMs: 0, description: 'High-pass of the detector path in Hz (0 = off)' },
} as const satisfies ParamTable;

/** Time constant in ms of the RMS detector's mean-square averager. */
export const RMS_WINDOW_MS = 10;

const NEPER_PER_DB = Math.LN10 / 20;
const DB_PER_NEPER = 20 / Math.LN10;

/**
 * Largest difference in dB between two channels' smoother states that the linked fast path treats as
 * equal (it then copies one state to the others): 1e-9 dB changes a gain by ~1e-10, far below the
 * float32 output's resolution.
 */
const STATE_TOL_DB = 1e-9;

/**
 * Checks the numeric, enum and bool fields of a patch against a parameter table.
 * @throws RangeError naming the parameter, for a programming error (the edge validates user input)
 */
export function checkParams(table: ParamTable, patch: object, where: string): void {
  for (const [key, value] of Object.entries(patch)) {
    const spec = table[key];
    if (!spec || value === undefined) continue;
    if (spec.kind === 'number') {
      if (typeof value !== 'number' || !(value >= spec.min && value <= spec.max)) {
        throw new RangeError(`${where}.${key}: must be a number in [${spec.min}, ${spec.max}] (got ${String(value)})`);
      }
    } else if (spec.kind === 'enum') {
      if (!spec.values.includes(value as string)) throw new RangeError(`${where}.${key}: must be one of ${spec.values.join(', ')}`);
    } else if (typeof value !== 'boolean') {
      throw new RangeError(`${where}.${key}: must be true or false`);
    }
  }
}

/** Downward compressor; see the file comment and COMPRESSOR_PARAMS. */
export class Compressor implements Processor<CompressorParams, CompressorMeters> {
  private p: CompressorParams;
  private sampleRate = 48000;
  private channels = 0;
  private maxBlock = 0;
  private readonly delay = new DelayLine();
  private readonly detector = new LevelDetector(RMS_WINDOW_MS);
  private readonly smoother = new GainSmoother();
  private readonly thrRamp: LinearRamp;
  private readonly slopeRamp: LinearRamp;
  private readonly kneeRamp: LinearRamp;
  private readonly makeupRamp: LinearRamp;
  private readonly linkRamp: LinearRamp;
  /** linkedBegin()'s verdict: whether any target may be nonzero. */
  private linkedActive = false;
  /** The fused linked kernel (settings copied in per block, state synced with detector and smoother). */
  private readonly linked = new LinkedGain();
  private hp: BiquadCoefs | null = null;
  private hpState = new Float64Array(0);
  // Per-block scratch (allocated in prepare for maxBlockFrames).
  private det = new Float64Array(0);
  private lvl: Float64Array[] = [];
  private gr: Float64Array[] = [];
  private gain = new Float64Array(0);
  private maxGr = new Float64Array(0);
  private thr = new Float64Array(0);
  private slope = new Float64Array(0);
  private knee = new Float64Array(0);
  private makeup = new Float64Array(0);
  private link = new Float64Array(0);
  private meterGr = 0;

  /** @param initial parameters to start from (e.g. lookaheadMs before the first prepare()) */
  constructor(initial: Partial<CompressorParams> = {}) {
    const d = COMPRESSOR_PARAMS;
    this.p = {
      thresholdDb: d.thresholdDb.default, ratio: d.ratio.default, kneeDb: d.kneeDb.default,
      attackMs: d.attackMs.default, releaseMs: d.releaseMs.default, makeupDb: d.makeupDb.default,
      detector: d.detector.default, lookaheadMs: d.lookaheadMs.default, stereoLink: d.stereoLink.default,
      autoRelease: d.autoRelease.default, sidechain: { highpassHz: 0 },
    };
    this.thrRamp = new LinearRamp(this.p.thresholdDb);
    this.slopeRamp = new LinearRamp(ratioToSlope(this.p.ratio));
    this.kneeRamp = new LinearRamp(this.p.kneeDb);
    this.makeupRamp = new LinearRamp(this.p.makeupDb);
    this.linkRamp = new LinearRamp(this.p.stereoLink);
    this.setParams(initial);
    this.snapRamps();
  }

  /** Look-ahead in frames, fixed at prepare(). */
  get latencyFrames(): number {
    return this.delay.delayFrames;
  }

  prepare(spec: ProcessSpec): void {
    this.sampleRate = spec.sampleRate;
    this.channels = spec.channels;
    this.maxBlock = Math.max(1, spec.maxBlockFrames);
    const n = this.maxBlock;
    this.delay.prepare(spec.channels, Math.round((this.p.lookaheadMs * spec.sampleRate) / 1000));
    this.detector.prepare(spec.channels, spec.sampleRate);
    this.smoother.prepare(spec.channels);
    this.hpState = new Float64Array(2 * spec.channels);
    this.gr = [];
    for (let c = 0; c < spec.channels; c++) this.gr.push(new Float64Array(n));
    // The general path's scratch waits for its first block (generalScratch()): most compressors only
    // ever take the linked path, and hundreds of unused block buffers cost start-up time and GC.
    this.det = new Float64Array(0);
    const rampFrames = (20 * spec.sampleRate) / 1000; // all continuous parameters use rampMs 20
    for (const r of [this.thrRamp, this.slopeRamp, this.kneeRamp, this.makeupRamp, this.linkRamp]) r.setRampFrames(rampFrames);
    this.updateDerived();
    this.reset();
  }

  reset(): void {
    this.delay.reset();
    this.detector.reset();
    this.smoother.reset();
    this.hpState.fill(0);
    this.snapRamps();
    this.meterGr = 0;
  }

  setParams(patch: Partial<CompressorParams>): void {
    checkParams(COMPRESSOR_PARAMS, patch, 'compressor');
    if (patch.sidechain) checkParams(SIDECHAIN_PARAMS, patch.sidechain, 'compressor.sidechain');
    const p = this.p;
    for (const [k, v] of Object.entries(patch)) if (v !== undefined && k !== 'sidechain') (p as unknown as Record<string, unknown>)[k] = v;
    if (patch.sidechain) p.sidechain = { highpassHz: patch.sidechain.highpassHz ?? 0 };
    this.thrRamp.setTarget(p.thresholdDb);
    this.slopeRamp.setTarget(ratioToSlope(p.ratio));
    this.kneeRamp.setTarget(p.kneeDb);
    this.makeupRamp.setTarget(p.makeupDb);
    this.linkRamp.setTarget(p.stereoLink);
    this.updateDerived();
  }

  /** The current parameters (lookaheadMs as set, which may differ from the prepared latency). */
  get params(): Readonly<CompressorParams> {
    return this.p;
  }

  readMeters(): Readonly<CompressorMeters> {
    const m = { gainReductionDb: this.meterGr };
    this.meterGr = 0;
    return m;
  }

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number, sidechain?: readonly Float32Array[]): void {
    for (let off = 0; off < frames; off += this.maxBlock) {
      this.processChunk(inputs, outputs, off, Math.min(this.maxBlock, frames - off), sidechain);
    }
  }

  /**
   * process() of two compressors, each in place on its own stereo buffers (a mix worker's paired tracks):
   * a block that takes the linked kernel in both runs as one pair kernel (linkedStereoPairWasm: the same
   * bits as apart, about half the serial smoothing time); anything else runs apart.
   */
  static processPair(a: Compressor, b: Compressor, wa: Float32Array[], wb: Float32Array[], frames: number): void {
    if (a.maxBlock !== b.maxBlock) {
      a.process(wa, wa, frames);
      b.process(wb, wb, frames);
      return;
    }
    for (let off = 0; off < frames; off += a.maxBlock) {
      const n = Math.min(a.maxBlock, frames - off);
      if (a.pairable(wa) && b.pairable(wb) && linkedStereoPairWasm(a.linkedLoad(2), b.linkedLoad(2), wa, wb, off, n)) {
        a.linkedEnd(2);
        b.linkedEnd(2);
      } else {
        a.processChunk(wa, wa, off, n);
        b.processChunk(wb, wb, off, n);
      }
    }
  }

  /** Whether a block in place on `w` would take processLinked()'s kernel: parameters steady, stereo, linked, no lookahead. */
  private pairable(w: readonly Float32Array[]): boolean {
    return !this.ramping && this.channels === 2 && w.length === 2 && this.delay.delayFrames === 0 && this.linkedReady(2);
  }

  /** Whether any continuous parameter is still gliding (the block then takes the general path). */
  private get ramping(): boolean {
    return this.thrRamp.isRamping || this.slopeRamp.isRamping || this.kneeRamp.isRamping || this.makeupRamp.isRamping || this.linkRamp.isRamping;
  }

  private snapRamps(): void {
    this.thrRamp.snap();
    this.slopeRamp.snap();
    this.kneeRamp.snap();
    this.makeupRamp.snap();
    this.linkRamp.snap();
  }

  private updateDerived(): void {
    const p = this.p;
    this.detector.mode = p.detector;
    this.smoother.setTimes(p.attackMs, p.releaseMs, this.sampleRate, 0, p.autoRelease);
    const hz = p.sidechain?.highpassHz ?? 0;
    this.hp = hz > 0 ? designButterworth2('highpass', hz, this.sampleRate) : null;
  }

  /*
   * State: ramps (dB, slope, fraction), detector mean square per channel, smoothed reduction per
   * channel (dB), high-pass state, delay lines. Scratch: lvl[c] = linear detector level (|x| or mean
   * square), gr[c] = reduction in dB, gain = linear gain of the linked path.
   *
   * Linked (parameters steady, stereoLink = 1, the channels' smoother states equal): the gain computer
   * is monotonic, so the largest reduction over channels is the reduction of the largest level; it runs
   * once per sample, and one smoothed gain multiplies every channel. Levels at or below the knee's lower
   * edge (a linear compare) give exactly 0 dB without a logarithm. With at most two channels, no
   * sidechain high-pass and no auto-release, the fused kernel of compressor-linked.ts does this (peak or
   * RMS, lookahead and external sidechain included: the common case); the general linked branch below
   * does the same arithmetic in more passes (same bits). Otherwise (a ramp in progress, partial link)
   * every channel is computed and linked per sample, as the file comment states.
   */
  private processChunk(inputs: readonly Float32Array[], outputs: Float32Array[], off: number, n: number, sc?: readonly Float32Array[]): void {
    const chans = Math.min(this.channels, inputs.length, outputs.length);
    if (chans === 0) return;
    const ramping = this.ramping;
    if (ramping) {
      this.generalScratch();
      this.thrRamp.fill(this.thr, n);
      this.slopeRamp.fill(this.slope, n);
      this.kneeRamp.fill(this.knee, n);
      this.makeupRamp.fill(this.makeup, n);
      this.linkRamp.fill(this.link, n);
    }

    const hasSc = sc !== undefined && sc.length > 0;
    const hp = this.hp;
    if (!ramping && this.linkedReady(chans)) {
      this.processLinked(inputs, outputs, off, n, chans, hasSc ? sc : undefined);
      return;
    }
    this.generalScratch();

    // 1. Linear detector level per channel.
    const det = this.det;
    for (let c = 0; c < chans; c++) {
      const src = hasSc ? sc[c % sc.length] : inputs[c];
      if (hp) {
        for (let i = 0; i < n; i++) {
          const x = src[off + i];
          det[i] = x - x === 0 ? x : 0;
        }
        runBiquad(hp, this.hpState, 2 * c, det, 0, det, n);
        this.detector.processLinear(c, det, 0, this.lvl[c], n);
      } else {
        this.detector.processLinear(c, src, off, this.lvl[c], n);
      }
    }

    let linked = !ramping && (chans === 1 || this.linkRamp.value === 1);
    for (let c = 1; linked && c < chans; c++) if (!this.smoother.isStateClose(0, c, STATE_TOL_DB)) linked = false;

    let meter = this.meterGr;
    if (linked) {
      const lv = this.lvl[0];
      for (let c = 1; c < chans; c++) {
        const o = this.lvl[c];
        for (let i = 0; i < n; i++) lv[i] = maxLevel(lv[i], o[i]);
      }
      const gr = this.gr[0];
      this.reduceSteady(lv, gr, n);
      this.smoother.process(0, gr, n);
      for (let c = 1; c < chans; c++) this.smoother.copyState(0, c);
      // Linear gain: makeup − reduction, in dB → 2^(log2(10)/20·dB).
      const gain = this.gain;
      const mk = this.makeupRamp.value;
      const mkLin = fastExp(NEPER_PER_DB * mk); // = the formula's value at g = 0, as in the per-channel branch
      for (let i = 0; i < n; i++) {
        const g = gr[i];
        if (g > meter) meter = g;
        gain[i] = g === 0 ? mkLin : fastExp(NEPER_PER_DB * (mk - g));
      }
      for (let c = 0; c < chans; c++) {
        const out = outputs[c];
        this.delay.process(c, inputs[c], off, out, off, n);
        for (let i = 0; i < n; i++) out[off + i] *= gain[i];
      }
      this.meterGr = meter;
      return;
    }

    for (let c = 0; c < chans; c++) {
      if (ramping) this.reduceRamping(this.lvl[c], this.gr[c], n);
      else this.reduceSteady(this.lvl[c], this.gr[c], n);
    }
    const maxGr = this.maxGr;
    maxGr.fill(0, 0, n);
    for (let c = 0; c < chans; c++) {
      const gr = this.gr[c];
      for (let i = 0; i < n; i++) if (gr[i] > maxGr[i]) maxGr[i] = gr[i];
    }
    const link = this.link, makeup = this.makeup;
    const link0 = this.linkRamp.value, mk0 = this.makeupRamp.value;
    for (let c = 0; c < chans; c++) {
      const gr = this.gr[c];
      // A link of exactly 1 takes the maximum itself (gr + 1·(max − gr) may miss it by an ulp), so a ramp
      // ending mid-block leaves the same state as the linked paths, whatever the block size.
      if (ramping) for (let i = 0; i < n; i++) gr[i] = link[i] === 1 ? maxGr[i] : gr[i] + link[i] * (maxGr[i] - gr[i]);
      else if (link0 === 1) gr.set(maxGr.subarray(0, n));
      else for (let i = 0; i < n; i++) gr[i] += link0 * (maxGr[i] - gr[i]);
      this.smoother.process(c, gr, n);
      const out = outputs[c];
      this.delay.process(c, inputs[c], off, out, off, n);
      for (let i = 0; i < n; i++) {
        const g = gr[i];
        if (g > meter) meter = g;
        out[off + i] *= fastExp(NEPER_PER_DB * ((ramping ? makeup[i] : mk0) - g));
      }
    }
    this.meterGr = meter;
  }

  /** Allocates the general path's per-block scratch (once per prepare()). */
  private generalScratch(): void {
    const n = this.maxBlock;
    if (this.det.length === n) return;
    this.det = new Float64Array(n);
    this.lvl = Array.from({ length: this.channels }, () => new Float64Array(n));
    this.gain = new Float64Array(n);
    this.maxGr = new Float64Array(n);
    this.thr = new Float64Array(n);
    this.slope = new Float64Array(n);
    this.knee = new Float64Array(n);
    this.makeup = new Float64Array(n);
    this.link = new Float64Array(n);
  }

  /** Whether a block of `chans` channels takes the linked fast path (parameters steady: checked by the caller). */
  private linkedReady(chans: number): boolean {
    return this.hp === null && chans <= 2 && this.smoother.isPlain &&
      (chans === 1 || (this.linkRamp.value === 1 && this.smoother.isStateClose(0, 1, STATE_TOL_DB)));
  }

  /**
   * The linked fast path (compressor-linked.ts): targets from the detector input, then smoothing, gain
   * and its application fused in one pass over the (delayed) audio. The same arithmetic as the general
   * path's linked branch, so the same bits. Mono passes channel 0 as both channels.
   */
  private processLinked(inputs: readonly Float32Array[], outputs: Float32Array[], off: number, n: number, chans: number, sc?: readonly Float32Array[]): void {
    // A stereo pair keyed by itself without lookahead: the WebAssembly kernel, when it runs here.
    if (chans === 2 && sc === undefined && this.delay.delayFrames === 0 &&
      linkedStereoWasm(this.linkedLoad(2), inputs[0], inputs[1], outputs[0], outputs[1], off, n)) {
      this.linkedEnd(2);
      return;
    }
    const k = this.linkedBegin(sc ?? inputs, off, n, chans);
    const target = this.gr[0];
    const active = this.linkedActive;
    const in0 = inputs[0], out0 = outputs[0];
    const in1 = chans > 1 ? inputs[1] : in0, out1 = chans > 1 ? outputs[1] : out0;
    if (this.delay.delayFrames > 0) {
      // Delay into the outputs, then scale them in place.
      for (let c = 0; c < chans; c++) this.delay.process(c, inputs[c], off, outputs[c], off, n);
      k.apply(target, active, out0, out1, off, out0, out1, off, n);
    } else {
      k.apply(target, active, in0, in1, off, out0, out1, off, n);
    }
    this.linkedEnd(chans);
  }

  /** Loads the fused kernel's settings and state and computes the block's targets into gr[0]. */
  private linkedBegin(src: readonly Float32Array[], off: number, n: number, chans: number): LinkedGain {
    const k = this.linkedLoad(chans);
    this.linkedActive = k.targets(src[0], chans > 1 ? src[1 % src.length] : src[0], off, this.gr[0], n);
    return k;
  }

  /** Loads the fused kernel's settings and state. */
  private linkedLoad(chans: number): LinkedGain {
    const k = this.linked;
    const det = this.detector, sm = this.smoother;
    k.thresholdDb = this.thrRamp.value;
    k.slope = this.slopeRamp.value;
    k.kneeDb = this.kneeRamp.value;
    k.makeupDb = this.makeupRamp.value;
    k.power = det.isPower;
    k.msGain = det.msGain;
    k.up = sm.upCoefficient;
    k.down = sm.downCoefficient;
    k.reductionDb = sm.fastState(0);
    k.ms0 = det.msState(0);
    k.ms1 = chans > 1 ? det.msState(1) : k.ms0;
    k.meterDb = this.meterGr;
    return k;
  }

  /** Stores the fused kernel's state back into the detector, the smoother and the meter. */
  private linkedEnd(chans: number): void {
    const k = this.linked;
    const det = this.detector, sm = this.smoother;
    sm.setFastState(0, k.reductionDb);
    det.setMsState(0, k.ms0);
    if (chans > 1) {
      sm.copyState(0, 1);
      det.setMsState(1, k.ms1);
    }
    this.meterGr = k.meterDb;
  }

  /**
   * Multiband's fused gain stage, first half: when this stereo block of `n` ≤ maxBlock frames, processed
   * in place without a sidechain, would take the linked fast path with no lookahead, computes its
   * targets and returns the kernel (targets in linkedTargets()); else null, and nothing changed: the
   * caller then runs process(). The caller applies the gain and calls linkedFinish(), or calls
   * linkedFinishAlone().
   */
  linkedStart(inputs: readonly Float32Array[], n: number): LinkedGain | null {
    if (this.ramping || this.channels !== 2 || inputs.length < 2 || n > this.maxBlock || this.delay.delayFrames > 0 || !this.linkedReady(2)) return null;
    return this.linkedBegin(inputs, 0, n, 2);
  }

  /** The targets linkedStart() computed. */
  linkedTargets(): Float64Array {
    return this.gr[0];
  }

  /** Ends a block begun with linkedStart(). */
  linkedFinish(): void {
    this.linkedEnd(2);
  }

  /** Ends a block begun with linkedStart() on its own: this kernel's gain applied to `band` in place. */
  linkedFinishAlone(band: readonly Float32Array[], n: number): void {
    const [l, r] = band;
    this.linked.apply(this.gr[0], this.linkedActive, l, r, 0, l, r, 0, n);
    this.linkedEnd(2);
  }

  /**
   * Gain reduction in dB (>= 0) for linear levels with steady parameters: levels at or below the knee's
   * lower edge (threshold − knee/2, as a linear amplitude or mean square) give 0 without a logarithm.
   */
  private reduceSteady(lv: Float64Array, gr: Float64Array, n: number): void {
    reductionTargets(lv, gr, n, this.thrRamp.value, this.slopeRamp.value, this.kneeRamp.value, this.detector.isPower);
  }

  /**
   * Gain reduction in dB (>= 0) for linear levels while parameters ramp (per-sample parameters): the
   * arithmetic of reduceSteady, so a ramp that ends mid-block gives the same values as the steady paths.
   */
  private reduceRamping(lv: Float64Array, gr: Float64Array, n: number): void {
    const power = this.detector.isPower;
    const dbPerNeper = power ? DB_PER_NEPER / 2 : DB_PER_NEPER;
    const floor = power ? MS_FLOOR : AMP_FLOOR;
    const thr = this.thr, slope = this.slope, knee = this.knee;
    for (let i = 0; i < n; i++) {
      const a = lv[i];
      if (a <= floor) {
        gr[i] = 0;
        continue;
      }
      const w = knee[i];
      const d = dbPerNeper * fastLog(a) - thr[i];
      if (2 * d <= -w) gr[i] = 0;
      else if (2 * d >= w) gr[i] = slope[i] * d;
      else {
        const t = d + w / 2;
        gr[i] = slope[i] * t * t * (1 / (2 * w));
      }
    }
  }
}
