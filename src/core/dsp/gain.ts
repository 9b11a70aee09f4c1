/**
 * The `gain` insert: a smoothed gain in dB.
 *
 * Changes ramp linearly in the linear-gain domain over `GAIN_PARAMS.gainDb.rampMs`, per sample, so the
 * result does not depend on the block size. Non-finite input samples become 0 (shared/DESIGN.md "Bad input").
 */
import { dbToGain } from '../audio/db.js';
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';

export interface GainParams {
  /** Gain in dB, -120..+48. */
  gainDb: number;
}

export interface GainMeters {
  /** The current (possibly ramping) gain in dB. */
  gainDb: number;
}

export const GAIN_PARAMS = {
  gainDb: { kind: 'number', unit: 'dB', min: -120, max: 48, default: 0, rampMs: 20, description: 'Gain in dB' },
} as const satisfies ParamTable;

/**
 * A linear ramp towards a target value, advanced per sample. Shared by the simple processors
 * (gain, pan, imager) so parameter jumps glide without zipper noise.
 */
export class LinearRamp {
  /** Current value. */
  value: number;
  /** Target value. */
  target: number;
  private step = 0;
  private remaining = 0;
  private rampFrames = 1;

  /** @param initial starting value (also the target). */
  constructor(initial: number) {
    this.value = initial;
    this.target = initial;
  }

  /** Ramp length in frames (>= 1); applies to the next setTarget(). */
  setRampFrames(frames: number): void {
    this.rampFrames = Math.max(1, Math.round(frames));
  }

  /** Starts a ramp from the current value to `target`. */
  setTarget(target: number): void {
    this.target = target;
    if (target === this.value) { this.remaining = 0; return; }
    this.remaining = this.rampFrames;
    this.step = (target - this.value) / this.rampFrames;
  }

  /** Jumps to the target (reset()). */
  snap(): void {
    this.value = this.target;
    this.remaining = 0;
  }

  /** Whether a ramp is in progress. */
  get isRamping(): boolean {
    return this.remaining > 0;
  }

  /** Advances one sample and returns the new value. */
  next(): number {
    if (this.remaining > 0) {
      this.remaining--;
      this.value = this.remaining === 0 ? this.target : this.value + this.step;
    }
    return this.value;
  }

  /**
   * Fills `out[0..frames)` with the next `frames` values (one per sample); no allocation.
   */
  fill(out: Float32Array | Float64Array, frames: number): void {
    for (let i = 0; i < frames; i++) out[i] = this.next();
  }
}

/** Smoothed gain processor; see GAIN_PARAMS. Latency 0. */
export class Gain implements Processor<GainParams, GainMeters> {
  readonly latencyFrames = 0;
  private gainDb: number = GAIN_PARAMS.gainDb.default;
  private readonly ramp = new LinearRamp(1);
  private gains = new Float64Array(0);
  private readonly meters: GainMeters = { gainDb: 0 };

  prepare(spec: ProcessSpec): void {
    this.ramp.setRampFrames((GAIN_PARAMS.gainDb.rampMs / 1000) * spec.sampleRate);
    this.gains = new Float64Array(spec.maxBlockFrames);
    this.reset();
  }

  reset(): void {
    this.ramp.setTarget(dbToGain(this.gainDb));
    this.ramp.snap();
  }

  setParams(patch: Partial<GainParams>): void {
    if (patch.gainDb !== undefined) {
      this.gainDb = patch.gainDb;
      this.ramp.setTarget(dbToGain(patch.gainDb));
    }
  }

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    const g = this.gains;
    this.ramp.fill(g, frames);
    for (let c = 0; c < outputs.length; c++) {
      const x = inputs[c];
      const y = outputs[c];
      for (let i = 0; i < frames; i++) {
        const v = x[i];
        y[i] = v - v === 0 ? v * g[i] : 0;
      }
    }
  }

  readMeters(): Readonly<GainMeters> {
    this.meters.gainDb = 20 * Math.log10(this.ramp.value);
    return this.meters;
  }
}
