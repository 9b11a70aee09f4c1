/**
 * Linear-phase EQ: a symmetric FIR designed from the analogue prototype magnitude of the bands, applied
 * by FFT overlap-save in fixed hops (linear-phase-convolver.ts: design, streaming, latency 1.5·L − 1).
 * A band change designs the new kernel in setBands() and crossfades to it over the next hop, so changes
 * are click-free and the output does not depend on the block size.
 */
import type { BandSpec } from './biquad-design.js';
import { LinearPhaseConvolver } from './linear-phase-convolver.js';
import type { ProcessSpec, Processor } from './processor.js';

export interface LinearPhaseEqParams {
  bands: BandSpec[];
}

/** Streaming linear-phase EQ (see the file comment). */
export class LinearPhaseEq implements Processor<LinearPhaseEqParams, Record<string, never>> {
  private bands: BandSpec[] = [];
  private channels = 0;
  private readonly conv = new LinearPhaseConvolver();
  private readonly bandsOf = () => this.bands;
  private readonly meters: Record<string, never> = {};

  /** FIR delay plus hop delay in frames (0 before prepare). */
  get latencyFrames(): number {
    return this.conv.latencyFrames;
  }

  /** Allocates the FFT, buffers and kernel for the sample rate and channel count. */
  prepare(spec: ProcessSpec): void {
    this.channels = spec.channels;
    this.conv.prepare(spec.channels, spec.sampleRate, 1, 1, this.bandsOf);
  }

  /** Clears the signal history; a pending kernel takes effect immediately. */
  reset(): void {
    this.conv.reset();
  }

  /** Sets the bands (validated). After prepare() the change crossfades over the next hop. */
  setParams(patch: Partial<LinearPhaseEqParams>): void {
    if (patch.bands) this.setBands(patch.bands);
  }

  /** Sets the bands (validated); see setParams(). */
  setBands(bands: readonly BandSpec[]): void {
    this.bands = bands.slice();
    this.conv.setKernels(1, this.bandsOf);
  }

  /** No meters. */
  readMeters(): Readonly<Record<string, never>> {
    return this.meters;
  }

  /** Filters `frames` samples per channel; in-place safe (each chunk is read in before it is written out). */
  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    if (!this.conv.prepared) {
      for (let c = 0; c < outputs.length; c++) if (outputs[c] !== inputs[c]) outputs[c].set(inputs[c].subarray(0, frames));
      return;
    }
    let done = 0;
    while (done < frames) {
      const n = Math.min(this.conv.room(), frames - done);
      for (let c = 0; c < this.channels; c++) {
        this.conv.write(c, inputs[c], done, n);
        this.conv.read(c, 0, outputs[c], done, n);
      }
      done += n;
      this.conv.advance(n, this.channels, 1);
    }
  }
}
