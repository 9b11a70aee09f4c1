/**
 * Oversampled soft-clipping saturator: y = curve(drive·x), mixed with the time-aligned dry signal. Two
 * curves, both odd with slope 1 at 0 and the clip level 1:
 *  - `tanh` (default): bends the whole waveform, more the louder it is (warm, colours everything);
 *  - `knee`: straight (y = x) up to k = 10^(−kneeDb/20), then the algebraic shoulder
 *    k + (1 − k)·u/√(1 + u²), u = (|x| − k)/(1 − k). Only the peaks above the knee are touched. The
 *    shoulder's slope (1 + u²)^(−3/2) falls polynomially, not exponentially like tanh's, so a peak driven
 *    far over the clip level keeps a slope and is not cut into a flat top. This is the mastering clipper
 *    (loudness maximiser): measured with masterscore at −9 LUFS on 16 programmes, the nonlinear residual
 *    fell 1-8 dB against tanh at the same ceiling, with no flat-topped runs (a tanh shoulder after the
 *    knee left plateaus of up to 16 samples on two of them). Its knee is sharper than tanh, so it aliases
 *    more when driven hard (the budget below).
 *
 * Aliasing budget: ≥ 80 dB below the fundamental over the WHOLE band 0..fs/2 (not just ≤ 20 kHz) for a
 * full-scale sine driven 12 dB (tanh); the knee curve (2 dB knee): ≥ 78 dB driven 6 dB, ≥ 60 dB driven
 * 12 dB (measured worst: −80.2 and −64.2 dB, a 7 kHz tone at 44.1 kHz). The clipper runs at 8x on the
 * shared module's CascadeOversampler (oversampler.ts): half-band 2x stages plus one sharp 2x decimation low-pass whose stopband starts AT
 * the base Nyquist (90 dB, Kaiser). So every harmonic above fs/2 is rejected ≥ 89 dB before it can
 * fold, and the upsampler's images of the pass band land above fs − passband, where the decimator
 * removes them too. Why 8x and not 4x: harmonics near the oversampled rate fold straight into the band
 * (k·f0 ≈ L·fs − f); tanh's harmonics decay only geometrically (poles at ±iπ/2, so the k-th harmonic of
 * tanh(a·sin) falls like exp(−k·asinh(π/(2a))), ≈ 3.3 dB per harmonic at a = 4), and at 4x the 23rd
 * harmonic of 7 kHz at 44.1 kHz (161 kHz, folding to 15.4 kHz) is only 79 dB down; at 8x the first
 * harmonic that can fold is ≈ 7.5·fs/f0 (the 47th of 7 kHz), below −150 dB.
 * Measured (test): worst alias −110.7 dB (5 kHz at 44.1 kHz), −116.6 dB (5 kHz at 48 kHz, at 23 kHz,
 * where the old 4x single-stage design had −35 dB).
 *
 * Pass band (documented choice, see oversamplerOptions): to min(0.45·fs, 20 kHz), i.e. 19.8 kHz at
 * 44.1 kHz and 20 kHz at 48 kHz, ripple < 0.001 dB; above it a steep roll-off to −90 dB at fs/2 (the
 * top ~2.2/4 kHz is the transition band). At drive 0 dB, any mix, small signals, the path is flat to
 * 0.001 dB there (tested: within 0.1 dB to 18 kHz). Known limit: content between the pass-band edge and
 * fs/2 has upsampler images just above fs/2 (in the first half-band's transition band) that can
 * intermodulate in the clipper; the products scale with that (quiet, top-octave) content's level.
 *
 * Clipper: a rational minimax approximation of tanh (odd 13th/even 6th order, clamped at |x| ≥ 7.905,
 * the form and coefficients of Eigen's fast float tanh) — |error| ≤ 2.6e-7 everywhere (−132 dB),
 * smooth inside the clamp, so the harmonic content is tanh's to within that; a handful of multiply-adds
 * and one division instead of a Math.tanh library call (8 per frame and channel at 8x).
 *
 * latencyFrames = the oversampler's latency (100 frames at 44.1 kHz, 65 at 48 kHz; fixed after
 * prepare()); the dry path is delayed by the same amount so `mix` never comb-filters. Silence in gives
 * silence out (the approximation is odd: f(0) = 0).
 */
import { dbToGain } from '../audio/db.js';
import { LinearRamp } from './gain.js';
import { CascadeOversampler, type CascadeOversamplerOptions } from './oversampler.js';
import type { ParamTable } from './param-table.js';
import type { ProcessSpec, Processor } from './processor.js';

export interface SaturatorParams {
  /** Gain into the clipper, dB. */
  driveDb: number;
  /** Dry/wet, 0 (dry) .. 1 (wet). */
  mix: number;
  /** Gain after the mix, dB. */
  outputGainDb: number;
  /** Clipping curve: 'tanh' or 'knee' (see the file doc). */
  curve: SaturatorCurve;
  /** With curve 'knee': how far below the clip level the curve leaves the straight line, dB. */
  kneeDb: number;
}

export type SaturatorCurve = 'tanh' | 'knee';

export const SATURATOR_PARAMS = {
  driveDb: { kind: 'number', unit: 'dB', min: 0, max: 36, default: 6, rampMs: 20, description: 'Drive into the soft clipper' },
  mix: { kind: 'number', unit: 'linear', min: 0, max: 1, default: 1, rampMs: 20, description: 'Dry/wet mix (0 dry, 1 wet)' },
  outputGainDb: { kind: 'number', unit: 'dB', min: -36, max: 12, default: 0, rampMs: 20, description: 'Output gain' },
  curve: { kind: 'enum', values: ['tanh', 'knee'], default: 'tanh', description: 'tanh bends the whole waveform; knee is straight up to kneeDb under the clip level, then bends into it' },
  kneeDb: { kind: 'number', unit: 'dB', min: 0.1, max: 24, default: 3, rampMs: 0, description: "With curve 'knee': how far under the clip level the curve starts to bend" },
} as const satisfies ParamTable;

const FACTOR = 8;

// Rational tanh approximation p(x)/q(x) on |x| ≤ CLAMP (coefficients of Eigen's generic_fast_tanh_float).
const CLAMP = 7.90531110763549805;
const A1 = 4.89352455891786e-3;
const A3 = 6.37261928875436e-4;
const A5 = 1.48572235717979e-5;
const A7 = 5.12229709037114e-8;
const A9 = -8.60467152213735e-11;
const A11 = 2.00018790482477e-13;
const A13 = -2.76076847742355e-16;
const B0 = 4.89352518554385e-3;
const B2 = 2.26843463243900e-3;
const B4 = 1.18534705686654e-4;
const B6 = 1.19825839466702e-6;

/**
 * tanh(x) to within 2.6e-7 absolute for every finite x (a rational approximant; see the file doc).
 * Exported for the tests.
 */
export function fastTanh(x: number): number {
  const c = x > CLAMP ? CLAMP : x < -CLAMP ? -CLAMP : x;
  const x2 = c * c;
  const p = c * (A1 + x2 * (A3 + x2 * (A5 + x2 * (A7 + x2 * (A9 + x2 * (A11 + x2 * A13))))));
  const q = B0 + x2 * (B2 + x2 * (B4 + x2 * B6));
  return p / q;
}

/**
 * The 'knee' curve in place over v[0 .. n): y = x for |x| ≤ k, else sign(x)·(k + (1 − k)·u/√(1 + u²)) with
 * u = (|x| − k)/(1 − k): slope 1 and curvature 0 at the knee, the slope falling as (1 + u²)^(−3/2) toward
 * the clip level 1. Exported for the tests.
 */
export function kneeClip(v: Float64Array, n: number, k: number): void {
  const s = 1 - k;
  const inv = 1 / s;
  for (let j = 0; j < n; j++) {
    const x = v[j];
    const e = (x < 0 ? -x : x) - k;
    if (e <= 0) continue;
    const u = e * inv;
    const y = k + (s * u) / Math.sqrt(1 + u * u);
    v[j] = x < 0 ? -y : y;
  }
}

/**
 * Oversampler design for a sample rate: pass band to min(0.45·fs, 20 kHz), stopband from fs/2, 90 dB.
 * Up to 44.4 kHz 0.45·fs is the lower edge; above, 20 kHz: the wider transition band then makes the
 * sharp decimation filter shorter (at 48 kHz 139 instead of 231 taps) and the latency smaller (65 vs
 * 100 frames). The pass band is kept ≥ 0.25·fs (24 kHz at 96 kHz): a narrower one would force the
 * second half-band stage, whose pass band reaches 1 − passband, to be long.
 */
function oversamplerOptions(sampleRate: number): CascadeOversamplerOptions {
  const passband = Math.min(0.45, Math.max(0.25, 20000 / sampleRate));
  return { factor: FACTOR, passband, stopband: 0.5, attenuationDb: 90 };
}

/** Saturator; see SATURATOR_PARAMS. */
export class Saturator implements Processor<SaturatorParams, Record<string, never>> {
  private os = new CascadeOversampler(oversamplerOptions(48000));
  private osRate = 48000;
  private readonly drive = new LinearRamp(dbToGain(6));
  private readonly mix = new LinearRamp(1);
  private readonly outGain = new LinearRamp(1);
  private p: SaturatorParams = { driveDb: 6, mix: 1, outputGainDb: 0, curve: 'tanh', kneeDb: 3 };
  private channels = 0;
  private maxBlock = 1;
  private xin = new Float32Array(0);
  private up = new Float64Array(0);
  private wet = new Float32Array(0);
  private dg = new Float64Array(0);
  private mg = new Float64Array(0);
  private og = new Float64Array(0);
  private dry: Float32Array[] = [];
  private dryPos = 0;
  private readonly meters = {} as Record<string, never>;

  /** The oversampler's latency; depends on the sample rate (fixed after prepare(); 48 kHz design before). */
  get latencyFrames(): number {
    return this.os.latencyFrames;
  }

  prepare(spec: ProcessSpec): void {
    if (spec.sampleRate !== this.osRate) {
      this.os = new CascadeOversampler(oversamplerOptions(spec.sampleRate));
      this.osRate = spec.sampleRate;
    }
    this.channels = spec.channels;
    this.maxBlock = Math.max(1, spec.maxBlockFrames);
    this.os.prepare(spec.channels, this.maxBlock);
    this.xin = new Float32Array(this.maxBlock);
    this.up = new Float64Array(this.maxBlock * FACTOR);
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
    // The knee as a linear level (1 = the tanh curve).
    const kd = SATURATOR_PARAMS.kneeDb;
    const knee = this.p.curve === 'knee' ? dbToGain(-Math.min(kd.max, Math.max(kd.min, this.p.kneeDb))) : 1;
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
      if (knee < 1) kneeClip(up, n * FACTOR, knee);
      else {
        for (let j = 0; j < n * FACTOR; j++) {
          // fastTanh inlined (hot loop).
          const u = up[j];
          const cl = u > CLAMP ? CLAMP : u < -CLAMP ? -CLAMP : u;
          const x2 = cl * cl;
          const num = cl * (A1 + x2 * (A3 + x2 * (A5 + x2 * (A7 + x2 * (A9 + x2 * (A11 + x2 * A13))))));
          up[j] = num / (B0 + x2 * (B2 + x2 * (B4 + x2 * B6)));
        }
      }
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
