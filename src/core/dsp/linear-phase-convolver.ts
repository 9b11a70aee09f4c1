/**
 * The linear-phase FIR engine shared by the linear-phase EQ (one kernel) and the linear-phase band splitter
 * (one kernel per band): kernel design and streaming convolution by FFT overlap-save.
 *
 * Design (frequency sampling + window): the target |H(f)| (product of the bands' analogue magnitudes,
 * biquad-design.ts) is sampled at the N = 2L bins of the convolution FFT with zero phase, transformed
 * to a (circularly even) impulse response, and the central L - 1 taps are kept under a Blackman window
 * (odd length, symmetric about tap c = L/2 - 1, so the phase is exactly linear). The window smooths the
 * target over about ±3 bins of L (±3·fs/L: ±17.6 Hz at 48 kHz with L = 8192), which bounds accuracy
 * at low frequencies: features narrower than ~6 bins (a 30 Hz 48 dB/oct highpass, a Q 8 bell at 100 Hz)
 * are smoothed; wide features are within 0.1 dB (test/core/dsp/linear-phase-eq.test.ts).
 *
 * Streaming: overlap-save with FFT size N = 2L and hop H = L: every H input samples the last N inputs of a
 * channel are transformed once, multiplied by each kernel's spectrum, and each kernel's H valid outputs are
 * emitted during the next hop. latencyFrames = H + c = 1.5·L - 1 (the FIR delay plus the block delay), fixed
 * after prepare(). L = 8192 up to 50 kHz, 16384 up to 100 kHz, 32768 above (about 170 ms of taps).
 *
 * Kernel changes: the new kernels are designed at once (no allocation) and the next hop is computed with
 * both sets and crossfaded linearly over the hop, so changes are click-free and the output does not depend
 * on the block size.
 */
import FFT from 'fft.js';
import { analogBandPower, type BandSpec } from './biquad-design.js';

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

/** Multi-channel, multi-kernel overlap-save convolver with linear-phase kernels (see the file comment). */
export class LinearPhaseConvolver {
  private fs = 48000;
  private l = 0;
  private n = 0;
  private fft: FFT | null = null;
  /** Kernel spectra, and the next ones while a change is pending. */
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
  /** Per channel and kernel: the L outputs of the last hop, emitted during this one. */
  private outBuf: Float64Array[][] = [];
  private pos = 0;

  /** Whether prepare() has run. */
  get prepared(): boolean {
    return this.fft !== null;
  }

  /** FIR delay plus hop delay, frames (0 before prepare()). */
  get latencyFrames(): number {
    return this.fft ? this.l + (this.l / 2 - 1) : 0;
  }

  /**
   * Allocates the FFT and buffers for `channels` and up to `maxKernels` kernels, and designs the first
   * `count` kernels from bandsOf(k).
   */
  prepare(channels: number, sampleRate: number, maxKernels: number, count: number, bandsOf: (k: number) => readonly BandSpec[]): void {
    this.fs = sampleRate;
    this.l = linearPhaseFirSize(sampleRate);
    this.n = 2 * this.l;
    const fft = new FFT(this.n);
    this.fft = fft;
    this.kernels = Array.from({ length: maxKernels }, () => fft.createComplexArray() as number[]);
    this.kernelsNext = Array.from({ length: maxKernels }, () => fft.createComplexArray() as number[]);
    this.taps = new Float64Array(this.l);
    this.tapsPadded = new Array<number>(this.n).fill(0);
    this.spec = fft.createComplexArray();
    this.prod = fft.createComplexArray();
    this.time = fft.createComplexArray();
    this.timeB = fft.createComplexArray();
    this.inBuf = Array.from({ length: channels }, () => new Float64Array(this.n));
    this.outBuf = Array.from({ length: channels }, () => Array.from({ length: maxKernels }, () => new Float64Array(this.l)));
    this.design(this.kernels, count, bandsOf);
    this.pending = false;
    this.reset();
  }

  /** New kernels (the first `count`, from bandsOf(k)), crossfaded in over the next hop. No-op before prepare(). */
  setKernels(count: number, bandsOf: (k: number) => readonly BandSpec[]): void {
    if (!this.fft) return;
    this.design(this.kernelsNext, count, bandsOf);
    this.pending = true;
  }

  /** Clears the signal history; a pending kernel change takes effect at once. */
  reset(): void {
    for (const b of this.inBuf) b.fill(0);
    for (const ch of this.outBuf) for (const b of ch) b.fill(0);
    this.pos = 0;
    if (this.pending) this.swap();
  }

  /** Frames left in the current hop (write, read and advance at most this many at a time). */
  room(): number {
    return this.l - this.pos;
  }

  /** Writes n frames of channel c from input[offset] into the current hop (non-finite input becomes 0). */
  write(c: number, input: Float32Array, offset: number, n: number): void {
    const ib = this.inBuf[c];
    const at = this.l + this.pos;
    for (let i = 0; i < n; i++) {
      const x = input[offset + i];
      ib[at + i] = x - x === 0 ? x : 0;
    }
  }

  /** Reads n output frames of kernel k, channel c, into out[offset]. */
  read(c: number, k: number, out: Float32Array, offset: number, n: number): void {
    const ob = this.outBuf[c][k];
    const pos = this.pos;
    for (let i = 0; i < n; i++) {
      const y = ob[pos + i];
      out[offset + i] = y < DENORMAL && y > -DENORMAL ? 0 : y;
    }
  }

  /** Moves on by n frames (every channel written and read); a full hop is convolved with the first `kernels` kernels. */
  advance(n: number, channels: number, kernels: number): void {
    this.pos += n;
    if (this.pos === this.l) {
      this.runHop(channels, kernels);
      this.pos = 0;
    }
  }

  private swap(): void {
    const t = this.kernels;
    this.kernels = this.kernelsNext;
    this.kernelsNext = t;
    this.pending = false;
  }

  private design(dest: number[][], count: number, bandsOf: (k: number) => readonly BandSpec[]): void {
    for (let k = 0; k < count && k < dest.length; k++) {
      designLinearPhaseKernel(bandsOf(k), this.fs, this.fft as FFT, dest[k], this.taps, this.tapsPadded, this.spec, this.time);
    }
  }

  /** One overlap-save hop: one forward FFT per channel, then a product and an inverse FFT per kernel. */
  private runHop(channels: number, kernels: number): void {
    const fft = this.fft as FFT;
    const l = this.l;
    const fade = this.pending;
    for (let c = 0; c < channels; c++) {
      const ib = this.inBuf[c];
      fft.realTransform(this.spec, ib);
      fft.completeSpectrum(this.spec);
      for (let k = 0; k < kernels; k++) {
        multiplySpectra(this.spec, this.kernels[k], this.prod, this.n);
        fft.inverseTransform(this.time, this.prod);
        if (fade) {
          multiplySpectra(this.spec, this.kernelsNext[k], this.prod, this.n);
          fft.inverseTransform(this.timeB, this.prod);
        }
        emitHop(this.outBuf[c][k], this.time, fade ? this.timeB : null, l);
      }
      // Slide: the newest L inputs become the history of the next hop.
      ib.copyWithin(0, l, this.n);
    }
    if (fade) this.swap();
  }
}

/** dest = spec · kernel over `bins` complex bins (interleaved re, im); dest may be spec. */
function multiplySpectra(spec: readonly number[], kernel: readonly number[], dest: number[], bins: number): void {
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
function emitHop(out: Float64Array, time: readonly number[], timeNext: readonly number[] | null, l: number): void {
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
function designLinearPhaseKernel(bands: readonly BandSpec[], sampleRate: number, fft: FFT, dest: number[], taps: Float64Array, padded: number[], specScratch: number[], timeScratch: number[]): void {
  designLinearPhaseFir(bands, sampleRate, fft, taps, specScratch, timeScratch);
  const n = fft.size;
  const len = (n >> 1) - 1;
  for (let i = 0; i < n; i++) padded[i] = i < len ? taps[i] : 0;
  fft.realTransform(dest, padded);
  fft.completeSpectrum(dest);
}
