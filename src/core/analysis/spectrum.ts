import FFT from 'fft.js';
import type { SpectrumResult } from './analysis-result.js';

/**
 * IEC 61260-1 nominal 1/3-octave centres, 20 Hz .. 20 kHz. The exact (base-2) centres are
 * 1000·2^(k/3) for k = −17 .. 13; band edges are centre·2^(∓1/6).
 */
export const THIRD_OCTAVE_NOMINAL_HZ = [
  20, 25, 31.5, 40, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000,
  2500, 3150, 4000, 5000, 6300, 8000, 10000, 12500, 16000, 20000,
];

/** Exact (base-2) centre of band b of THIRD_OCTAVE_NOMINAL_HZ, Hz. */
const bandCentreHz = (b: number) => 1000 * Math.pow(2, (b - 17) / 3);
/** A band's lower and upper edge are its centre times these (a sixth of an octave down and up). */
const LOWER_EDGE = Math.pow(2, -1 / 6);
const UPPER_EDGE = Math.pow(2, 1 / 6);

/** Windows analysed in full at the start; after that only one in SPECTRUM_STRIDE (long-term average). */
const DENSE_WINDOWS = 16;
const SPECTRUM_STRIDE = 16;

/**
 * Spectral flatness is measured over the 1/3-octave bands from FLATNESS_LOW_HZ to FLATNESS_HIGH_HZ: where
 * pitched instruments put most of their harmonics and drums their noise. Lower bands hold too few bins at
 * this resolution (≈ 5.9 Hz) to tell a partial from noise; higher up most pitched parts have little left.
 */
const FLATNESS_LOW_HZ = 200;
const FLATNESS_HIGH_HZ = 5000;

/**
 * What a SpectrumAccumulator has summed: the power per bin over its windows and channels, the window
 * count, and the flatness sums (Σ band power · band flatness in dB, Σ band power, over the windows).
 * A worker thread sends these back for LongTermSpectrum.setAnalysed().
 */
export interface SpectrumSums {
  power: Float64Array;
  analysed: number;
  flatnessSum: number;
  flatnessWeight: number;
}

/**
 * Long-term 1/3-octave spectrum.
 *
 * Method: Hann-windowed FFT of N samples (N = 8192 at 44.1/48 kHz, scaled with the rate to the nearest
 * power of two, so the bin spacing stays ≈ 5.9 Hz), hop N (no overlap: for a long-term average the
 * variance of consecutive windows matters little, and it halves the cost), and — after the first 16
 * windows — only every 16th window is analysed (one every ≈ 2.7 s at 48 kHz, evenly spread over the
 * whole file), to keep the cost ≈ 1 FFT per 16·N samples per channel: a long-term average needs coverage,
 * not every window.
 * When the stream's length is known up front (`expectedFrames`), the same number of windows is spread
 * evenly from the start instead (one every `stride` windows): no burst of FFTs in the first 2.7 s, which
 * is where they are dearest (the FFT still runs unoptimized then: measured ≈ 100 ms of CPU for the
 * 32 dense FFTs in a fresh process, against ≈ 10 ms once compiled).
 * Power is averaged over analysed windows and channels; each FFT bin's power is split between bands by the
 * overlap of the bin's interval with the band (low bands are narrower than a bin).
 *
 * Reference: a full-scale sine reads 0 dB in its band, i.e. level = 10·log10(band mean square / 0.5).
 * Only bands with a centre below 0.45·fs are reported (the 20 kHz band needs fs > 44.4 kHz).
 * A file shorter than N is analysed once, zero-padded, with a Hann window of its own length.
 */
/**
 * FFT length for long-term spectra: 8192 at 44.1/48 kHz, scaled with the rate to the nearest power of
 * two (≥ 256), so the frequency resolution (≈ 5.9 Hz) is about the same at every rate.
 */
export function spectrumFftSize(sampleRate: number): number {
  return Math.pow(2, Math.max(8, Math.round(Math.log2((8192 * sampleRate) / 48000))));
}

/**
 * The analysing half of LongTermSpectrum: Hann window, FFT and the power sum of the windows it is given,
 * in the order given (so the same windows in the same order give the same bits, in any thread).
 */
export class SpectrumAccumulator {
  readonly size: number;
  private readonly fft: FFT;
  private readonly window: Float64Array;
  private readonly frame: Float64Array;
  private readonly out: number[];
  /** Σ over analysed windows and channels of the scaled one-sided power per bin. */
  readonly power: Float64Array;
  /** Windows analysed. */
  analysed = 0;
  /** This window's power per bin (channels summed), for its flatness. */
  private readonly windowPower: Float64Array;
  /** Bin ranges [first, last] of the bands whose flatness is measured. */
  private readonly flatnessBins: Int32Array;
  flatnessSum = 0;
  flatnessWeight = 0;

  constructor(readonly sampleRate: number, readonly channels: number) {
    const n = spectrumFftSize(sampleRate);
    this.size = n;
    this.fft = new FFT(n);
    this.window = hann(n, n);
    this.frame = new Float64Array(n);
    this.out = this.fft.createComplexArray() as number[];
    this.power = new Float64Array(n / 2 + 1);
    this.windowPower = new Float64Array(n / 2 + 1);
    this.flatnessBins = flatnessBinRanges(n, sampleRate);
  }

  /** The sums so far (arrays shared, not copied). */
  sums(): SpectrumSums {
    return { power: this.power, analysed: this.analysed, flatnessSum: this.flatnessSum, flatnessWeight: this.flatnessWeight };
  }

  /** Adds one full window (`size` samples per channel). */
  add(buffers: readonly Float32Array[]): void {
    this.analyse(buffers, this.window, this.size);
  }

  /**
   * Adds the first `length` samples of each channel, zero-padded, under a Hann window of that length
   * (a stream shorter than one window).
   */
  addShort(buffers: readonly Float32Array[], length: number): void {
    this.analyse(buffers, hann(length, this.size), length);
  }

  private analyse(buffers: readonly Float32Array[], window: Float64Array, length: number): void {
    const n = this.size;
    const frame = this.frame;
    const out = this.out;
    const power = this.power;
    let w2 = 0;
    for (let i = 0; i < length; i++) w2 += window[i] * window[i];
    // One-sided power density normalised so Σ over a sine's bins equals its mean square (Parseval).
    const scale = 2 / (n * w2) / this.channels;
    const wp = this.windowPower;
    wp.fill(0);
    for (let c = 0; c < this.channels; c++) {
      const x = buffers[c];
      for (let i = 0; i < length; i++) frame[i] = x[i] * window[i];
      for (let i = length; i < n; i++) frame[i] = 0;
      this.fft.realTransform(out, frame);
      for (let k = 0; k <= n / 2; k++) {
        const re = out[2 * k];
        const im = out[2 * k + 1];
        wp[k] += (re * re + im * im) * scale * (k === 0 || k === n / 2 ? 0.5 : 1);
      }
    }
    for (let k = 0; k <= n / 2; k++) power[k] += wp[k];
    this.addFlatness(wp);
    this.analysed++;
  }

  /**
   * Within-band flatness of one window (geometric over arithmetic mean of the bins, in dB), summed with
   * the band's power as weight: a window of harmonics scores far below 0, one of noise near 0. Per window,
   * not on the long-term average, so a pitched part playing many notes still reads as tonal. Ratios only:
   * scaling the input leaves it unchanged.
   */
  private addFlatness(wp: Float64Array): void {
    const ranges = this.flatnessBins;
    let total = 0;
    for (let k = 0; k < wp.length; k++) total += wp[k];
    // Bands far under the window's power hold only leakage and rounding noise, which reads as flat.
    const floor = total * FLATNESS_BAND_FLOOR;
    for (let b = 0; b < ranges.length; b += 2) {
      const k0 = ranges[b], k1 = ranges[b + 1];
      let sum = 0, logSum = 0;
      for (let k = k0; k <= k1; k++) {
        sum += wp[k];
        logSum += Math.log(wp[k] + 1e-30);
      }
      if (!(sum > floor) || !(sum > 0)) continue;
      const bins = k1 - k0 + 1;
      const flatDb = (10 / Math.LN10) * (logSum / bins - Math.log(sum / bins));
      this.flatnessSum += sum * Math.max(FLATNESS_FLOOR_DB, flatDb);
      this.flatnessWeight += sum;
    }
  }

  /** Band levels of the power summed so far (levelsDb[i] null where the band has no power). */
  bands(): SpectrumResult {
    return spectrumBands(this.sums(), this.size, this.sampleRate);
  }
}

/** Floor of one band's flatness, dB: a pure tone in digital silence would otherwise weigh in at −300. */
const FLATNESS_FLOOR_DB = -60;
/** A band counts towards the flatness only above this fraction of its window's power (−50 dB). */
const FLATNESS_BAND_FLOOR = 1e-5;
/** A band needs this many bins whole inside it for a flatness (the 200 Hz band has ≈ 8 at 5.9 Hz). */
const FLATNESS_MIN_BINS = 4;

/** [first, last] FFT bin of each 1/3-octave band from FLATNESS_LOW_HZ to FLATNESS_HIGH_HZ, flattened. */
function flatnessBinRanges(size: number, sampleRate: number): Int32Array {
  const df = sampleRate / size;
  const out: number[] = [];
  for (let b = 0; b < THIRD_OCTAVE_NOMINAL_HZ.length; b++) {
    const centre = bandCentreHz(b);
    if (centre < FLATNESS_LOW_HZ * 0.99 || centre > FLATNESS_HIGH_HZ * 1.01 || centre >= 0.45 * sampleRate) continue;
    const k0 = Math.ceil((centre * LOWER_EDGE) / df);
    const k1 = Math.min(size / 2, Math.floor((centre * UPPER_EDGE) / df));
    if (k1 - k0 + 1 >= FLATNESS_MIN_BINS) out.push(k0, k1);
  }
  return Int32Array.from(out);
}

/**
 * Where LongTermSpectrum sends the windows it selects instead of analysing them itself (a worker thread's
 * SpectrumAccumulator: api/parallel-analyzer.ts). Called with `size` samples per channel, valid only
 * during the call, in window order.
 */
export type SpectrumSink = (buffers: readonly Float32Array[]) => void;

export class LongTermSpectrum {
  readonly sampleRate: number;
  readonly channels: number;
  readonly size: number;
  private readonly buffers: Float32Array[];
  /** Analyse one window in `stride` from the start (known length), or 0: dense start, then SPECTRUM_STRIDE. */
  private readonly stride: number;
  /** Made at the first window analysed here (none with a sink, except for a stream shorter than a window). */
  private acc: SpectrumAccumulator | null = null;
  private readonly sink: SpectrumSink | null;
  /** The sink's sums (setAnalysed), used by result() instead of the local ones. */
  private external: SpectrumSums | null = null;
  private fill = 0;
  private windowIndex = 0;
  private sent = 0;

  /**
   * @param sampleRate Hz
   * @param channels channel count; the power is averaged over all of them
   * @param expectedFrames the stream's length when known (a hint: a different actual length only changes
   *   which windows are analysed, never the correctness of the average)
   * @param sink where selected windows go instead of being analysed here (then setAnalysed() before result())
   */
  constructor(sampleRate: number, channels: number, expectedFrames?: number | null, sink?: SpectrumSink) {
    this.sampleRate = sampleRate;
    this.channels = channels;
    const n = spectrumFftSize(sampleRate);
    this.size = n;
    this.stride = evenStride(expectedFrames, n);
    this.sink = sink ?? null;
    this.buffers = [];
    for (let c = 0; c < channels; c++) this.buffers.push(new Float32Array(n));
  }

  /** Back to an empty measurement. */
  reset(): void {
    this.fill = 0;
    this.windowIndex = 0;
    this.sent = 0;
    this.acc = null;
    this.external = null;
  }

  /** Feeds planar finite samples. */
  push(channels: readonly Float32Array[], frames: number): void {
    const n = this.size;
    let i = 0;
    while (i < frames) {
      const take = Math.min(n - this.fill, frames - i);
      const k = this.windowIndex;
      const use = this.stride > 0 ? k % this.stride === 0 : k < DENSE_WINDOWS || k % SPECTRUM_STRIDE === 0;
      if (use) {
        // A native copy: no loop for the JIT to compile (this runs rarely, mostly while still cold).
        for (let c = 0; c < this.channels; c++) this.buffers[c].set(channels[c].subarray(i, i + take), this.fill);
      }
      this.fill += take;
      i += take;
      if (this.fill === n) {
        if (use) {
          if (this.sink) {
            this.sink(this.buffers);
            this.sent++;
          } else {
            this.accumulator().add(this.buffers);
          }
        }
        this.fill = 0;
        this.windowIndex++;
      }
    }
  }

  /** Windows handed to the sink so far. */
  get windowsSent(): number {
    return this.sent;
  }

  /**
   * The sink's result: its SpectrumAccumulator's sums over the windows it was given, whose count must be
   * windowsSent.
   */
  setAnalysed(sums: SpectrumSums): void {
    if (sums.analysed !== this.sent) throw new RangeError(`LongTermSpectrum: ${sums.analysed} windows analysed, ${this.sent} sent`);
    this.external = sums;
  }

  private accumulator(): SpectrumAccumulator {
    this.acc ??= new SpectrumAccumulator(this.sampleRate, this.channels);
    return this.acc;
  }

  /**
   * Band levels. levelsDb[i] is null where the band has no power (silence).
   */
  result(): SpectrumResult {
    const analysed = this.external ? this.external.analysed : (this.acc?.analysed ?? 0);
    if (analysed === 0 && this.fill > 0) {
      // Short file: one zero-padded window of its own length, analysed here (not kept: result() stays
      // repeatable).
      const acc = new SpectrumAccumulator(this.sampleRate, this.channels);
      acc.addShort(this.buffers, this.fill);
      return acc.bands();
    }
    if (this.external) return spectrumBands(this.external, this.size, this.sampleRate);
    return this.acc ? this.acc.bands() : spectrumBands({ power: new Float64Array(this.size / 2 + 1), analysed: 0, flatnessSum: 0, flatnessWeight: 0 }, this.size, this.sampleRate);
  }
}

/** 1/3-octave band levels (and the flatness) of the sums over the windows of an FFT of `size` points. */
function spectrumBands(sums: SpectrumSums, size: number, sampleRate: number): SpectrumResult {
  const { power, analysed: count } = sums;
  const bandsHz: number[] = [];
  const levelsDb: (number | null)[] = [];
  const n = size;
  const df = sampleRate / n;
  for (let b = 0; b < THIRD_OCTAVE_NOMINAL_HZ.length; b++) {
    const centre = bandCentreHz(b);
    if (centre >= 0.45 * sampleRate) break;
    const lo = centre * LOWER_EDGE;
    const hi = centre * UPPER_EDGE;
    let p = 0;
    const k0 = Math.max(0, Math.floor(lo / df - 0.5));
    const k1 = Math.min(n / 2, Math.ceil(hi / df + 0.5));
    for (let k = k0; k <= k1; k++) {
      // Overlap of the bin interval [(k−½)·df, (k+½)·df] with [lo, hi], as a fraction of the bin.
      const a = Math.max(lo, (k - 0.5) * df);
      const z = Math.min(hi, (k + 0.5) * df);
      if (z > a) p += power[k] * ((z - a) / df);
    }
    bandsHz.push(THIRD_OCTAVE_NOMINAL_HZ[b]);
    const ms = count > 0 ? p / count : 0;
    levelsDb.push(ms > 0 ? 10 * Math.log10(ms / 0.5) : null);
  }
  const flatnessDb = sums.flatnessWeight > 0 ? sums.flatnessSum / sums.flatnessWeight : null;
  return { bandsHz, levelsDb, flatnessDb };
}

/**
 * The even stride for a stream of `frames` frames: as many analysed windows as the dense-then-sparse
 * schedule would give (DENSE_WINDOWS + the rest / SPECTRUM_STRIDE), spread evenly; 0 when the length is
 * unknown. A stream of DENSE_WINDOWS windows or fewer is analysed in full (stride 1).
 */
function evenStride(frames: number | null | undefined, size: number): number {
  if (frames === null || frames === undefined || !(frames >= 0)) return 0;
  const windows = Math.floor(frames / size);
  if (windows <= DENSE_WINDOWS) return 1;
  const analysed = DENSE_WINDOWS + Math.ceil((windows - DENSE_WINDOWS) / SPECTRUM_STRIDE);
  return Math.max(1, Math.floor(windows / analysed));
}

/** Symmetric Hann window of `length` points, stored in an array of `size` (rest 0). */
export function hann(length: number, size: number): Float64Array {
  const w = new Float64Array(size);
  if (length === 1) w[0] = 1;
  for (let i = 0; i < length && length > 1; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1));
  return w;
}
