/**
 * The `gate` and `expander` inserts: a downward expander whose attenuation is limited to rangeDb; a
 * gate is the same processor with a high ratio (GATE_PARAMS defaults).
 *
 * Signal flow: detector input (input or external key sidechain) → peak envelope per channel
 * (instant rise, exponential fall with DETECTOR_DECAY_MS, so the level does not drop to zero at every
 * zero crossing) → the largest level over channels (the channels are always linked: a stereo gate
 * must not move the image) → expander curve (gain-computer.ts expanderGainDb) → attenuation smoothed
 * in dB: it shrinks (the gate opens) with attackMs, it grows (the gate closes) with releaseMs after
 * the hold time holdMs (envelope-follower.ts GainSmoother; the times are 63 % times in dB).
 * thresholdDb refers to the peak level. rangeDb is a positive amount: the most attenuation in dB.
 * thresholdDb, ratio and rangeDb ramp per sample (no zipper noise); the times change at once.
 */
import { GainSmoother } from './envelope-follower.js';
import { checkParams } from './compressor.js';
import { LinearRamp } from './gain.js';
import { expanderGainDb, fastExp, fastLog } from './gain-computer.js';
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';

export interface GateParams {
  thresholdDb: number;
  rangeDb: number;
  ratio: number;
  attackMs: number;
  holdMs: number;
  releaseMs: number;
}

export interface GateMeters {
  /** Largest attenuation in dB (>= 0) since the last read. */
  gainReductionDb: number;
}

const table = (thresholdDb: number, rangeDb: number, ratio: number, attackMs: number, holdMs: number, releaseMs: number) => ({
  thresholdDb: { kind: 'number', unit: 'dB', min: -100, max: 0, default: thresholdDb, rampMs: 20, description: 'Threshold in dB of the peak level; attenuation below it' },
  rangeDb: { kind: 'number', unit: 'dB', min: 0, max: 120, default: rangeDb, rampMs: 20, description: 'Largest attenuation in dB (positive amount)' },
  ratio: { kind: 'number', unit: 'ratio', min: 1, max: 100, default: ratio, rampMs: 20, description: 'Expansion ratio below the threshold (dB out per dB in)' },
  attackMs: { kind: 'number', unit: 'ms', min: 0, max: 500, default: attackMs, rampMs: 0, description: 'Opening time (63 % in dB)' },
  holdMs: { kind: 'number', unit: 'ms', min: 0, max: 5000, default: holdMs, rampMs: 0, description: 'Time the gain is held before closing' },
  releaseMs: { kind: 'number', unit: 'ms', min: 1, max: 5000, default: releaseMs, rampMs: 0, description: 'Closing time (63 % in dB)' },
}) as const satisfies ParamTable;

export const GATE_PARAMS = table(-50, 80, 50, 0.5, 20, 100);
export const EXPANDER_PARAMS = table(-40, 40, 2, 2, 0, 100);

/** Fall time constant in ms of the gate's peak envelope (rise is instant). */
export const DETECTOR_DECAY_MS = 50;

const DB_PER_NEPER = 20 / Math.LN10;
const NEPER_PER_DB = Math.LN10 / 20;

/** Downward expander / gate; see the file comment. Latency 0. */
export class Gate implements Processor<GateParams, GateMeters> {
  readonly latencyFrames = 0;
  private readonly p: GateParams;
  private sampleRate = 48000;
  private channels = 0;
  private maxBlock = 0;
  private readonly smoother = new GainSmoother();
  private readonly thrRamp: LinearRamp;
  private readonly expRamp: LinearRamp;
  private readonly rangeRamp: LinearRamp;
  private env = new Float64Array(0);
  private decay = 0;
  private lev = new Float64Array(0);
  private att = new Float64Array(0);
  private thr = new Float64Array(0);
  private expn = new Float64Array(0);
  private range = new Float64Array(0);
  private meter = 0;

  /**
   * @param params the table whose defaults to start from (GATE_PARAMS or EXPANDER_PARAMS)
   * @param initial parameters to start from
   */
  constructor(private readonly params: typeof GATE_PARAMS = GATE_PARAMS, initial: Partial<GateParams> = {}) {
    this.p = {
      thresholdDb: params.thresholdDb.default, rangeDb: params.rangeDb.default, ratio: params.ratio.default,
      attackMs: params.attackMs.default, holdMs: params.holdMs.default, releaseMs: params.releaseMs.default,
    };
    this.thrRamp = new LinearRamp(this.p.thresholdDb);
    this.expRamp = new LinearRamp(this.p.ratio - 1);
    this.rangeRamp = new LinearRamp(this.p.rangeDb);
    this.setParams(initial);
    this.reset();
  }

  prepare(spec: ProcessSpec): void {
    this.sampleRate = spec.sampleRate;
    this.channels = spec.channels;
    this.maxBlock = Math.max(1, spec.maxBlockFrames);
    const n = this.maxBlock;
    this.smoother.prepare(1);
    this.env = new Float64Array(spec.channels);
    this.lev = new Float64Array(n);
    this.att = new Float64Array(n);
    this.thr = new Float64Array(n);
    this.expn = new Float64Array(n);
    this.range = new Float64Array(n);
    this.decay = Math.exp(-1000 / (DETECTOR_DECAY_MS * spec.sampleRate));
    for (const r of [this.thrRamp, this.expRamp, this.rangeRamp]) r.setRampFrames((20 * spec.sampleRate) / 1000);
    this.setParams({});
    this.reset();
  }

  reset(): void {
    this.smoother.reset();
    this.env.fill(0);
    this.thrRamp.snap();
    this.expRamp.snap();
    this.rangeRamp.snap();
    this.meter = 0;
  }

  setParams(patch: Partial<GateParams>): void {
    checkParams(this.params, patch, 'gate');
    const p = this.p;
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (p as unknown as Record<string, number>)[k] = v as number;
    this.thrRamp.setTarget(p.thresholdDb);
    this.expRamp.setTarget(p.ratio - 1);
    this.rangeRamp.setTarget(p.rangeDb);
    // The attenuation grows (closing) with the release and shrinks (opening) with the attack.
    this.smoother.setTimes(p.releaseMs, p.attackMs, this.sampleRate, p.holdMs);
  }

  readMeters(): Readonly<GateMeters> {
    const m = { gainReductionDb: this.meter };
    this.meter = 0;
    return m;
  }

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number, sidechain?: readonly Float32Array[]): void {
    for (let off = 0; off < frames; off += this.maxBlock) {
      this.processChunk(inputs, outputs, off, Math.min(this.maxBlock, frames - off), sidechain);
    }
  }

  /*
   * State: peak envelope per channel (linear), smoothed attenuation (dB, one for all channels), ramps.
   */
  private processChunk(inputs: readonly Float32Array[], outputs: Float32Array[], off: number, n: number, sc?: readonly Float32Array[]): void {
    const chans = Math.min(this.channels, inputs.length, outputs.length);
    const lev = this.lev, att = this.att, thr = this.thr, expn = this.expn, range = this.range;
    this.thrRamp.fill(thr, n);
    this.expRamp.fill(expn, n);
    this.rangeRamp.fill(range, n);
    lev.fill(0, 0, n);
    const decay = this.decay;
    const hasSc = sc !== undefined && sc.length > 0;
    for (let c = 0; c < chans; c++) {
      const src = hasSc ? sc[c % sc.length] : inputs[c];
      let e = this.env[c];
      for (let i = 0; i < n; i++) {
        let a = Math.abs(src[off + i]);
        if (!(a < Infinity)) a = 0;
        e = a > e ? a : e * decay;
        if (e < 1e-15) e = 0;
        if (e > lev[i]) lev[i] = e;
      }
      this.env[c] = e;
    }
    for (let i = 0; i < n; i++) {
      const l = lev[i] > 1e-12 ? DB_PER_NEPER * fastLog(lev[i]) : -240;
      att[i] = -expanderGainDb(l, thr[i], expn[i], range[i]);
    }
    this.smoother.process(0, att, n);
    let meter = this.meter;
    for (let i = 0; i < n; i++) {
      if (att[i] > meter) meter = att[i];
      att[i] = fastExp(-att[i] * NEPER_PER_DB);
    }
    this.meter = meter;
    for (let c = 0; c < chans; c++) {
      const inp = inputs[c], out = outputs[c];
      for (let i = 0; i < n; i++) {
        const x = inp[off + i];
        out[off + i] = x - x === 0 ? x * att[i] : 0;
      }
    }
  }
}

/** The `expander` insert: the Gate with EXPANDER_PARAMS defaults (ratio 2, range 40 dB). */
export class Expander extends Gate {
  constructor(initial: Partial<GateParams> = {}) {
    super(EXPANDER_PARAMS, initial);
  }
}
