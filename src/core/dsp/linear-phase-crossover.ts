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
 * only in power, so nothing is boosted or cut where the bands overlap. Each band's FIR is designed as the
 * linear-phase EQ designs its and runs in the same overlap-save engine (linear-phase-convolver.ts): one
 * forward FFT per channel and hop serves every band (then one product and one inverse FFT per band).
 * latencyFrames is the EQ's, 1.5·L − 1 (256 ms at 48 kHz). A crossover change crossfades over one hop.
 * The price of linear phase: a band whose gain changes pre-rings (the FIR's first half) at low crossovers.
 */
import type { BandSpec } from './biquad-design.js';
import { LinearPhaseConvolver } from './linear-phase-convolver.js';

/** The FIR magnitude of band k of a split at ascending `crossoversHz`, as EQ bands (see the file doc). */
export function linearPhaseBandSpecs(crossoversHz: readonly number[], k: number): BandSpec[] {
  const bands: BandSpec[] = [];
  for (let j = 0; j < k; j++) for (let t = 0; t < 2; t++) bands.push({ type: 'highpass', freqHz: crossoversHz[j], slopeDbPerOct: 12 });
  if (k < crossoversHz.length) for (let t = 0; t < 2; t++) bands.push({ type: 'lowpass', freqHz: crossoversHz[k], slopeDbPerOct: 12 });
  return bands;
}

/** N-band linear-phase splitter; all channels at once (the hops are shared). */
export class LinearPhaseCrossover {
  private freqs: number[] = [];
  private channels = 0;
  private readonly conv = new LinearPhaseConvolver();
  private readonly bandsOf = (k: number) => linearPhaseBandSpecs(this.freqs, k);
  /** Per channel: the input delayed by latencyFrames (a ring of latency + 1), for the top band. */
  private delay: Float32Array[] = [];
  private delayPos = 0;
  private latency = 0;

  /** FIR delay plus hop delay, frames (0 before prepare()). */
  get latencyFrames(): number {
    return this.latency;
  }

  /** Number of bands (crossovers + 1). */
  get bandCount(): number {
    return this.freqs.length + 1;
  }

  /** Allocates the FFT, kernels and buffers for up to `maxBands` bands; designs the crossovers set so far. */
  prepare(channels: number, sampleRate: number, maxBands: number): void {
    this.channels = channels;
    this.conv.prepare(channels, sampleRate, Math.max(1, maxBands - 1), this.freqs.length, this.bandsOf);
    this.latency = this.conv.latencyFrames;
    this.delay = Array.from({ length: channels }, () => new Float32Array(this.latency + 1));
    this.reset();
  }

  /** Sets the crossovers (ascending; validated by the caller). After prepare() it crossfades over the next hop. */
  setCrossovers(crossoversHz: readonly number[]): void {
    this.freqs = [...crossoversHz];
    this.conv.setKernels(this.freqs.length, this.bandsOf);
  }

  /** Clears the signal history; a pending crossover change takes effect at once. */
  reset(): void {
    this.conv.reset();
    for (const d of this.delay) d.fill(0);
    this.delayPos = 0;
  }

  /**
   * Splits `frames` frames of every channel, from inputs[c][inOffset], into bands[c][b][0 .. frames).
   */
  process(inputs: readonly Float32Array[], inOffset: number, bands: readonly (readonly Float32Array[])[], frames: number): void {
    const firs = this.bandCount - 1;
    const chans = Math.min(this.channels, inputs.length, bands.length);
    let done = 0;
    while (done < frames) {
      const n = Math.min(this.conv.room(), frames - done);
      for (let c = 0; c < chans; c++) {
        this.conv.write(c, inputs[c], inOffset + done, n);
        for (let b = 0; b < firs; b++) this.conv.read(c, b, bands[c][b], done, n);
      }
      done += n;
      this.conv.advance(n, chans, firs);
    }
    // Top band: the delayed input minus the others, so that the bands sum to the delayed input.
    const size = this.latency + 1;
    let dpos = this.delayPos;
    for (let c = 0; c < chans; c++) {
      const x = inputs[c];
      const d = this.delay[c];
      const top = bands[c][firs];
      dpos = this.delayPos;
      for (let i = 0; i < frames; i++) {
        const v = x[inOffset + i];
        d[dpos] = v - v === 0 ? v : 0;
        let r = dpos - this.latency;
        if (r < 0) r += size;
        top[i] = d[r];
        dpos = dpos + 1 === size ? 0 : dpos + 1;
      }
      for (let b = 0; b < firs; b++) {
        const band = bands[c][b];
        for (let i = 0; i < frames; i++) top[i] -= band[i];
      }
    }
    this.delayPos = dpos;
  }
}
