/**
 * Breakpoint automation, evaluated per sample (sample-accurate): sample n of the timeline sits at
 * t = n / sampleRate seconds, and its value is the curve between the breakpoints around t.
 *
 * Curves act on the physical quantity: for dB targets (gainDb, send levelDb, dB insert parameters) that is
 * the amplitude 10^(dB/20); for other targets the value itself.
 *  - `linear` (default): straight line, y = y0 + (y1 − y0)·x, x = (t − t0)/(t1 − t0). For a fader this is a
 *    classic linear-amplitude fade.
 *  - `exponential`: geometric, y = y0·(y1/y0)^x. For a fader this is a straight line in dB (a constant
 *    number of dB per second), the natural "exponential" gain fade; for Hz/ms targets, a straight line on a
 *    log axis. Needs positive values (dB targets always are, as amplitudes).
 *  - `step`: y0 until t1, then y1.
 * Before the first breakpoint the value is the first value; after the last, the last.
 */
import { dbToGain, gainToDb } from '../audio/db.js';
import type { AutomationCurve } from './session-schema.js';

/** One automation lane, prepared for a sample rate. Evaluation is allocation-free. */
export class AutomationLane {
  /** Breakpoint positions in (fractional) frames. */
  private readonly at: Float64Array;
  /** Breakpoint values in the physical domain (amplitude for dB targets). */
  private readonly y: Float64Array;
  private readonly curve: AutomationCurve;
  /** Segment index of the last evaluation (evaluation mostly moves forward). */
  private seg = 0;

  /**
   * @param points [seconds, value] breakpoints, times not decreasing (validated by the session schema).
   * @param curve interpolation between breakpoints.
   * @param sampleRate Hz.
   * @param isDb whether values are dB and the curve acts on amplitude; fill() then yields amplitudes.
   */
  constructor(points: readonly (readonly [number, number])[], curve: AutomationCurve, sampleRate: number, readonly isDb: boolean) {
    this.at = Float64Array.from(points, (p) => p[0] * sampleRate);
    this.y = Float64Array.from(points, (p) => (isDb ? dbToGain(p[1]) : p[1]));
    this.curve = curve;
  }

  /** Index k of the segment [at[k], at[k+1]) holding frame n (−1 before the first breakpoint). */
  private find(n: number): number {
    const at = this.at;
    let k = this.seg;
    if (k >= at.length || at[k] > n) k = -1;
    while (k + 1 < at.length && at[k + 1] <= n) k++;
    this.seg = k < 0 ? 0 : k;
    return k;
  }

  /** Value at frame n, in the physical domain (amplitude for dB targets). */
  physicalAt(n: number): number {
    const k = this.find(n);
    const at = this.at;
    const y = this.y;
    if (k < 0) return y[0];
    if (k + 1 >= at.length) return y[k];
    return this.interp(k, (n - at[k]) / (at[k + 1] - at[k]));
  }

  /** Value at frame n in the target's unit (dB for dB targets). */
  valueAt(n: number): number {
    const p = this.physicalAt(n);
    return this.isDb ? gainToDb(p) : p;
  }

  private interp(k: number, x: number): number {
    const y0 = this.y[k];
    const y1 = this.y[k + 1];
    switch (this.curve) {
      case 'step': return x < 1 ? y0 : y1;
      case 'exponential': return y0 * Math.pow(y1 / y0, x);
      default: return y0 + (y1 - y0) * x;
    }
  }

  /**
   * Fills out[offset .. offset+frames) with the physical values at frames startFrame..startFrame+frames−1.
   * The value at a frame does not depend on where a fill starts. No allocation.
   * @param out receives amplitudes (dB targets) or values.
   */
  fill(out: Float64Array, startFrame: number, frames: number, offset = 0): void {
    const at = this.at;
    const y = this.y;
    const last = at.length - 1;
    let i = 0;
    let k = this.find(startFrame);
    while (i < frames) {
      if (k < 0) {
        // Before the first breakpoint: constant.
        const end = Math.min(frames, Math.max(i + 1, Math.ceil(at[0] - startFrame)));
        const v0 = y[0];
        for (; i < end; i++) out[offset + i] = v0;
        k = 0;
        continue;
      }
      if (k >= last) {
        const v1 = y[last];
        for (; i < frames; i++) out[offset + i] = v1;
        break;
      }
      // Frames of this segment within the block: n < at[k+1].
      const a0 = at[k];
      const span = at[k + 1] - a0;
      const end = Math.min(frames, Math.ceil(at[k + 1] - startFrame));
      if (end <= i) { k++; continue; }
      const y0 = y[k];
      const y1 = y[k + 1];
      if (this.curve === 'step') {
        for (; i < end; i++) out[offset + i] = y0;
      } else if (this.curve === 'exponential') {
        const r = y1 / y0;
        for (; i < end; i++) out[offset + i] = y0 * Math.pow(r, (startFrame + i - a0) / span);
      } else {
        const d = y1 - y0;
        for (; i < end; i++) out[offset + i] = y0 + d * ((startFrame + i - a0) / span);
      }
      k++;
    }
    this.seg = Math.max(0, Math.min(k, last));
  }

  /** Whether the lane is constant over the whole timeline (one value). */
  get isConstant(): boolean {
    const y = this.y;
    for (let k = 1; k < y.length; k++) if (y[k] !== y[0]) return false;
    return true;
  }
}
