/**
 * A chain of processors run in order, itself a Processor: its latency is the sum of its members'.
 * Used for insert lists (`process --chain`, track and bus inserts).
 */
import type { ProcessSpec, Processor } from './processor.js';

type AnyProcessor = Processor<Record<string, unknown>, object>;

export class ProcessorChain implements Processor<Record<string, never>, { stages: object[] }> {
  private readonly stages: AnyProcessor[];
  private scratch: Float32Array[] = [];

  constructor(stages: AnyProcessor[]) {
    this.stages = stages;
  }

  get latencyFrames(): number {
    let sum = 0;
    for (const s of this.stages) sum += s.latencyFrames;
    return sum;
  }

  /** Prepares every stage (stages created by createInsert() are prepared already; this re-prepares). */
  prepare(spec: ProcessSpec): void {
    for (const s of this.stages) s.prepare(spec);
    this.scratch = Array.from({ length: spec.channels }, () => new Float32Array(spec.maxBlockFrames));
  }

  reset(): void {
    for (const s of this.stages) s.reset();
  }

  setParams(): void {
    // Members are configured individually (each insert has its own parameters).
  }

  /** The first stage reads the inputs; the rest run in place on the outputs. */
  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number, sidechain?: readonly Float32Array[]): void {
    if (this.stages.length === 0) {
      for (let c = 0; c < outputs.length; c++) if (outputs[c] !== inputs[c]) outputs[c].set(inputs[c].subarray(0, frames));
      return;
    }
    this.stages[0].process(inputs, outputs, frames, sidechain);
    for (let i = 1; i < this.stages.length; i++) this.stages[i].process(outputs, outputs, frames, sidechain);
  }

  readMeters(): { stages: object[] } {
    return { stages: this.stages.map((s) => s.readMeters()) };
  }
}
