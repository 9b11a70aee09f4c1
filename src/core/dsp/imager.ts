/**
 * Stereo imager: mid/side width and "mono below" for the low end.
 *
 * M = (L+R)/2, S = (L−R)/2; out L = M' + S', R = M' − S' with S' = S·width/100.
 * monoBelowHz > 0 removes the side signal below the cutoff with a Linkwitz-Riley 4th-order
 * complementary split of S: S' = HP_LR4(S)·width, and the mid goes through the allpass that
 * LP_LR4 + HP_LR4 sums to (a 2nd-order allpass, Q = 1/√2; Linkwitz 1976, Lipshitz & Vanderkooy 1986),
 * so mid and side keep the same phase above the cutoff and the mono sum L+R has exactly the magnitude
 * response of the input sum (only its phase turns). With monoBelowHz = 0 the filters are bypassed and
 * width 100 is exact unity. Channels other than 0/1 pass through; a mono input passes through.
 */
import { LinearRamp } from './gain.js';
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';

export interface ImagerParams {
  /** 0 = mono, 100 = unchanged, up to 200 (side doubled). */
  widthPercent: number;
  /** Side removed below this frequency (LR4 split); 0 = off. */
  monoBelowHz: number;
}

export const IMAGER_PARAMS = {
  widthPercent: { kind: 'number', unit: 'percent', min: 0, max: 200, default: 100, rampMs: 20, description: 'Stereo width: 0 mono, 100 unchanged, 200 double side' },
  monoBelowHz: { kind: 'number', unit: 'Hz', min: 0, max: 500, default: 0, rampMs: 0, description: 'Remove the side signal below this frequency (Linkwitz-Riley 24 dB/oct); 0 = off' },
} as const satisfies ParamTable;

/** Coefficients of one biquad section (a0 normalised to 1). */
interface Section { b0: number; b1: number; b2: number; a1: number; a2: number }

/** Bilinear-transform 2nd-order sections at fc: Butterworth high-pass (Q = 1/√2) and the matching allpass. */
function designSections(fc: number, fs: number): { hp: Section; ap: Section } {
  // RBJ Audio EQ Cookbook HPF and APF with Q = 1/√2.
  const w0 = (2 * Math.PI * fc) / fs;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * Math.SQRT1_2);
  const a0 = 1 + alpha;
  const hp = { b0: (1 + cos) / 2 / a0, b1: -(1 + cos) / a0, b2: (1 + cos) / 2 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
  const ap = { b0: (1 - alpha) / a0, b1: (-2 * cos) / a0, b2: 1, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
  return { hp, ap };
}

/** 0 for denormal-small or non-finite filter state, else the value. */
function flush(v: number): number {
  return v - v === 0 && Math.abs(v) > 1e-25 ? v : 0;
}

/** Imager processor; see IMAGER_PARAMS. Latency 0. */
export class Imager implements Processor<ImagerParams, Record<string, never>> {
  readonly latencyFrames = 0;
  private widthPercent = 100;
  private monoBelowHz = 0;
  private sampleRate = 48000;
  private readonly width = new LinearRamp(1);
  private widths = new Float64Array(0);
  private hp: Section = { b0: 1, b1: 0, b2: 0, a1: 0, a2: 0 };
  private ap: Section = { b0: 1, b1: 0, b2: 0, a1: 0, a2: 0 };
  /** DF2T states: side HP stage 1 (2), side HP stage 2 (2), mid allpass (2). */
  private readonly z = new Float64Array(6);
  private readonly meters = {} as Record<string, never>;

  prepare(spec: ProcessSpec): void {
    this.sampleRate = spec.sampleRate;
    this.width.setRampFrames((IMAGER_PARAMS.widthPercent.rampMs / 1000) * spec.sampleRate);
    this.widths = new Float64Array(spec.maxBlockFrames);
    this.design();
    this.reset();
  }

  reset(): void {
    this.width.setTarget(this.widthPercent / 100);
    this.width.snap();
    this.z.fill(0);
  }

  setParams(patch: Partial<ImagerParams>): void {
    if (patch.widthPercent !== undefined) {
      this.widthPercent = patch.widthPercent;
      this.width.setTarget(patch.widthPercent / 100);
    }
    if (patch.monoBelowHz !== undefined && patch.monoBelowHz !== this.monoBelowHz) {
      this.monoBelowHz = patch.monoBelowHz;
      this.design();
    }
  }

  private design(): void {
    // Keep the cutoff below 0.45·fs so the design stays valid at any rate.
    const fc = Math.min(this.monoBelowHz, 0.45 * this.sampleRate);
    if (fc > 0) {
      const { hp, ap } = designSections(fc, this.sampleRate);
      this.hp = hp;
      this.ap = ap;
    }
  }

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    const nOut = outputs.length;
    // Pass-through for channels other than 0/1 (and for mono).
    for (let c = nOut < 2 ? 0 : 2; c < nOut; c++) {
      const x = inputs[c];
      const y = outputs[c];
      for (let i = 0; i < frames; i++) { const v = x[i]; y[i] = v - v === 0 ? v : 0; }
    }
    if (nOut < 2) return;
    const w = this.widths;
    this.width.fill(w, frames);
    const xl = inputs[0];
    const xr = inputs[1];
    const yl = outputs[0];
    const yr = outputs[1];
    if (!(this.monoBelowHz > 0)) {
      for (let i = 0; i < frames; i++) {
        let l = xl[i];
        let r = xr[i];
        if (l - l !== 0) l = 0;
        if (r - r !== 0) r = 0;
        const wi = w[i];
        if (wi === 1) { yl[i] = l; yr[i] = r; continue; }
        const m = 0.5 * (l + r);
        const s = 0.5 * (l - r) * wi;
        yl[i] = m + s;
        yr[i] = m - s;
      }
      return;
    }
    // State: z[0..1] side HP 1, z[2..3] side HP 2, z[4..5] mid allpass (transposed direct form II).
    const { b0, b1, b2, a1, a2 } = this.hp;
    const ap = this.ap;
    const p0 = ap.b0, p1 = ap.b1, p2 = ap.b2, q1 = ap.a1, q2 = ap.a2;
    const z = this.z;
    let s10 = z[0], s11 = z[1], s20 = z[2], s21 = z[3], m0 = z[4], m1 = z[5];
    for (let i = 0; i < frames; i++) {
      let l = xl[i];
      let r = xr[i];
      if (l - l !== 0) l = 0;
      if (r - r !== 0) r = 0;
      const m = 0.5 * (l + r);
      const s = 0.5 * (l - r);
      const h1 = b0 * s + s10;
      s10 = b1 * s - a1 * h1 + s11;
      s11 = b2 * s - a2 * h1;
      const h2 = b0 * h1 + s20;
      s20 = b1 * h1 - a1 * h2 + s21;
      s21 = b2 * h1 - a2 * h2;
      const ma = p0 * m + m0;
      m0 = p1 * m - q1 * ma + m1;
      m1 = p2 * m - q2 * ma;
      const sw = h2 * w[i];
      yl[i] = ma + sw;
      yr[i] = ma - sw;
    }
    // Flush denormals and recover from non-finite state (huge inputs can overflow float32 outputs only).
    z[0] = flush(s10); z[1] = flush(s11); z[2] = flush(s20); z[3] = flush(s21); z[4] = flush(m0); z[5] = flush(m1);
  }

  readMeters(): Readonly<Record<string, never>> {
    return this.meters;
  }
}
