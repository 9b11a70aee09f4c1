/**
 * Pan (mono sources) and balance (stereo sources), with the usual pan laws.
 *
 * Pan laws, with x = (pan + 1) / 2 in [0, 1] (0 = hard left):
 *  -  0 dB  : gL = min(1, 2(1−x)), gR = min(1, 2x)           centre 1 (0 dB), a balance law
 *  - −3 dB  : gL = cos(πx/2), gR = sin(πx/2)                 constant power: gL² + gR² = 1, centre 1/√2 (−3.01 dB)
 *  - −4.5 dB: gL = √((1−x)·cos(πx/2)), gR = √(x·sin(πx/2))   geometric mean of −3 and −6, centre 0.5^0.75 (−4.52 dB)
 *  - −6 dB  : gL = 1−x, gR = x                                 constant amplitude (linear), centre 0.5 (−6.02 dB)
 * The −3/−4.5/−6 names are the conventional roundings of 20·log10 of the exact centre gains above
 * (Pro Tools / Reaper / SSL console conventions; Griesinger, "Stereo and surround panning in practice", AES 2002).
 *
 * Stereo sources: `pan` acts as balance (the 0 dB law applied to each side), so pan 0 is exactly unity
 * (a unity session is the plain sum of its stems, shared/DESIGN.md).
 */
import { LinearRamp } from './gain.js';
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';

/** The supported pan laws, as centre attenuation in dB (nominal). */
export const PAN_LAWS_DB = [0, -3, -4.5, -6] as const;
export type PanLawDb = (typeof PAN_LAWS_DB)[number];

export interface PanParams {
  /** −1 (hard left) .. 1 (hard right). */
  pan: number;
  /** Pan law for mono sources: 0, −3, −4.5 or −6 (dB at centre); other values snap to the nearest. */
  lawDb: number;
}

export const PAN_PARAMS = {
  pan: { kind: 'number', unit: 'linear', min: -1, max: 1, default: 0, rampMs: 20, description: 'Pan (mono) or balance (stereo), -1 left .. 1 right' },
  lawDb: { kind: 'number', unit: 'dB', min: -6, max: 0, default: -3, rampMs: 0, description: 'Pan law for mono sources: centre attenuation 0, -3, -4.5 or -6 dB' },
} as const satisfies ParamTable;

/** Nearest supported pan law for any number (NaN → −3). */
export function snapPanLaw(lawDb: number): PanLawDb {
  let best: PanLawDb = -3;
  let dist = Infinity;
  for (const l of PAN_LAWS_DB) {
    const d = Math.abs(l - lawDb);
    if (d < dist) { dist = d; best = l; }
  }
  return best;
}

/**
 * Left/right gains for a pan position.
 * @param pan −1 (hard left) .. 1 (hard right); clamped; NaN counts as 0.
 * @param lawDb pan law for mono sources (0, −3, −4.5, −6; other values snap to the nearest).
 * @param sourceChannels 1 = mono source (pan law); 2 or more = stereo source (balance, the 0 dB law).
 * @returns [left, right] linear gains.
 */
export function panGains(pan: number, lawDb: number, sourceChannels = 1): [number, number] {
  const p = pan > 1 ? 1 : pan < -1 ? -1 : pan === pan ? pan : 0;
  const x = (p + 1) / 2;
  const law = sourceChannels >= 2 ? 0 : snapPanLaw(lawDb);
  const a = (Math.PI / 2) * x;
  switch (law) {
    case 0:
      return [Math.min(1, 2 * (1 - x)), Math.min(1, 2 * x)];
    case -3:
      // Exact endpoints: cos(π/2) is 6e-17, not 0.
      return [x === 1 ? 0 : Math.cos(a), x === 0 ? 0 : Math.sin(a)];
    case -4.5:
      return [x === 1 ? 0 : Math.sqrt((1 - x) * Math.cos(a)), x === 0 ? 0 : Math.sqrt(x * Math.sin(a))];
    default:
      return [1 - x, x];
  }
}

/**
 * Pan/balance processor. Channel handling:
 * - 1 input, ≥ 2 outputs: mono source panned with the law into outputs 0/1 (any further outputs get 0);
 * - ≥ 2 inputs: balance on channels 0/1, further channels pass through;
 * - 1 input, 1 output: passes through.
 * The gains ramp linearly over PAN_PARAMS.pan.rampMs. Latency 0.
 */
export class Pan implements Processor<PanParams, Record<string, never>> {
  readonly latencyFrames = 0;
  private pan = 0;
  private law: number = -3;
  private sourceChannels = 2;
  private readonly left = new LinearRamp(1);
  private readonly right = new LinearRamp(1);
  private gl = new Float64Array(0);
  private gr = new Float64Array(0);
  private readonly meters = {} as Record<string, never>;

  /** @param sourceChannels channels of the source (1 = mono, pan law applies); default: spec.channels. */
  constructor(sourceChannels?: number) {
    if (sourceChannels !== undefined) this.sourceChannels = sourceChannels;
    this.fixedSource = sourceChannels !== undefined;
  }
  private readonly fixedSource: boolean;

  prepare(spec: ProcessSpec): void {
    if (!this.fixedSource) this.sourceChannels = spec.channels;
    const n = (PAN_PARAMS.pan.rampMs / 1000) * spec.sampleRate;
    this.left.setRampFrames(n);
    this.right.setRampFrames(n);
    this.gl = new Float64Array(spec.maxBlockFrames);
    this.gr = new Float64Array(spec.maxBlockFrames);
    this.reset();
  }

  reset(): void {
    this.retarget();
    this.left.snap();
    this.right.snap();
  }

  setParams(patch: Partial<PanParams>): void {
    if (patch.pan !== undefined) this.pan = patch.pan;
    if (patch.lawDb !== undefined) this.law = patch.lawDb;
    this.retarget();
  }

  private retarget(): void {
    const [l, r] = panGains(this.pan, this.law, this.sourceChannels);
    this.left.setTarget(l);
    this.right.setTarget(r);
  }

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    const gl = this.gl;
    const gr = this.gr;
    this.left.fill(gl, frames);
    this.right.fill(gr, frames);
    const nIn = inputs.length;
    const nOut = outputs.length;
    if (nIn === 1 && nOut >= 2) {
      const x = inputs[0];
      const l = outputs[0];
      const r = outputs[1];
      for (let i = 0; i < frames; i++) {
        let v = x[i];
        if (v - v !== 0) v = 0;
        l[i] = v * gl[i];
        r[i] = v * gr[i];
      }
      for (let c = 2; c < nOut; c++) outputs[c].fill(0, 0, frames);
      return;
    }
    for (let c = 0; c < nOut; c++) {
      const x = inputs[c];
      const y = outputs[c];
      const g = c === 0 ? gl : c === 1 ? gr : null;
      for (let i = 0; i < frames; i++) {
        const v = x[i];
        const s = v - v === 0 ? v : 0;
        y[i] = g === null || nIn === 1 ? s : s * g[i];
      }
    }
  }

  readMeters(): Readonly<Record<string, never>> {
    return this.meters;
  }
}
