/**
 * Builds the mastering processor chain from the automaster's (or reference matcher's) decisions:
 * tonal EQ → resonance control → multiband compression → imager → [soft clipper] → true-peak limiter.
 * The soft clipper is the "loudness maximiser": present only when the loudness search found the target
 * out of reach of the limiter alone (loudness-maximiser.ts decides it).
 * Dither and encoding happen at the writer (io), after the limiter.
 *
 * The chain is split in two so the loudness search can tap the signal before the limiter and change
 * only the limiter's drive between passes (the ceiling never moves).
 */
import { DC_BLOCK_BAND, Eq } from '../dsp/eq.js';
import { Gain } from '../dsp/gain.js';
import { Imager } from '../dsp/imager.js';
import { createInsert, insertDefinition, type InsertSpec } from '../dsp/insert-catalog.js';
import { Limiter } from '../dsp/limiter.js';
import { ProcessorChain } from '../dsp/processor-chain.js';
import { Saturator, type SaturatorParams } from '../dsp/saturator.js';
import type { ProcessSpec, Processor } from '../dsp/processor.js';
import type { MultibandDecision } from './auto-dynamics.js';
import type { EqBand } from './eq-fit.js';
import { ResonanceControl, type Resonance } from './resonance-control.js';

export interface LimiterSettings {
  ceilingDbtp: number;
  inputGainDb: number;
  releaseMs: number;
  lookaheadMs: number;
}

/** Every stage's settings; a stage that is off is empty / null. Plain data (goes into the JSON output). */
export interface MasteringStages {
  /** Remove a DC offset (DC_BLOCK_BAND) first, so no later stage spends headroom on it. */
  dcBlock?: boolean;
  /** Static gain before everything, dB (0 = none): only when a forced target needs more than the limiter's drive range. */
  preGainDb?: number;
  eq: EqBand[];
  resonances: Resonance[];
  multiband: NonNullable<MultibandDecision['insert']> | null;
  imager: { widthPercent: number; monoBelowHz: number } | null;
  /** Soft clip before the limiter (loudness maximiser mode); absent or null = off. */
  maximiser?: MaximiserSettings | null;
  limiter: LimiterSettings;
}

/** The loudness maximiser's soft clipper, as the chain applies it. */
export interface MaximiserSettings {
  /**
   * Clip level T relative to the limiter's ceiling, dB. The clipper (the saturator's 'knee' curve, with its
   * knee this far under T) is straight up to the ceiling and bends what lies above it toward T, so the
   * limiter after it never reduces gain by much more than this (the clipper, instantaneous and 8x
   * oversampled, takes the rest of each peak) and nothing under the ceiling is distorted.
   */
  clipAboveCeilingDb: number;
}

/**
 * The soft clipper as a `saturator` insert for a given limiter drive: knee(G·x)/G with G = drive − (ceiling +
 * clipAboveCeilingDb), i.e. unity gain up to the ceiling and a clip level T that sits clipAboveCeilingDb
 * over it once the limiter's drive is applied. G is bounded to the saturator's 0..36 dB (below 0 the
 * clip level would be above full scale before the drive: the clipper then clips a little later than asked).
 */
export function maximiserClipParams(m: MaximiserSettings, limiterDriveDb: number, ceilingDbtp: number): SaturatorParams {
  const g = Math.min(36, Math.max(0, limiterDriveDb - ceilingDbtp - m.clipAboveCeilingDb));
  return { driveDb: round2(g), mix: 1, outputGainDb: round2(-g), curve: 'knee', kneeDb: m.clipAboveCeilingDb };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

type AnyProcessor = Processor<Record<string, unknown>, object>;

/** The limiter's release and look-ahead for mastering: 5 ms look-ahead, programme-friendly 100 ms release. */
export const MASTER_LIMITER_DEFAULTS = { releaseMs: 100, lookaheadMs: 5 };

/**
 * The chain as insert specs (what `mixmaster process --chain` would take, for the JSON settings),
 * resonance control included as `{ type: 'resonance-control', resonances }`.
 */
export function masteringInserts(st: MasteringStages): InsertSpec[] {
  const out: InsertSpec[] = [];
  if (st.dcBlock) out.push({ type: 'eq', bands: [{ ...DC_BLOCK_BAND }] });
  if (st.preGainDb) out.push({ type: 'gain', gainDb: st.preGainDb });
  if (st.eq.length > 0) out.push({ type: 'eq', bands: st.eq });
  if (st.resonances.length > 0) out.push({ type: 'resonance-control', resonances: st.resonances });
  if (st.multiband) out.push({ ...st.multiband });
  if (st.imager) out.push({ type: 'imager', ...st.imager });
  if (st.maximiser) out.push({ type: 'saturator', ...maximiserClipParams(st.maximiser, st.limiter.inputGainDb, st.limiter.ceilingDbtp) });
  out.push({ type: 'limiter', ...st.limiter });
  return out;
}

/**
 * The mastering chain as processors: `pre` (everything before the limiter) and the limiter.
 * Latency = pre.latencyFrames + limiter.latencyFrames.
 */
export class MasteringChain {
  readonly pre: ProcessorChain;
  readonly limiter: Limiter;
  /** The maximiser's soft clipper (null when off). */
  readonly clipper: Saturator | null = null;
  private readonly maximiser: MaximiserSettings | null;
  private readonly ceilingDbtp: number;
  /** Stages that could not be built (e.g. an insert type the catalog lacks), with the reason. */
  readonly skipped: { stage: string; reason: string }[] = [];
  private readonly mid: Float32Array[];
  private readonly clipped: Float32Array[];

  /**
   * @param st the stage settings
   * @param spec sample rate, channels, largest block
   */
  constructor(st: MasteringStages, spec: ProcessSpec) {
    const stages: AnyProcessor[] = [];
    const add = (p: unknown, params: object) => {
      const proc = p as AnyProcessor;
      proc.prepare(spec);
      proc.setParams(params as Record<string, unknown>);
      proc.reset();
      stages.push(proc);
    };
    if (st.dcBlock) add(new Eq(), { bands: [DC_BLOCK_BAND] });
    if (st.preGainDb) add(new Gain(), { gainDb: st.preGainDb });
    if (st.eq.length > 0) add(new Eq(), { bands: st.eq });
    if (st.resonances.length > 0) add(new ResonanceControl(), { resonances: st.resonances });
    if (st.multiband) {
      if (insertDefinition('multiband')) stages.push(createInsert(st.multiband, spec));
      else this.skipped.push({ stage: 'multiband', reason: 'the multiband insert is not available in this build' });
    }
    if (st.imager && spec.channels >= 2) add(new Imager(), st.imager);
    this.pre = new ProcessorChain(stages);
    this.maximiser = st.maximiser ?? null;
    this.ceilingDbtp = st.limiter.ceilingDbtp;
    if (this.maximiser) {
      this.clipper = new Saturator();
      this.clipper.prepare(spec);
      this.clipper.setParams(maximiserClipParams(this.maximiser, st.limiter.inputGainDb, st.limiter.ceilingDbtp));
      this.clipper.reset();
    }
    this.limiter = new Limiter();
    this.limiter.prepare(spec);
    this.limiter.setParams({ ...st.limiter, oversampling: 4 });
    this.limiter.reset();
    this.mid = Array.from({ length: spec.channels }, () => new Float32Array(spec.maxBlockFrames));
    this.clipped = this.clipper ? Array.from({ length: spec.channels }, () => new Float32Array(spec.maxBlockFrames)) : this.mid;
  }

  get latencyFrames(): number {
    return this.pre.latencyFrames + (this.clipper?.latencyFrames ?? 0) + this.limiter.latencyFrames;
  }

  /** Sets the limiter drive and returns every stage to time zero (for the next search pass). */
  restart(inputGainDb: number): void {
    this.limiter.setParams({ inputGainDb });
    if (this.clipper && this.maximiser) this.clipper.setParams(maximiserClipParams(this.maximiser, inputGainDb, this.ceilingDbtp));
    this.pre.reset();
    this.clipper?.reset();
    this.limiter.reset();
  }

  /**
   * Processes one block.
   * @param preTap called with the pre-limiter signal (e.g. a loudness meter), optional
   */
  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number, preTap?: (block: readonly Float32Array[], frames: number) => void): void {
    this.pre.process(inputs, this.mid, frames);
    preTap?.(this.mid, frames);
    if (this.clipper) this.clipper.process(this.mid, this.clipped, frames);
    this.limiter.process(this.clipped, outputs, frames);
  }
}
