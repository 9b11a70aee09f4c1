/**
 * The one life cycle every DSP unit shares (shared/DESIGN.md), so chains, the mix graph and the
 * automaster compose them freely.
 */
export interface ProcessSpec {
  sampleRate: number;
  maxBlockFrames: number;
  channels: number;
}

export interface Processor<P = Record<string, unknown>, M = Record<string, number>> {
  /** Look-ahead the processor adds, in frames; fixed between prepare() calls (kept under bypass). */
  readonly latencyFrames: number;
  /** The ONLY method that allocates; designs coefficients for the sample rate. */
  prepare(spec: ProcessSpec): void;
  /** Back to time zero: clears state, parameters jump to their targets. */
  reset(): void;
  /** Validated values in user units; continuous ones ramp (no zipper noise). */
  setParams(patch: Partial<P>): void;
  /** In-place allowed (outputs may alias inputs); never throws, never allocates. */
  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number, sidechain?: readonly Float32Array[]): void;
  /** Gain reduction, levels; peak holds reset on read. */
  readMeters(): Readonly<M>;
}
