/**
 * The `deesser` insert: split-band de-esser. Only the part of the signal above freqHz is turned down,
 * dynamically, by at most rangeDb.
 *
 * Split: a Linkwitz-Riley 24 dB/oct crossover at freqHz (crossover.ts): y = LP4(x) + g·HP4(x). The two
 * LR4 bands are in phase with |LP4| + |HP4| = 1 at every frequency, so with no reduction (g = 1) the
 * output is the crossover's allpass (flat magnitude, the phase of one 2nd-order allpass), and a
 * reduction turns down exactly the high band's share. (A subtractive split y = x − (1 − g)·HP2(x) would
 * be bit-transparent when idle, but HP2 is 90° out of phase with x at freqHz, so a 12 dB range only
 * removed ≈ 1 dB of a tone at 1.4·freqHz; measured and rejected.)
 * Detector: RMS of HP4(x) (DEESSER_RMS_MS window) of the loudest channel (channels linked); thresholdDb is
 * that RMS level. Gain computer: ratio DEESSER_RATIO with a DEESSER_KNEE_DB soft knee, limited to
 * rangeDb; smoothed in dB with DEESSER_ATTACK_MS / DEESSER_RELEASE_MS (63 % times).
 */
import { LinkwitzRileyCrossover } from './crossover.js';
import { checkParams } from './compressor.js';
import { GainSmoother, LevelDetector } from './envelope-follower.js';
import { LinearRamp } from './gain.js';
import { compressorGainDb, fastExp, ratioToSlope } from './gain-computer.js';
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';

export interface DeesserParams {
  freqHz: number;
  thresholdDb: number;
  rangeDb: number;
}

export interface DeesserMeters {
  /** Largest reduction of the high band in dB (>= 0) since the last read. */
  gainReductionDb: number;
}

export const DEESSER_PARAMS = {
  freqHz: { kind: 'number', unit: 'Hz', min: 1000, max: 16000, default: 6000, rampMs: 0, description: 'Split frequency in Hz: the band above it is detected and reduced' },
  thresholdDb: { kind: 'number', unit: 'dB', min: -80, max: 0, default: -30, rampMs: 20, description: 'Threshold in dB of the RMS level above freqHz' },
  rangeDb: { kind: 'number', unit: 'dB', min: 0, max: 24, default: 12, rampMs: 20, description: 'Largest reduction of the high band in dB' },
} as const satisfies ParamTable;

export const DEESSER_RATIO = 4;
export const DEESSER_KNEE_DB = 6;
export const DEESSER_RMS_MS = 5;
export const DEESSER_ATTACK_MS = 1;
export const DEESSER_RELEASE_MS = 60;

const NEPER_PER_DB = Math.LN10 / 20;

/** Split-band de-esser; see the file comment. Latency 0. */
export class Deesser implements Processor<DeesserParams, DeesserMeters> {
  readonly latencyFrames = 0;
  private readonly p: DeesserParams = {
    freqHz: DEESSER_PARAMS.freqHz.default, thresholdDb: DEESSER_PARAMS.thresholdDb.default, rangeDb: DEESSER_PARAMS.rangeDb.default,
  };
  private sampleRate = 48000;
  private channels = 0;
  private maxBlock = 0;
  private readonly xover = new LinkwitzRileyCrossover();
  /** Per channel: [low band, high band] of the current block. */
  private split: Float32Array[][] = [];
  private readonly detector = new LevelDetector(DEESSER_RMS_MS);
  private readonly smoother = new GainSmoother();
  private readonly thrRamp = new LinearRamp(DEESSER_PARAMS.thresholdDb.default);
  private readonly rangeRamp = new LinearRamp(DEESSER_PARAMS.rangeDb.default);
  private lev = new Float64Array(0);
  private gr = new Float64Array(0);
  private thr = new Float64Array(0);
  private range = new Float64Array(0);
  private meter = 0;

  constructor(initial: Partial<DeesserParams> = {}) {
    this.setParams(initial);
    this.reset();
  }

  prepare(spec: ProcessSpec): void {
    this.sampleRate = spec.sampleRate;
    this.channels = spec.channels;
    this.maxBlock = Math.max(1, spec.maxBlockFrames);
    const n = this.maxBlock;
    this.xover.prepare(spec.channels, spec.sampleRate, 2);
    this.detector.prepare(spec.channels, spec.sampleRate);
    this.detector.mode = 'rms';
    this.smoother.prepare(1);
    this.smoother.setTimes(DEESSER_ATTACK_MS, DEESSER_RELEASE_MS, spec.sampleRate);
    this.split = [];
    for (let c = 0; c < spec.channels; c++) this.split.push([new Float32Array(n), new Float32Array(n)]);
    this.lev = new Float64Array(n);
    this.gr = new Float64Array(n);
    this.thr = new Float64Array(n);
    this.range = new Float64Array(n);
    for (const r of [this.thrRamp, this.rangeRamp]) r.setRampFrames((20 * spec.sampleRate) / 1000);
    this.setParams({});
    this.reset();
  }

  reset(): void {
    this.xover.reset();
    this.detector.reset();
    this.smoother.reset();
    this.thrRamp.snap();
    this.rangeRamp.snap();
    this.meter = 0;
  }

  setParams(patch: Partial<DeesserParams>): void {
    checkParams(DEESSER_PARAMS, patch, 'deesser');
    const p = this.p;
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (p as unknown as Record<string, number>)[k] = v as number;
    // Coefficients change at once (freqHz does not ramp: rampMs 0 in the table).
    this.xover.setCrossovers([p.freqHz]);
    this.thrRamp.setTarget(p.thresholdDb);
    this.rangeRamp.setTarget(p.rangeDb);
  }

  readMeters(): Readonly<DeesserMeters> {
    const m = { gainReductionDb: this.meter };
    this.meter = 0;
    return m;
  }

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    for (let off = 0; off < frames; off += this.maxBlock) this.processChunk(inputs, outputs, off, Math.min(this.maxBlock, frames - off));
  }

  /* State: crossover (per channel), RMS mean square (per channel), smoothed reduction in dB (linked), ramps. */
  private processChunk(inputs: readonly Float32Array[], outputs: Float32Array[], off: number, n: number): void {
    const chans = Math.min(this.channels, inputs.length, outputs.length);
    const lev = this.lev, gr = this.gr, thr = this.thr, range = this.range;
    this.thrRamp.fill(thr, n);
    this.rangeRamp.fill(range, n);
    lev.fill(-Infinity, 0, n);
    for (let c = 0; c < chans; c++) {
      const bands = this.split[c];
      this.xover.process(c, inputs[c], off, bands, n);
      this.detector.process(c, bands[1], 0, gr, n);
      for (let i = 0; i < n; i++) if (gr[i] > lev[i]) lev[i] = gr[i];
    }
    const slope = ratioToSlope(DEESSER_RATIO);
    for (let i = 0; i < n; i++) {
      const r = -compressorGainDb(lev[i], thr[i], slope, DEESSER_KNEE_DB);
      gr[i] = r > range[i] ? range[i] : r;
    }
    this.smoother.process(0, gr, n);
    let meter = this.meter;
    for (let i = 0; i < n; i++) {
      if (gr[i] > meter) meter = gr[i];
      gr[i] = fastExp(-gr[i] * NEPER_PER_DB);
    }
    this.meter = meter;
    for (let c = 0; c < chans; c++) {
      const lo = this.split[c][0], hi = this.split[c][1], out = outputs[c];
      for (let i = 0; i < n; i++) out[off + i] = lo[i] + gr[i] * hi[i];
    }
  }
}
