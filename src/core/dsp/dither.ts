/**
 * The `dither` insert: TPDF dither and quantization to a PCM grid, written back as floats, so a chain can
 * end on exactly representable 16- or 24-bit values. The maths lives in TpdfDither (tpdf-dither.ts);
 * this is the Processor wrapper. Silence in does not give silence out (dither noise is the point).
 * Latency 0.
 */
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';
import { TpdfDither } from './tpdf-dither.js';

export type NoiseShaping = 'none' | 'first-order';

export interface DitherParams {
  /** Target bit depth: 16 or 24 (other integers 8..24 work too). */
  bitDepth: number;
  /** Error-feedback noise shaping. */
  noiseShaping: NoiseShaping;
}

export interface DitherMeters {
  /** Samples clipped to the integer range since the last read. */
  clippedSamples: number;
}

export const DITHER_PARAMS = {
  bitDepth: { kind: 'number', unit: 'linear', min: 8, max: 24, default: 16, rampMs: 0, integer: true, description: 'Target bit depth (16 or 24)' },
  noiseShaping: { kind: 'enum', values: ['none', 'first-order'], default: 'none', description: 'Noise shaping of the quantization error' },
} as const satisfies ParamTable;

/** Dither insert; see DITHER_PARAMS. */
export class Dither implements Processor<DitherParams, DitherMeters> {
  readonly latencyFrames = 0;
  private bitDepth = 16;
  private noiseShaping: NoiseShaping = 'none';
  private channels = 1;
  private dither: TpdfDither = new TpdfDither({ channels: 1 });
  private clipped = 0;
  private readonly meters: DitherMeters = { clippedSamples: 0 };

  /** @param seed PRNG seed (same seed, same output). */
  constructor(private readonly seed = 1) {}

  prepare(spec: ProcessSpec): void {
    this.channels = spec.channels;
    this.build();
  }

  private build(): void {
    this.dither = new TpdfDither({ channels: Math.max(1, this.channels), seed: this.seed, noiseShaping: this.noiseShaping === 'first-order' });
  }

  reset(): void {
    this.dither.reset();
    this.clipped = 0;
  }

  /** A change of noiseShaping rebuilds the quantizer (allocates; it is a configuration choice, not automation). */
  setParams(patch: Partial<DitherParams>): void {
    if (patch.bitDepth !== undefined) this.bitDepth = Math.round(Math.min(24, Math.max(8, patch.bitDepth)));
    if (patch.noiseShaping !== undefined && patch.noiseShaping !== this.noiseShaping) {
      this.noiseShaping = patch.noiseShaping;
      this.build();
    }
  }

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    const n = Math.min(outputs.length, this.dither.channels);
    for (let c = 0; c < n; c++) {
      const x = inputs[c];
      const y = outputs[c];
      // Huge values clip inside the quantizer; NaN becomes 0 there.
      this.clipped += this.dither.quantizeToFloat(x, y, frames, this.bitDepth, c);
    }
  }

  readMeters(): Readonly<DitherMeters> {
    this.meters.clippedSamples = this.clipped;
    this.clipped = 0;
    return this.meters;
  }
}
