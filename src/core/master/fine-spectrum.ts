/**
 * Long-term narrow-band spectrum of the mid signal plus mid/side energies: what resonance detection
 * (≈ 6 Hz bins) and width matching need beyond the Analyzer's 1/3-octave spectrum. Streaming, memory
 * independent of length.
 *
 * It also keeps the channel-averaged power spectrum (|M|² + |S|² per bin for stereo, which equals
 * (|L|² + |R|²)/2), the quantity shared/eval/masterscore.py integrates into its 1/3-octave bands: the
 * reference matcher measures tonal distance on it, densely sampled (every 2nd window against the
 * Analyzer's every 16th), so the match is judged on the same statistic the scorer uses.
 */
import FFT from 'fft.js';
import { hann, spectrumFftSize } from '../analysis/spectrum.js';

/** Windows analysed in full at the start; after that one in STRIDE (a long-term average needs no more). */
const DENSE_WINDOWS = 16;
const STRIDE = 2;
/** Length of the segments kept for persistence tests, s (doubled whenever MAX_SEGMENTS would be exceeded). */
const SEGMENT_SECONDS = 4;
/** Most segments kept: memory stays bounded on any length (48 × 4097 bins × 8 bytes ≈ 1.6 MB at 48 kHz). */
const MAX_SEGMENTS = 48;

export interface FineSpectrumResult {
  /** Bin spacing, Hz. */
  binHz: number;
  /** Mean power per bin of the mid signal (M = mean of channels), dB re a full-scale sine in one bin; -Infinity when empty. */
  levelsDb: Float64Array;
  /** Mean channel power per bin (|M|² + |S|² for stereo, |M|² otherwise), same dB reference as levelsDb. */
  channelPowerDb: Float64Array;
  /** Mean square of M = (L+R)/2 and S = (L−R)/2 over the whole programme (stereo only; 0 otherwise). */
  midPower: number;
  sidePower: number;
  /** 10·log10(side/mid), dB; null for mono or silence (the stereo width measure used for matching). */
  sideToMidDb: number | null;
  /**
   * The mid spectrum of consecutive segments of the programme (same dB reference as levelsDb), in time
   * order: 4 s each, longer for long programmes (at most 48 segments). What is in most segments belongs to
   * the sound (a resonance); what comes and goes belongs to the music (the notes played).
   */
  segmentLevelsDb: Float64Array[];
}

/**
 * Accumulates the Hann-windowed FFT power of the mid signal (hop N, no overlap; after the first 16
 * windows every 2nd window) and the exact mid/side energies.
 */
export class FineSpectrum {
  readonly size: number;
  private readonly fft: FFT;
  private readonly window: Float64Array;
  private readonly frame: Float64Array;
  private readonly buffer: Float64Array;
  private readonly sideBuffer: Float64Array;
  private readonly out: number[];
  private readonly power: Float64Array;
  private readonly sidePowerBins: Float64Array;
  private readonly channels: number;
  private readonly sampleRate: number;
  private fill = 0;
  private windowIndex = 0;
  private analysed = 0;
  private mid = 0;
  private side = 0;
  private frames = 0;
  /** Power of the current segment and how many windows it holds; closed segments as mean powers. */
  private readonly segmentPower: Float64Array;
  private segmentCount = 0;
  private segmentWindows: number;
  private segmentIndex = 0;
  private readonly segments: Float64Array[] = [];

  /** @param sampleRate Hz; @param channels channel count (mid = mean of all channels; side from channels 0/1) */
  constructor(sampleRate: number, channels: number) {
    this.sampleRate = sampleRate;
    this.channels = channels;
    const n = spectrumFftSize(sampleRate);
    this.size = n;
    this.fft = new FFT(n);
    this.window = hann(n, n);
    this.frame = new Float64Array(n);
    this.buffer = new Float64Array(n);
    this.sideBuffer = new Float64Array(channels >= 2 ? n : 0);
    this.out = this.fft.createComplexArray() as number[];
    this.power = new Float64Array(n / 2 + 1);
    this.sidePowerBins = new Float64Array(n / 2 + 1);
    this.segmentPower = new Float64Array(n / 2 + 1);
    this.segmentWindows = Math.max(1, Math.round((SEGMENT_SECONDS * sampleRate) / n));
  }

  /** Feeds planar audio (finite values). */
  push(channels: readonly Float32Array[], frames: number): void {
    const nc = this.channels;
    const inv = 1 / nc;
    const buf = this.buffer;
    const sbuf = this.sideBuffer;
    const n = this.size;
    const stereo = nc >= 2;
    const l = channels[0];
    const r = stereo ? channels[1] : channels[0];
    let mid = 0, side = 0;
    for (let i = 0; i < frames; i++) {
      let m = 0;
      for (let c = 0; c < nc; c++) m += channels[c][i];
      if (stereo) {
        const a = 0.5 * (l[i] + r[i]);
        const b = 0.5 * (l[i] - r[i]);
        mid += a * a;
        side += b * b;
        sbuf[this.fill] = b;
      }
      buf[this.fill++] = m * inv;
      if (this.fill === n) {
        this.fill = 0;
        const k = this.windowIndex++;
        if (k < DENSE_WINDOWS || k % STRIDE === 0) {
          if (Math.floor(k / this.segmentWindows) !== this.segmentIndex) {
            this.closeSegment();
            // (closing may have merged segments and doubled their length)
            this.segmentIndex = Math.floor(k / this.segmentWindows);
          }
          this.analyse(n);
        }
      }
    }
    this.mid += mid;
    this.side += side;
    this.frames += frames;
  }

  private analyse(len: number): void {
    const n = this.size;
    const f = this.frame;
    const w = this.window;
    const b = this.buffer;
    for (let i = 0; i < n; i++) f[i] = i < len ? b[i] * w[i] : 0;
    this.fft.realTransform(this.out, f as unknown as number[]);
    const o = this.out;
    const p = this.power;
    const sp = this.segmentPower;
    for (let k = 0; k <= n / 2; k++) {
      const e = o[2 * k] * o[2 * k] + o[2 * k + 1] * o[2 * k + 1];
      p[k] += e;
      sp[k] += e;
    }
    this.segmentCount++;
    if (this.channels >= 2) {
      const sb = this.sideBuffer;
      for (let i = 0; i < n; i++) f[i] = i < len ? sb[i] * w[i] : 0;
      this.fft.realTransform(o, f as unknown as number[]);
      const q = this.sidePowerBins;
      for (let k = 0; k <= n / 2; k++) q[k] += o[2 * k] * o[2 * k] + o[2 * k + 1] * o[2 * k + 1];
    }
    this.analysed++;
  }

  /** Mean power per bin of the current segment. */
  private segmentMean(): Float64Array {
    const sp = this.segmentPower;
    const mean = new Float64Array(sp.length);
    for (let k = 0; k < sp.length; k++) mean[k] = sp[k] / this.segmentCount;
    return mean;
  }

  /** Stores the current segment's mean power and starts a new one; past MAX_SEGMENTS, neighbours merge. */
  private closeSegment(): void {
    if (this.segmentCount === 0) return;
    this.segments.push(this.segmentMean());
    this.segmentPower.fill(0);
    this.segmentCount = 0;
    if (this.segments.length > MAX_SEGMENTS) {
      // Merge pairs: half as many segments, each twice as long (an odd last one stays as it is).
      const merged: Float64Array[] = [];
      for (let i = 0; i < this.segments.length; i += 2) {
        const a = this.segments[i], b = this.segments[i + 1];
        if (b) for (let k = 0; k < a.length; k++) a[k] = 0.5 * (a[k] + b[k]);
        merged.push(a);
      }
      this.segments.length = 0;
      this.segments.push(...merged);
      this.segmentWindows *= 2;
    }
  }

  /** The averages so far (a short tail that never filled a window is analysed zero-padded). */
  result(): FineSpectrumResult {
    const n = this.size;
    // A programme shorter than one window: analyse what there is, zero-padded (once).
    if (this.analysed === 0 && this.fill > 0) this.analyse(this.fill);
    const p = this.power;
    const count = this.analysed;
    // A full-scale sine gives |X|² = (A·Σw/2)² = (n/4)² in its bin: reference 0 dB.
    const ref = (n / 4) * (n / 4);
    const levelsDb = new Float64Array(n / 2 + 1);
    const channelPowerDb = new Float64Array(n / 2 + 1);
    const q = this.sidePowerBins;
    for (let k = 0; k <= n / 2; k++) {
      levelsDb[k] = count > 0 ? 10 * Math.log10(p[k] / count / ref) : -Infinity;
      channelPowerDb[k] = count > 0 ? 10 * Math.log10((p[k] + q[k]) / count / ref) : -Infinity;
    }
    const midPower = this.frames > 0 ? this.mid / this.frames : 0;
    const sidePower = this.frames > 0 ? this.side / this.frames : 0;
    const sideToMidDb = this.channels >= 2 && midPower > 0 && sidePower > 0 ? 10 * Math.log10(sidePower / midPower) : null;
    // The open segment counts when it holds at least half a segment's analysed windows.
    const segs = this.segments.slice();
    if (this.segmentCount > 0 && this.segmentCount * 2 * STRIDE >= this.segmentWindows) segs.push(this.segmentMean());
    const segmentLevelsDb = segs.map((m) => m.map((v) => (v > 0 ? 10 * Math.log10(v / ref) : -Infinity)));
    return { binHz: this.sampleRate / n, levelsDb, channelPowerDb, midPower, sidePower, sideToMidDb, segmentLevelsDb };
  }
}
