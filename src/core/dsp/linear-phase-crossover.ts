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
 * linear-phase EQ designs its (designLinearPhaseFir) and runs by overlap-save in the EQ's hops: one
 * forward FFT per channel and hop serves every band (then one product and one inverse FFT per band).
 * latencyFrames is the EQ's, 1.5·L − 1 (256 ms at 48 kHz). A crossover change crossfades over one hop.
 * The price of linear phase: a band whose gain changes pre-rings (the FIR's first half) at low crossovers.
 */
import FFT from 'fft.js';
import type { BandSpec } from './biquad-design.js';
import { designLinearPhaseKernel, emitHop, linearPhaseFirSize, multiplySpectra } from './linear-phase-eq.js';

const DENORMAL = 1e-30;

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
  private fs = 48000;
  private l = 0;
  private n = 0;
  private fft: FFT | null = null;
  /** Kernel spectra of the FIR bands (all but the top band), and the next ones while a change is pending. */
  private kernels: number[][] = [];
  private kernelsNext: number[][] = [];
  private pending = false;
  private taps = new Float64Array(0);
  private tapsPadded: number[] = [];
  private spec: number[] = [];
  private prod: number[] = [];
  private time: number[] = [];
  private timeB: number[] = [];
  /** Per channel: the last N inputs (overlap-save history). */
  private inBuf: Float64Array[] = [];
  /** Per channel and FIR band: the L outputs of the last hop, emitted during this one. */
  private outBuf: Float64Array[][] = [];
  private pos = 0;
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
    this.fs = sampleRate;
    this.l = linearPhaseFirSize(sampleRate);
    this.n = 2 * this.l;
    const fft = new FFT(this.n);
    this.fft = fft;
    const firs = Math.max(1, maxBands - 1);
    this.kernels = Array.from({ length: firs }, () => fft.createComplexArray() as number[]);
    this.kernelsNext = Array.from({ length: firs }, () => fft.createComplexArray() as number[]);
    this.taps = new Float64Array(this.l);
    this.tapsPadded = new Array<number>(this.n).fill(0);
    this.spec = fft.createComplexArray();
    this.prod = fft.createComplexArray();
    this.time = fft.createComplexArray();
    this.timeB = fft.createComplexArray();
    this.inBuf = Array.from({ length: channels }, () => new Float64Array(this.n));
    this.outBuf = Array.from({ length: channels }, () => Array.from({ length: firs }, () => new Float64Array(this.l)));
    this.latency = this.l + (this.l / 2 - 1);
    this.delay = Array.from({ length: channels }, () => new Float32Array(this.latency + 1));
    this.design(this.kernels);
    this.pending = false;
    this.reset();
  }

  /** Sets the crossovers (ascending; validated by the caller). After prepare() it crossfades over the next hop. */
  setCrossovers(crossoversHz: readonly number[]): void {
    this.freqs = [...crossoversHz];
    if (!this.fft) return;
    this.design(this.kernelsNext);
    this.pending = true;
  }

  /** Clears the signal history; a pending crossover change takes effect at once. */
  reset(): void {
    for (const b of this.inBuf) b.fill(0);
    for (const ch of this.outBuf) for (const b of ch) b.fill(0);
    for (const d of this.delay) d.fill(0);
    this.pos = 0;
    this.delayPos = 0;
    if (this.pending) this.swap();
  }

  private swap(): void {
    const t = this.kernels;
    this.kernels = this.kernelsNext;
    this.kernelsNext = t;
    this.pending = false;
  }

  /** Designs every FIR band's kernel spectrum for the current crossovers into `dest`. */
  private design(dest: number[][]): void {
    for (let k = 0; k < this.freqs.length && k < dest.length; k++) {
      designLinearPhaseKernel(linearPhaseBandSpecs(this.freqs, k), this.fs, this.fft as FFT, dest[k], this.taps, this.tapsPadded, this.spec, this.time);
    }
  }

  /**
   * Splits `frames` frames of every channel, from inputs[c][inOffset], into bands[c][b][0 .. frames).
   */
  process(inputs: readonly Float32Array[], inOffset: number, bands: readonly (readonly Float32Array[])[], frames: number): void {
    const firs = this.bandCount - 1;
    const chans = Math.min(this.channels, inputs.length, bands.length);
    const l = this.l;
    let done = 0;
    while (done < frames) {
      const n = Math.min(l - this.pos, frames - done);
      const pos = this.pos;
      for (let c = 0; c < chans; c++) {
        const inp = inputs[c];
        const ib = this.inBuf[c];
        for (let i = 0; i < n; i++) {
          const x = inp[inOffset + done + i];
          ib[l + pos + i] = x - x === 0 ? x : 0; // non-finite input becomes 0
        }
        for (let b = 0; b < firs; b++) {
          const ob = this.outBuf[c][b];
          const out = bands[c][b];
          for (let i = 0; i < n; i++) {
            const y = ob[pos + i];
            out[done + i] = y < DENORMAL && y > -DENORMAL ? 0 : y;
          }
        }
      }
      done += n;
      this.pos += n;
      if (this.pos === l) {
        this.runHop(chans, firs);
        this.pos = 0;
      }
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

  /** One overlap-save hop: one forward FFT per channel, then a product and an inverse FFT per FIR band. */
  private runHop(chans: number, firs: number): void {
    const fft = this.fft as FFT;
    const l = this.l;
    const fade = this.pending;
    for (let c = 0; c < chans; c++) {
      const ib = this.inBuf[c];
      fft.realTransform(this.spec, ib);
      fft.completeSpectrum(this.spec);
      for (let b = 0; b < firs; b++) {
        multiplySpectra(this.spec, this.kernels[b], this.prod, this.n);
        fft.inverseTransform(this.time, this.prod);
        if (fade) {
          multiplySpectra(this.spec, this.kernelsNext[b], this.prod, this.n);
          fft.inverseTransform(this.timeB, this.prod);
        }
        emitHop(this.outBuf[c][b], this.time, fade ? this.timeB : null, l);
      }
      // Slide: the newest L inputs become the history of the next hop.
      ib.copyWithin(0, l, this.n);
    }
    if (fade) this.swap();
  }
}
