/**
 * The `delay` insert: a feedback echo, tempo-syncable, with a low-pass in the feedback path.
 *
 * Structure (per channel): d = delayline(t); w = x + feedback·LP(d); wet = d; out = (1−mix)·x + mix·wet.
 * The delay time is `beats·60000/bpm` ms when beats > 0, else `timeMs`. The read position glides
 * (one-pole, 50 ms time constant) with linear interpolation, so time changes bend pitch like tape
 * instead of clicking. The feedback low-pass is a one-pole at highcutHz (matched-z: a = exp(−2π·fc/fs)),
 * so repeats get darker; feedback ≤ 0.95 and |LP| ≤ 1 keep the loop stable.
 */
import { LinearRamp } from './gain.js';
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';

export interface EchoParams {
  /** Delay time in ms (used when beats = 0). */
  timeMs: number;
  /** Delay time in beats at `bpm` (0 = use timeMs). */
  beats: number;
  /** Tempo in beats per minute, for `beats`. */
  bpm: number;
  /** Feedback gain, 0..0.95. */
  feedback: number;
  /** Cutoff of the one-pole low-pass in the feedback path, Hz. */
  highcutHz: number;
  /** Dry/wet mix, 0 (dry) .. 1 (wet only). */
  mix: number;
}

const MAX_TIME_MS = 4000;

export const ECHO_PARAMS = {
  timeMs: { kind: 'number', unit: 'ms', min: 1, max: MAX_TIME_MS, default: 375, rampMs: 50, description: 'Delay time in ms (when beats is 0)' },
  beats: { kind: 'number', unit: 'beats', min: 0, max: 16, default: 0, rampMs: 50, description: 'Delay time in beats at bpm (0 = use timeMs)' },
  bpm: { kind: 'number', unit: 'bpm', min: 20, max: 300, default: 120, rampMs: 50, description: 'Tempo for beats' },
  feedback: { kind: 'number', unit: 'linear', min: 0, max: 0.95, default: 0.35, rampMs: 20, description: 'Feedback gain' },
  highcutHz: { kind: 'number', unit: 'Hz', min: 200, max: 22000, default: 6000, rampMs: 0, description: 'Low-pass cutoff in the feedback path' },
  mix: { kind: 'number', unit: 'linear', min: 0, max: 1, default: 0.3, rampMs: 20, description: 'Dry/wet mix (0 dry, 1 wet)' },
} as const satisfies ParamTable;

/** Echo processor; see ECHO_PARAMS. Latency 0 (the dry path is direct). */
export class Echo implements Processor<EchoParams, Record<string, never>> {
  readonly latencyFrames = 0;
  private p: EchoParams = { timeMs: 375, beats: 0, bpm: 120, feedback: 0.35, highcutHz: 6000, mix: 0.3 };
  private sampleRate = 48000;
  private buffers: Float32Array[] = [];
  private size = 1;
  private write = 0;
  /** Smoothed delay in frames (state) and its target. */
  private delay = 1;
  private delayTarget = 1;
  private delayCoef = 0;
  private lpCoef = 0;
  private lpState = new Float64Array(0);
  private readonly feedback = new LinearRamp(0.35);
  private readonly mix = new LinearRamp(0.3);
  private readonly meters = {} as Record<string, never>;

  prepare(spec: ProcessSpec): void {
    this.sampleRate = spec.sampleRate;
    this.size = Math.ceil((MAX_TIME_MS / 1000) * spec.sampleRate) + 4;
    this.buffers = Array.from({ length: spec.channels }, () => new Float32Array(this.size));
    this.lpState = new Float64Array(spec.channels);
    this.delayCoef = Math.exp(-1 / (0.05 * spec.sampleRate));
    this.feedback.setRampFrames(0.02 * spec.sampleRate);
    this.mix.setRampFrames(0.02 * spec.sampleRate);
    this.update();
    this.reset();
  }

  reset(): void {
    for (const b of this.buffers) b.fill(0);
    this.lpState.fill(0);
    this.write = 0;
    this.delay = this.delayTarget;
    this.feedback.snap();
    this.mix.snap();
  }

  setParams(patch: Partial<EchoParams>): void {
    Object.assign(this.p, patch);
    this.update();
  }

  private update(): void {
    const p = this.p;
    const ms = p.beats > 0 ? (p.beats * 60000) / p.bpm : p.timeMs;
    this.delayTarget = Math.max(1, Math.min((ms / 1000) * this.sampleRate, this.size - 3));
    this.lpCoef = Math.exp((-2 * Math.PI * Math.min(p.highcutHz, 0.49 * this.sampleRate)) / this.sampleRate);
    this.feedback.setTarget(p.feedback);
    this.mix.setTarget(p.mix);
  }

  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    // Per-sample state shared by all channels (delay glide, ramps), advanced channel-interleaved:
    // loop samples outside channels here because the glide must be identical for every channel.
    const size = this.size;
    const bufs = this.buffers;
    const nCh = Math.min(outputs.length, bufs.length);
    const lp = this.lpState;
    const a = this.lpCoef;
    const dc = this.delayCoef;
    const target = this.delayTarget;
    let delay = this.delay;
    let w = this.write;
    for (let i = 0; i < frames; i++) {
      delay = target + (delay - target) * dc;
      if (Math.abs(delay - target) < 1e-6) delay = target;
      const fb = this.feedback.next();
      const mix = this.mix.next();
      let rp = w - delay;
      if (rp < 0) rp += size;
      const r0 = Math.floor(rp);
      const frac = rp - r0;
      const r1 = r0 + 1 === size ? 0 : r0 + 1;
      for (let c = 0; c < nCh; c++) {
        const buf = bufs[c];
        let v = inputs[c][i];
        if (v - v !== 0) v = 0;
        const d = buf[r0] + (buf[r1] - buf[r0]) * frac;
        let s = (1 - a) * d + a * lp[c];
        if (!(Math.abs(s) > 1e-25 && s - s === 0)) s = 0;
        lp[c] = s;
        buf[w] = v + fb * s;
        outputs[c][i] = (1 - mix) * v + mix * d;
      }
      w = w + 1 === size ? 0 : w + 1;
    }
    this.delay = delay;
    this.write = w;
  }

  readMeters(): Readonly<Record<string, never>> {
    return this.meters;
  }
}
