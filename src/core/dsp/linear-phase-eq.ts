/**
 * Linear-phase EQ: a symmetric FIR designed from the analogue prototype magnitude of the bands, applied
 * by FFT overlap-save in fixed hops.
 *
 * Design (frequency sampling + window): the target |H(f)| (product of the bands' analogue magnitudes,
 * biquad-design.ts) is sampled at the N = 2L bins of the convolution FFT with zero phase, transformed
 * to a (circularly even) impulse response, and the central L - 1 taps are kept under a Blackman window
 * (odd length, symmetric about tap c = L/2 - 1, so the phase is exactly linear). The window smooths the
 * target over about ±3 bins of L (±3·fs/L: ±17.6 Hz at 48 kHz with L = 8192), which bounds accuracy
 * at low frequencies: features narrower than ~6 bins (a 30 Hz 48 dB/oct highpass, a Q 8 bell at 100 Hz)
 * are smoothed; wide features are within 0.1 dB (test/core/dsp/linear-phase-eq.test.ts).
 *
 * Streaming: overlap-save with FFT size N = 2L and hop H = L: every H input samples the last N inputs are
 * transformed, multiplied by the kernel spectrum, and the H valid outputs are emitted during the next
 * hop. latencyFrames = H + c = 1.5·L - 1 (the FIR delay plus the block delay), fixed after prepare().
 * L = 8192 up to 50 kHz, 16384 up to 100 kHz, 32768 above (about 170 ms of taps).
 *
 * Parameter changes: the new kernel is designed in setBands() (no allocation) and the next hop is
 * computed with both kernels and crossfaded linearly over the hop, so changes are click-free and the
 * output does not depend on the block size.
 */
import FFT from 'fft.js';
import { analogBandPower, type BandSpec } from './biquad-design.js';
import type { ProcessSpec, Processor } from './processor.js';

export interface LinearPhaseEqParams {
  bands: BandSpec[];
}

const DENORMAL = 1e-30;

/** FIR length parameter L (a power of two) for a sample rate in Hz. */
export function linearPhaseFirSize(sampleRate: number): number {
  return sampleRate <= 50000 ? 8192 : sampleRate <= 100000 ? 16384 : 32768;
}

/**
 * Designs the symmetric FIR for `bands` (frequency sampling + Blackman window). Pure apart from the
 * caller-provided scratch.
 * @param bands bands in user units
 * @param sampleRate Hz
 * @param fft an fft.js instance of size N = 2L
 * @param taps output, length >= L - 1; taps[c] is the centre (c = L/2 - 1)
 * @param specScratch fft.createComplexArray() scratch
 * @param timeScratch fft.createComplexArray() scratch
 */
export function designLinearPhaseFir(bands: readonly BandSpec[], sampleRate: number, fft: FFT, taps: Float64Array, specScratch: number[], timeScratch: number[]): void {
  const n = fft.size;
  const l = n >> 1;
  // Zero-phase target spectrum at bins 0..N-1 (mirrored).
  for (let k = 0; k <= n >> 1; k++) {
    const f = (k * sampleRate) / n;
    let p = 1;
    for (let b = 0; b < bands.length; b++) p *= analogBandPower(bands[b], f);
    const m = Math.sqrt(p);
    specScratch[2 * k] = m;
    specScratch[2 * k + 1] = 0;
    if (k > 0 && k < n >> 1) {
      specScratch[2 * (n - k)] = m;
      specScratch[2 * (n - k) + 1] = 0;
    }
  }
  fft.inverseTransform(timeScratch, specScratch);
  const len = l - 1;
  const c = (len - 1) >> 1;
  for (let m = 0; m < len; m++) {
    const idx = (m - c + n) % n;
    // Blackman window over len taps (symmetric; sidelobes -58 dB).
    const ph = (2 * Math.PI * m) / (len - 1);
    const w = 0.42 - 0.5 * Math.cos(ph) + 0.08 * Math.cos(2 * ph);
    taps[m] = timeScratch[2 * idx] * w;
  }
}

/** Streaming linear-phase EQ (see the file comment). */
export class LinearPhaseEq implements Processor<LinearPhaseEqParams, Record<string, never>> {
  private bands: BandSpec[] = [];
  private fs = 48000;
  private channels = 0;
  private l = 0;
  private n = 0;
  private fft: FFT | null = null;
  private taps = new Float64Array(0);
  private tapsPadded: number[] = [];
  private kernel: number[] = [];
  private kernelNext: number[] = [];
  private spec: number[] = [];
  private specB: number[] = [];
  private time: number[] = [];
  private timeB: number[] = [];
  private inBuf: Float64Array[] = [];
  private outBuf: Float64Array[] = [];
  private pos = 0;
  private pending = false;
  private latency = 0;
  private readonly meters: Record<string, never> = {};

  /** FIR delay plus hop delay in frames (0 before prepare). */
  get latencyFrames(): number {
    return this.latency;
  }

  /** Allocates the FFT, buffers and kernels for the sample rate and channel count. */
  prepare(spec: ProcessSpec): void {
    this.fs = spec.sampleRate;
    this.channels = spec.channels;
    this.l = linearPhaseFirSize(spec.sampleRate);
    this.n = 2 * this.l;
    const fft = new FFT(this.n);
    this.fft = fft;
    this.taps = new Float64Array(this.l);
    this.tapsPadded = new Array<number>(this.n).fill(0);
    this.kernel = fft.createComplexArray();
    this.kernelNext = fft.createComplexArray();
    this.spec = fft.createComplexArray();
    this.specB = fft.createComplexArray();
    this.time = fft.createComplexArray();
    this.timeB = fft.createComplexArray();
    this.inBuf = [];
    this.outBuf = [];
    for (let c = 0; c < spec.channels; c++) {
      this.inBuf.push(new Float64Array(this.n));
      this.outBuf.push(new Float64Array(this.l));
    }
    this.latency = this.l + (this.l / 2 - 1);
    this.designInto(this.kernel);
    this.reset();
  }

  /** Clears the signal history; a pending kernel takes effect immediately. */
  reset(): void {
    for (const b of this.inBuf) b.fill(0);
    for (const b of this.outBuf) b.fill(0);
    this.pos = 0;
    if (this.pending) this.swapKernels();
  }

  /** Sets the bands (validated). After prepare() the change crossfades over the next hop. */
  setParams(patch: Partial<LinearPhaseEqParams>): void {
    if (patch.bands) this.setBands(patch.bands);
  }

  /** Sets the bands (validated); see setParams(). */
  setBands(bands: readonly BandSpec[]): void {
    this.bands = bands.slice();
    if (!this.fft) return;
    this.designInto(this.kernelNext);
    this.pending = true;
  }

  /** No meters. */
  readMeters(): Readonly<Record<string, never>> {
    return this.meters;
  }

  private swapKernels(): void {
    const t = this.kernel;
    this.kernel = this.kernelNext;
    this.kernelNext = t;
    this.pending = false;
  }

  /** Designs the FIR for the current bands and stores its N-point spectrum in `dest`. */
  private designInto(dest: number[]): void {
    designLinearPhaseKernel(this.bands, this.fs, this.fft as FFT, dest, this.taps, this.tapsPadded, this.spec, this.time);
  }

  /** Filters `frames` samples per channel; in-place safe. */
  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void {
    if (!this.fft) {
      for (let c = 0; c < outputs.length; c++) if (outputs[c] !== inputs[c]) outputs[c].set(inputs[c].subarray(0, frames));
      return;
    }
    const l = this.l;
    let done = 0;
    while (done < frames) {
      const n = Math.min(l - this.pos, frames - done);
      const pos = this.pos;
      for (let c = 0; c < this.channels; c++) {
        const inp = inputs[c];
        const out = outputs[c];
        const ib = this.inBuf[c];
        const ob = this.outBuf[c];
        for (let i = 0; i < n; i++) {
          const x = inp[done + i];
          ib[l + pos + i] = x - x === 0 ? x : 0; // non-finite input becomes 0
          const y = ob[pos + i];
          out[done + i] = y < DENORMAL && y > -DENORMAL ? 0 : y;
        }
      }
      done += n;
      this.pos += n;
      if (this.pos === l) {
        this.runHop();
        this.pos = 0;
      }
    }
  }

  /** One overlap-save hop for every channel. */
  private runHop(): void {
    const fft = this.fft as FFT;
    const l = this.l;
    const nn = this.n;
    const fade = this.pending;
    for (let c = 0; c < this.channels; c++) {
      const ib = this.inBuf[c];
      const ob = this.outBuf[c];
      fft.realTransform(this.spec, ib);
      fft.completeSpectrum(this.spec);
      if (fade) for (let i = 0; i < 2 * nn; i++) this.specB[i] = this.spec[i];
      multiplySpectra(this.spec, this.kernel, this.spec, nn);
      fft.inverseTransform(this.time, this.spec);
      if (fade) {
        multiplySpectra(this.specB, this.kernelNext, this.specB, nn);
        fft.inverseTransform(this.timeB, this.specB);
      }
      emitHop(ob, this.time, fade ? this.timeB : null, l);
      // Slide: the newest L inputs become the history of the next hop.
      ib.copyWithin(0, l, nn);
    }
    if (fade) this.swapKernels();
  }
}

/** dest = spec · kernel over `bins` complex bins (interleaved re, im); dest may be spec. */
export function multiplySpectra(spec: readonly number[], kernel: readonly number[], dest: number[], bins: number): void {
  const len = 2 * bins;
  for (let i = 0; i < len; i += 2) {
    const re = spec[i];
    const im = spec[i + 1];
    const kr = kernel[i];
    const ki = kernel[i + 1];
    dest[i] = re * kr - im * ki;
    dest[i + 1] = re * ki + im * kr;
  }
}

/**
 * The L valid outputs of an overlap-save hop (the second half of the inverse FFT `time`) into `out`,
 * crossfaded linearly into `timeNext` over the hop when a kernel change is pending; a non-finite hop
 * (from a non-finite kernel) becomes silence.
 */
export function emitHop(out: Float64Array, time: readonly number[], timeNext: readonly number[] | null, l: number): void {
  if (timeNext) {
    for (let i = 0; i < l; i++) {
      const t = (i + 0.5) / l;
      out[i] = (1 - t) * time[2 * (l + i)] + t * timeNext[2 * (l + i)];
    }
  } else {
    for (let i = 0; i < l; i++) out[i] = time[2 * (l + i)];
  }
  if (!Number.isFinite(out[0]) || !Number.isFinite(out[l - 1])) out.fill(0);
}

/**
 * The FIR for `bands` (designLinearPhaseFir) as the N-point spectrum overlap-save multiplies by, into
 * `dest` (fft.createComplexArray()). taps (≥ L − 1) and padded (N) are scratch, as are specScratch and
 * timeScratch.
 */
export function designLinearPhaseKernel(bands: readonly BandSpec[], sampleRate: number, fft: FFT, dest: number[], taps: Float64Array, padded: number[], specScratch: number[], timeScratch: number[]): void {
  designLinearPhaseFir(bands, sampleRate, fft, taps, specScratch, timeScratch);
  const n = fft.size;
  const len = (n >> 1) - 1;
  for (let i = 0; i < n; i++) padded[i] = i < len ? taps[i] : 0;
  fft.realTransform(dest, padded);
  fft.completeSpectrum(dest);
}
