/**
 * Detectors and smoothers of the dynamics processors: a level detector (peak or RMS, in dB) and a
 * branching attack/release smoother for gain reduction in dB, both with per-channel state.
 *
 * Design (Giannoulis, Massberg & Reiss, JAES 2012, sec. 3 "smooth branching peak detector", placed in
 * the log domain after the gain computer, their recommended topology): the gain computer acts on the
 * instantaneous (peak) or mean-square (RMS) level, and the resulting gain reduction in dB is smoothed
 * with one-pole filters whose coefficient depends on the direction of change. Because each direction
 * is a plain one-pole, a step in gain reduction reaches 1 − 1/e (63.2 %) of its change after exactly
 * the time constant: that is the definition of attackMs / releaseMs in this project.
 */

import { fastLog } from './gain-computer.js';

/** 20/ln(10): converts a natural log of an amplitude into dB. */
const DB_PER_NEPER = 20 / Math.LN10;

/** Floor of the detector level in dB, for |x| (or the mean square) at or near zero. */
export const LEVEL_FLOOR_DB = -240;
/** |x| at LEVEL_FLOOR_DB: amplitudes at or below it read as the floor. */
export const AMP_FLOOR = 1e-12;
/** Mean square at LEVEL_FLOOR_DB; below it the RMS state is flushed (no denormals). */
export const MS_FLOOR = 1e-24;

/**
 * One-pole coefficient α for a time constant: y[n] = α·y[n−1] + (1−α)·x[n] reaches 1 − 1/e of a
 * step after timeMs (α = exp(−1/(τ·fs))).
 * @param timeMs time constant in ms (<= 0 gives 0: the output follows the input at once)
 * @param sampleRate in Hz
 */
export function timeConstantCoef(timeMs: number, sampleRate: number): number {
  if (!(timeMs > 0)) return 0;
  return Math.exp(-1000 / (timeMs * sampleRate));
}

export type DetectorMode = 'peak' | 'rms';

/**
 * Level detector: writes the level of each input sample in dB.
 * - peak: 20·log10|x| per sample (the smoother after the gain computer turns it into a peak envelope).
 * - rms: 10·log10 of a one-pole mean square with time constant `rmsWindowMs` (a steady sine reads its
 *   RMS level, e.g. −3.01 dB for a full-scale sine).
 * Non-finite input reads as silence.
 */
export class LevelDetector {
  mode: DetectorMode = 'peak';
  private ms = new Float64Array(0);
  private msCoef = 0;

  /** @param rmsWindowMs time constant of the RMS averager in ms */
  constructor(private readonly rmsWindowMs: number) {}

  /** Allocates per-channel state. */
  prepare(channels: number, sampleRate: number): void {
    this.ms = new Float64Array(channels);
    this.msCoef = timeConstantCoef(this.rmsWindowMs, sampleRate);
  }

  reset(): void {
    this.ms.fill(0);
  }

  /** 1 − α of the RMS averager: ms += msGain·(x² − ms) per sample (for callers that inline processLinear). */
  get msGain(): number {
    return 1 - this.msCoef;
  }

  /** The RMS averager's mean square of channel ch. */
  msState(ch: number): number {
    return this.ms[ch];
  }

  /** Sets the RMS averager's mean square of channel ch (after an inlined processLinear). */
  setMsState(ch: number, ms: number): void {
    this.ms[ch] = ms;
  }

  /** Whether levels from processLinear() are mean squares (rms) rather than amplitudes (peak). */
  get isPower(): boolean {
    return this.mode === 'rms';
  }

  /**
   * @param ch channel index (state slot)
   * @param input samples, read from `inOffset`
   * @param outDb receives the level in dB at [0, frames) 
   */
  process(ch: number, input: Float32Array | Float64Array, inOffset: number, outDb: Float64Array, frames: number): void {
    this.processLinear(ch, input, inOffset, outDb, frames);
    const floor = this.mode === 'peak' ? AMP_FLOOR : MS_FLOOR;
    const k = this.mode === 'peak' ? DB_PER_NEPER : DB_PER_NEPER / 2;
    for (let i = 0; i < frames; i++) {
      const v = outDb[i];
      outDb[i] = v > floor ? k * fastLog(v) : LEVEL_FLOOR_DB;
    }
  }

  /**
   * The level before the dB conversion: |x| (peak) or the mean square (rms), so callers can compare
   * against a threshold in the linear domain and take logarithms only where the gain computer needs
   * them. Values at or below AMP_FLOOR (peak) / MS_FLOOR (rms) stand for LEVEL_FLOOR_DB.
   * @param out receives the levels at [0, frames)
   */
  processLinear(ch: number, input: Float32Array | Float64Array, inOffset: number, out: Float64Array, frames: number): void {
    if (this.mode === 'peak') {
      for (let i = 0; i < frames; i++) {
        const a = Math.abs(input[inOffset + i]);
        out[i] = a < Infinity ? a : 0; // NaN or Inf: silence
      }
      return;
    }
    const k = 1 - this.msCoef;
    let ms = this.ms[ch];
    for (let i = 0; i < frames; i++) {
      let x = input[inOffset + i];
      if (!(x - x === 0)) x = 0;
      ms += k * (x * x - ms);
      if (ms < MS_FLOOR) ms = 0;
      out[i] = ms;
    }
    this.ms[ch] = ms;
  }
}

/**
 * Branching attack/release smoother of a gain reduction in dB (>= 0), per channel.
 *
 * "Up" is the direction in which the reduction grows (a compressor's attack, a gate's closing) and
 * "down" the one in which it shrinks. A hold time delays "up" moves after the last "down" or steady
 * sample (a gate's hold). With autoRelease a second, slow branch (attack AUTO_SLOW_UP_MS, release
 * AUTO_SLOW_DOWN_FACTOR × the release) runs beside the fast one and the output is the larger of the
 * two: after short transients the reduction recovers with the set release, after sustained reduction
 * it recovers slowly (program-dependent, dual-time-constant release, as in many bus compressors).
 */
export class GainSmoother {
  private fast = new Float64Array(0);
  private slow = new Float64Array(0);
  private holdLeft = new Int32Array(0);
  private upCoef = 0;
  private downCoef = 0;
  private slowUpCoef = 0;
  private slowDownCoef = 0;
  private holdFrames = 0;
  private auto = false;

  prepare(channels: number): void {
    this.fast = new Float64Array(channels);
    this.slow = new Float64Array(channels);
    this.holdLeft = new Int32Array(channels);
  }

  reset(): void {
    this.fast.fill(0);
    this.slow.fill(0);
    this.holdLeft.fill(0);
  }

  /**
   * @param upMs time constant in ms while the reduction grows
   * @param downMs time constant in ms while it shrinks
   * @param sampleRate in Hz
   * @param holdMs time in ms the reduction is held before it may grow again
   * @param autoRelease enables the slow second branch (see the class comment)
   */
  setTimes(upMs: number, downMs: number, sampleRate: number, holdMs = 0, autoRelease = false): void {
    this.upCoef = timeConstantCoef(upMs, sampleRate);
    this.downCoef = timeConstantCoef(downMs, sampleRate);
    this.slowUpCoef = timeConstantCoef(AUTO_SLOW_UP_MS, sampleRate);
    this.slowDownCoef = timeConstantCoef(AUTO_SLOW_DOWN_FACTOR * downMs, sampleRate);
    this.holdFrames = Math.round((holdMs * sampleRate) / 1000);
    this.auto = autoRelease;
  }

  /**
   * Whether channel b's state is within `tolDb` of channel a's (same hold count), so a linked caller can
   * smooth one channel and copy the state (copyState) instead of running identical filters per channel.
   */
  isStateClose(a: number, b: number, tolDb: number): boolean {
    return Math.abs(this.fast[a] - this.fast[b]) <= tolDb && Math.abs(this.slow[a] - this.slow[b]) <= tolDb && this.holdLeft[a] === this.holdLeft[b];
  }

  /**
   * Whether process() reduces to one one-pole per direction (no auto-release branch, no hold pending or
   * configured), so a caller may run the same recursion inline in a fused loop (see the compressor's
   * linked path) through fastState / setFastState and the coefficients below.
   */
  get isPlain(): boolean {
    if (this.auto || this.holdFrames !== 0) return false;
    for (let c = 0; c < this.holdLeft.length; c++) if (this.holdLeft[c] !== 0) return false;
    return true;
  }

  /** One-pole coefficient while the reduction grows (process()'s `up`). */
  get upCoefficient(): number {
    return this.upCoef;
  }

  /** One-pole coefficient while the reduction shrinks (process()'s `down`). */
  get downCoefficient(): number {
    return this.downCoef;
  }

  /** The fast branch's smoothed reduction of channel ch, in dB. */
  fastState(ch: number): number {
    return this.fast[ch];
  }

  /** Sets the fast branch's state of channel ch (the slow branch is unused when isPlain). */
  setFastState(ch: number, db: number): void {
    this.fast[ch] = db;
  }

  /** Copies channel `from`'s state to channel `to`. */
  copyState(from: number, to: number): void {
    this.fast[to] = this.fast[from];
    this.slow[to] = this.slow[from];
    this.holdLeft[to] = this.holdLeft[from];
  }

  /** Smooths buf[0..frames) in place: target reduction in dB in, smoothed reduction in dB out. */
  process(ch: number, buf: Float64Array, frames: number): void {
    // One-pole steps written y += (c − y)·(1 − α): the compressor's fused linked path uses the same form.
    const up1 = 1 - this.upCoef;
    const down1 = 1 - this.downCoef;
    const sUp = this.slowUpCoef;
    const sDown = this.slowDownCoef;
    const holdFrames = this.holdFrames;
    const auto = this.auto;
    let y = this.fast[ch];
    let ys = this.slow[ch];
    let hold = this.holdLeft[ch];
    for (let i = 0; i < frames; i++) {
      let c = buf[i];
      if (!(c > 0)) c = 0; // also catches NaN
      if (c > y) {
        if (hold > 0) hold--;
        else y += (c - y) * up1;
      } else {
        hold = holdFrames;
        y += (c - y) * down1;
      }
      if (y < 1e-9) y = 0; // flush: 1e-9 dB is inaudible and the decay would go denormal
      if (auto) {
        ys = c > ys ? sUp * ys + (1 - sUp) * c : sDown * ys + (1 - sDown) * c;
        if (ys < 1e-9) ys = 0;
        buf[i] = ys > y ? ys : y;
      } else {
        buf[i] = y;
      }
    }
    this.fast[ch] = y;
    this.slow[ch] = ys;
    this.holdLeft[ch] = hold;
  }
}

/** Attack time constant of the slow auto-release branch in ms: reduction sustained longer than this is "program". */
export const AUTO_SLOW_UP_MS = 400;
/** Release of the slow auto-release branch, as a multiple of the set release. */
export const AUTO_SLOW_DOWN_FACTOR = 5;
