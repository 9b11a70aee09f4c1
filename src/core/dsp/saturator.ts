/**
 * Oversampled soft-clipping saturator: y = tanh(drive·x), mixed with the time-aligned dry signal.
 *
 * Aliasing: the clipper runs at 4x on the shared Oversampler with 48 taps per phase and a 90 dB Kaiser
 * design (transition ≈ (90 − 7.95)/(14.36·48) ≈ 0.12·fs around the base Nyquist, Kaiser's formula).
 * Harmonics of tanh(a·sin) decay geometrically (tanh has poles at ±iπ/2, so the k-th harmonic falls like
 * exp(−k·asinh(π/(2a)))), so those that would fold at the 4x rate are negligible at sensible drives, and
 * the decimator removes those between the base Nyquist and 2x. The test measures aliases ≥ 80 dB down
 * in the audible band (≤ 20 kHz) for a full-scale 5 kHz sine driven 12 dB at 48 and 44.1 kHz. Pass band: flat
 * to ≈ 0.44·fs. Known limit: harmonics just above the base Nyquist (0.5..0.56·fs) fall in the decimator's
 * transition band and fold to just below Nyquist (at 48 kHz the 25 kHz harmonic of a 5 kHz tone lands at
 * 23 kHz, −35 dB re the fundamental at 12 dB drive); that stays above 20 kHz for fs ≥ 44.1 kHz.
 *
 * latencyFrames = the oversampler's latency; the dry path is delayed by the same amount so `mix` never
 * comb-filters. Silence in gives silence out (tanh(0) = 0).
 */
import { dbToGain } from '../audio/db.js';
import { LinearRamp } from './gain.js';
import { Oversampler } from './oversampler.js';
import { kaiserBeta } from './oversampler-design.js';
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';

export interface SaturatorParams {
  /** Gain into the clipper, dB. */
  driveDb: number;
  /** Dry/wet, 0 (dry) .. 1 (wet). */
  mix: number;
  /** Gain after the mix, dB. */
  outputGainDb: number;
}

export const SATURATOR_PARAMS = {
  driveDb: { kind: 'number', unit: 'dB', min: 0, max: 36, default: 6, rampMs: 20, description: 'Drive into the soft clipper' },
  mix: { kind: 'number', unit: 'linear', min: 0, max: 1, default: 1, rampMs: 20, description: 'Dry/wet mix (0 dry, 1 wet)' },
  outputGainDb: { kind: 'number', unit: 'dB', min: -36, max: 12, default: 0, rampMs: 20, description: 'Output gain' },
} as const satisfies ParamTable;

const FACTOR = 4;
const TAPS = 48;
const STOPBAND_DB = 90;

/** Saturator; see SATURATOR_PARAMS. */
export class Saturator implements Processor<SaturatorParams, Record<string, never>> {
  private readonly os = new Oversampler({ factor: FACTOR, tapsPerPhase: TAPS, kaiserBeta: kaiserBeta(STOPBAND_DB) });
  readonly latencyFrames = this.os.latencyFrames;
  private readonly drive = new LinearRamp(dbToGain(6));
  private readonly mix = new LinearRamp(1);
  private readonly outGain = new LinearRamp(1);
  private p: SaturatorParams = { driveDb: 6, mix: 1, outputGainDb: 0 };
  private channels = 0;
  private maxBlock = 1;
  private xin = new Float32Array(0);
  private up = new Float32Array(0);
  private wet = new Float32Array(0);
  private dg = new Float64Array(0);
  private mg = new Float64Array(0);
  private og = new Float64Array(0);
  private dry: Float32Array[] = [];
  private dryPos = 0;
  private readonly meters = {} as Record<string, never>;

  prepare(spec: ProcessSpec): void {
    this.channels = spec.channels;
    this.maxBlock = Math.max(1, spec.maxBlockFrames);
    this.os.prepare(spec.channels, this.maxBlock);
    this.xin = new Float32Array(this.maxBlock);
    this.up = new Float32Array(this.maxBlock * FACTOR);
    this.wet = new Float32Array(this.maxBlock);
    this.dg = new Float64Array(this.maxBlock);
    this.mg = new Float64Array(this.maxBlock);
    this.og = new Float64Array(this.maxBlock);
    this.dry = Array.from({ length: spec.channels }, () => new Float32Array(this.latencyFrames + 1));
    const ramp = 0.02 * spec.sampleRate;
    this.drive.setRampFrames(ramp);
    this.mix.setRampFrames(ramp);
    this.outGain.setRampFrames(ramp);
    this.reset();
  }

  reset(): void {
    this.os.reset();
    for (const d of this.dry) d.fill(0);
    this.dryPos = 0;
    this.drive.snap();
    this.mix.snap();
    this.outGain.snap();
  }

  setParams(patch: Partial<SaturatorParams>): void {
    Object.assign(this.p, patch);
    this.drive.setTarget(dbToGain(this.p.driveDb));
    this.mix.setTarget(this.p.mix);
    this.outGain.setTarget(dbToGain(this.p.outputGainDb));
  }

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    for (let off = 0; off < frames; off += this.maxBlock) this.chunk(inputs, outputs, off, Math.min(this.maxBlock, frames - off));
  }

  private chunk(inputs: readonly Float32Array[], outputs: Float32Array[], off: number, n: number): void {
    const dg = this.dg, mg = this.mg, og = this.og;
    this.drive.fill(dg, n);
    this.mix.fill(mg, n);
    this.outGain.fill(og, n);
    const os = this.os;
    const up = this.up;
    const xin = this.xin;
    const wet = this.wet;
    const lat = this.latencyFrames;
    const size = lat + 1;
    const nCh = Math.min(this.channels, outputs.length);
    let pos = this.dryPos;
    for (let c = 0; c < nCh; c++) {
      const x = inputs[c];
      const y = outputs[c];
      const dry = this.dry[c];
      // Drive at the base rate (the ramp is smooth, so this equals driving the oversampled signal).
      for (let i = 0; i < n; i++) {
        const v = x[off + i];
        xin[i] = v - v === 0 ? v : 0;
      }
      for (let i = 0; i < n; i++) xin[i] *= dg[i];
      os.upsample(c, xin, n, up);
      for (let j = 0; j < n * FACTOR; j++) up[j] = Math.tanh(up[j]);
      os.downsample(c, up, n, wet);
      pos = this.dryPos;
      for (let i = 0; i < n; i++) {
        // Dry delayed by `lat` frames (ring of lat + 1), undriven.
        const v = x[off + i];
        dry[pos] = v - v === 0 ? v : 0;
        let r = pos - lat;
        if (r < 0) r += size;
        const d = dry[r];
        const m = mg[i];
        y[off + i] = og[i] * ((1 - m) * d + m * wet[i]);
        pos = pos + 1 === size ? 0 : pos + 1;
      }
    }
    this.dryPos = pos;
  }

  readMeters(): Readonly<Record<string, never>> {
    return this.meters;
  }
}
