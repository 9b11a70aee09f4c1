/**
 * Builds the mastering processor chain from the automaster's (or reference matcher's) decisions:
 * tonal EQ → resonance control → multiband compression → imager → true-peak limiter.
 * Dither and encoding happen at the writer (io), after the limiter.
 *
 * The chain is split in two so the loudness search can tap the signal before the limiter and change
 * only the limiter's drive between passes (the ceiling never moves).
 */
import { Eq } from '../dsp/eq.js';
import { Gain } from '../dsp/gain.js';
import { Imager } from '../dsp/imager.js';
import { createInsert, insertDefinition, type InsertSpec } from '../dsp/insert-catalog.js';
import { Limiter } from '../dsp/limiter.js';
import { ProcessorChain } from '../dsp/processor-chain.js';
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
  /** Static gain before everything, dB (0 = none): only when a forced target needs more than the limiter's drive range. */
  preGainDb?: number;
  eq: EqBand[];
  resonances: Resonance[];
  multiband: NonNullable<MultibandDecision['insert']> | null;
  imager: { widthPercent: number; monoBelowHz: number } | null;
  limiter: LimiterSettings;
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
  if (st.preGainDb) out.push({ type: 'gain', gainDb: st.preGainDb });
  if (st.eq.length > 0) out.push({ type: 'eq', bands: st.eq });
  if (st.resonances.length > 0) out.push({ type: 'resonance-control', resonances: st.resonances });
  if (st.multiband) out.push({ ...st.multiband });
  if (st.imager) out.push({ type: 'imager', ...st.imager });
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
  /** Stages that could not be built (e.g. an insert type the catalog lacks), with the reason. */
  readonly skipped: { stage: string; reason: string }[] = [];
  private readonly mid: Float32Array[];

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
    if (st.preGainDb) add(new Gain(), { gainDb: st.preGainDb });
    if (st.eq.length > 0) add(new Eq(), { bands: st.eq });
    if (st.resonances.length > 0) add(new ResonanceControl(), { resonances: st.resonances });
    if (st.multiband) {
      if (insertDefinition('multiband')) stages.push(createInsert(st.multiband, spec));
      else this.skipped.push({ stage: 'multiband', reason: 'the multiband insert is not available in this build' });
    }
    if (st.imager && spec.channels >= 2) add(new Imager(), st.imager);
    this.pre = new ProcessorChain(stages);
    this.limiter = new Limiter();
    this.limiter.prepare(spec);
    this.limiter.setParams({ ...st.limiter, oversampling: 4 });
    this.limiter.reset();
    this.mid = Array.from({ length: spec.channels }, () => new Float32Array(spec.maxBlockFrames));
  }

  get latencyFrames(): number {
    return this.pre.latencyFrames + this.limiter.latencyFrames;
  }

  /** Sets the limiter drive and returns every stage to time zero (for the next search pass). */
  restart(inputGainDb: number): void {
    this.limiter.setParams({ inputGainDb });
    this.pre.reset();
    this.limiter.reset();
  }

  /**
   * Processes one block.
   * @param preTap called with the pre-limiter signal (e.g. a loudness meter), optional
   */
  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number, preTap?: (block: readonly Float32Array[], frames: number) => void): void {
    this.pre.process(inputs, this.mid, frames);
    preTap?.(this.mid, frames);
    this.limiter.process(this.mid, outputs, frames);
  }
}
