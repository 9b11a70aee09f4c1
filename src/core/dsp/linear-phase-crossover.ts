/**
 * Linear-phase band splitter for the multiband compressor (`phase: 'linear'`): every band is the input
 * through a symmetric FIR, so no band is shifted in time against another and the bands sum to the input,
 * delayed, exactly (the top band is the delayed input minus the others).
 *
 * Why: the Linkwitz-Riley splitter (crossover.ts) sums to an allpass. Its group delay at a 120 Hz
 * crossover is a few ms, so the bass of a master comes out later than its highs even with every band
 * at ratio 1; an analysis that aligns input and output by one lag then reads the highs as moving. In
 * mastering, where the multiband is often set to do little, that phase shift was most of what it did.
 *
 * Band magnitudes: a zero-phase Linkwitz-Riley split, M = 1/(1 + (f/fc)⁴) below a crossover and
 * 1 − M = (f/fc)⁴/(1 + (f/fc)⁴) above it, i.e. the squared Butterworth 12 dB/oct low- and high-pass, so
 * band k = Π_{j<k} HP²(f_j) · LP²(f_k). The low and high parts of a crossover add to 1 in amplitude, not
 * only in power, so nothing is boosted or cut where the bands overlap. Each band runs in a LinearPhaseEq
 * (frequency-sampled FIR, overlap-save); latencyFrames is that EQ's (1.5·L − 1: 256 ms at 48 kHz).
 * The price of linear phase: a band whose gain changes pre-rings (the FIR's first half) at low crossovers.
 */
import type { BandSpec } from './biquad-design.js';
import { LinearPhaseEq } from './linear-phase-eq.js';

/** The FIR magnitude of band k of a split at ascending `crossoversHz`, as EQ bands (see the file doc). */
export function linearPhaseBandSpecs(crossoversHz: readonly number[], k: number): BandSpec[] {
  const bands: BandSpec[] = [];
  for (let j = 0; j < k; j++) for (let t = 0; t < 2; t++) bands.push({ type: 'highpass', freqHz: crossoversHz[j], slopeDbPerOct: 12 });
  if (k < crossoversHz.length) for (let t = 0; t < 2; t++) bands.push({ type: 'lowpass', freqHz: crossoversHz[k], slopeDbPerOct: 12 });
  return bands;
}

/** N-band linear-phase splitter; all channels at once (the FIR hops are shared). */
export class LinearPhaseCrossover {
  private readonly firs: LinearPhaseEq[] = [];
  private freqs: number[] = [];
  private channels = 0;
  private maxBlock = 1;
  /** Per channel: the input delayed by latencyFrames (a ring of latency + 1). */
  private delay: Float32Array[] = [];
  private delayPos = 0;
  private latency = 0;
  private readonly ins: Float32Array[] = [];
  private readonly outs: Float32Array[] = [];

  /** FIR delay plus hop delay, frames (0 before prepare()). */
  get latencyFrames(): number {
    return this.latency;
  }

  /** Number of bands (crossovers + 1). */
  get bandCount(): number {
    return this.freqs.length + 1;
  }

  /**
   * Allocates the FIRs of the worst case and the delay lines.
   * @param maxBlockFrames the largest block process() will be given
   */
  prepare(channels: number, sampleRate: number, maxBands: number, maxBlockFrames: number): void {
    this.channels = channels;
    this.maxBlock = Math.max(1, maxBlockFrames);
    while (this.firs.length < maxBands - 1) this.firs.push(new LinearPhaseEq());
    const spec = { sampleRate, channels, maxBlockFrames: this.maxBlock };
    for (const f of this.firs) f.prepare(spec);
    this.latency = this.firs.length > 0 ? this.firs[0].latencyFrames : 0;
    this.delay = Array.from({ length: channels }, () => new Float32Array(this.latency + 1));
    this.setCrossovers(this.freqs);
    this.reset();
  }

  /** Sets the crossovers (ascending; validated by the caller). Takes effect at the next reset() or hop. */
  setCrossovers(crossoversHz: readonly number[]): void {
    this.freqs = [...crossoversHz];
    for (let k = 0; k < this.freqs.length && k < this.firs.length; k++) this.firs[k].setBands(linearPhaseBandSpecs(this.freqs, k));
  }

  reset(): void {
    for (const f of this.firs) f.reset();
    for (const d of this.delay) d.fill(0);
    this.delayPos = 0;
  }

  /**
   * Splits `frames` frames of every channel, from inputs[c][inOffset], into bands[c][b][0 .. frames).
   * frames ≤ the prepared block size.
   */
  process(inputs: readonly Float32Array[], inOffset: number, bands: readonly (readonly Float32Array[])[], frames: number): void {
    const nb = this.bandCount;
    const chans = Math.min(this.channels, inputs.length, bands.length);
    this.ins.length = chans;
    this.outs.length = chans;
    for (let c = 0; c < chans; c++) this.ins[c] = inputs[c].subarray(inOffset, inOffset + frames);
    for (let b = 0; b < nb - 1; b++) {
      for (let c = 0; c < chans; c++) this.outs[c] = bands[c][b];
      this.firs[b].process(this.ins, this.outs, frames);
    }
    // Top band: the delayed input minus the others, so that the bands sum to the delayed input.
    const size = this.latency + 1;
    let pos = this.delayPos;
    for (let c = 0; c < chans; c++) {
      const x = this.ins[c];
      const d = this.delay[c];
      const top = bands[c][nb - 1];
      pos = this.delayPos;
      for (let i = 0; i < frames; i++) {
        const v = x[i];
        d[pos] = v - v === 0 ? v : 0;
        let r = pos - this.latency;
        if (r < 0) r += size;
        top[i] = d[r];
        pos = pos + 1 === size ? 0 : pos + 1;
      }
      for (let b = 0; b < nb - 1; b++) {
        const band = bands[c][b];
        for (let i = 0; i < frames; i++) top[i] -= band[i];
      }
    }
    this.delayPos = pos;
  }
}
