/**
 * Polarity inversion, for all channels or per channel. A sign flip is exact in floating point,
 * so a flip has no ramp (it is a discrete choice); latency 0. Non-finite input samples become 0.
 */
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';

export interface PolarityParams {
  /** Invert every channel. */
  invert: boolean;
  /** Per-channel inversion (index = channel); overrides `invert` for the channels it lists. */
  invertChannels?: readonly boolean[];
}

export const POLARITY_PARAMS = {
  invert: { kind: 'bool', default: false, description: 'Invert the polarity of every channel' },
} as const satisfies ParamTable;

/** Polarity inverter; see PolarityParams. */
export class Polarity implements Processor<PolarityParams, Record<string, never>> {
  readonly latencyFrames = 0;
  private invert = false;
  private perChannel: readonly boolean[] = [];
  private signs = new Float32Array(0);
  private readonly meters = {} as Record<string, never>;

  prepare(spec: ProcessSpec): void {
    this.signs = new Float32Array(spec.channels);
    this.updateSigns();
  }

  reset(): void {}

  setParams(patch: Partial<PolarityParams>): void {
    if (patch.invert !== undefined) this.invert = patch.invert;
    if (patch.invertChannels !== undefined) this.perChannel = patch.invertChannels.slice();
    this.updateSigns();
  }

  private updateSigns(): void {
    for (let c = 0; c < this.signs.length; c++) {
      const inv = c < this.perChannel.length ? this.perChannel[c] : this.invert;
      this.signs[c] = inv ? -1 : 1;
    }
  }

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    for (let c = 0; c < outputs.length; c++) {
      const s = c < this.signs.length ? this.signs[c] : 1;
      const x = inputs[c];
      const y = outputs[c];
      for (let i = 0; i < frames; i++) {
        const v = x[i];
        y[i] = v - v === 0 ? s * v : 0;
      }
    }
  }

  readMeters(): Readonly<Record<string, never>> {
    return this.meters;
  }
}
