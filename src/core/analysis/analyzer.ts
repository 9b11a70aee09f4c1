import { channelRolesFromMask, channelWeights } from '../audio/channel-layout.js';
import { finiteOrNull, gainToDb, powerToDb } from '../audio/db.js';
import type { AnalysisResult, AnalysisWarning, SpectrumResult } from './analysis-result.js';
import { LoudnessMeter } from './loudness-meter.js';
import { SignalStats } from './signal-stats.js';
import { LongTermSpectrum, type SpectrumSink, type SpectrumSums } from './spectrum.js';
import { TruePeakMeter } from './true-peak-meter.js';

/** Options of the Analyzer. */
export interface AnalyzerOptions {
  /** Hz. */
  sampleRate: number;
  channels: number;
  /** WAVE_FORMAT_EXTENSIBLE channel mask: chooses the BS.1770 channel weights (LFE 0, surrounds 1.41). */
  channelMask?: number;
  /** Compute the long-term 1/3-octave spectrum (default true). */
  spectrum?: boolean;
  /** Keep the loudness series for plots (default true). */
  series?: boolean;
  /**
   * Run the true-peak meter here (default true). With false, the caller meters true peak elsewhere (a
   * worker thread: api/parallel-analyzer.ts) on the blocks push() returns, and hands the per-channel
   * peaks to setTruePeaks() before result().
   */
  truePeak?: boolean;
  /** The stream's length in frames when known: lets the spectrum spread its windows evenly from the start. */
  expectedFrames?: number | null;
  /**
   * Hand the spectrum's windows to this sink instead of analysing them here (a worker thread:
   * api/parallel-analyzer.ts); the sink's SpectrumAccumulator result goes to setSpectrum() before result().
   */
  spectrumSink?: SpectrumSink;
}

/** |DC| above this (−40 dBFS) raises a `dc-offset` warning: audible as a thump on cuts, wastes headroom. */
export const DC_WARNING_THRESHOLD = 0.01;
/** Shorter than one BS.1770 gating block (400 ms): no loudness. */
const MIN_LOUDNESS_SECONDS = 0.4;

/**
 * The ONE streaming analysis used by `mixmaster analyze`, the reports and the automaster: BS.1770
 * loudness (LoudnessMeter), true peak (TruePeakMeter), sample peak / RMS / DC / clipping / correlation
 * (SignalStats) and the long-term 1/3-octave spectrum (LongTermSpectrum).
 *
 * NaN/±Inf samples are counted (nonFiniteSamples) and fed as 0 to every measurement.
 */
export class Analyzer {
  /** Loudness meter inside, for album gating (gatingBlockPowers / shortTermPowers). */
  readonly loudness: LoudnessMeter;
  private readonly sampleRate: number;
  private readonly channels: number;
  private readonly keepSeries: boolean;
  /** null when true peak is metered outside (options.truePeak false). */
  private readonly truePeak: TruePeakMeter | null;
  /** Per-channel linear true peaks given by setTruePeaks(). */
  private externalTruePeaks: Float64Array | null = null;
  private readonly stats: SignalStats;
  private readonly spectrum: LongTermSpectrum | null;
  private scratch: Float32Array[];
  /** The loudness meter's raw sums of the current block (see LoudnessMeter.push). */
  private readonly raw: Float64Array;
  private nonFinite = 0;
  private frames = 0;

  /** @param opts rate (Hz), channels, optional channel mask, spectrum and series switches */
  constructor(opts: AnalyzerOptions) {
    this.sampleRate = opts.sampleRate;
    this.channels = opts.channels;
    this.keepSeries = opts.series ?? true;
    const weights = opts.channelMask !== undefined
      ? channelWeights(opts.channels, channelRolesFromMask(opts.channelMask, opts.channels))
      : channelWeights(opts.channels);
    this.loudness = new LoudnessMeter({ sampleRate: opts.sampleRate, channels: opts.channels, weights });
    this.truePeak = (opts.truePeak ?? true) ? new TruePeakMeter({ sampleRate: opts.sampleRate, channels: opts.channels }) : null;
    this.stats = new SignalStats(opts.channels);
    this.raw = new Float64Array(3 * opts.channels + 1);
    this.spectrum = (opts.spectrum ?? true) ? new LongTermSpectrum(opts.sampleRate, opts.channels, opts.expectedFrames, opts.spectrumSink) : null;
    this.scratch = [];
    for (let c = 0; c < opts.channels; c++) this.scratch.push(new Float32Array(0));
  }

  /**
   * Feeds planar blocks of any size. Blocks with non-finite samples are copied into a scratch buffer
   * (grown when needed) with those samples set to 0; finite blocks are used as they are.
   * @returns the block as measured: `channels` itself, or the scrubbed scratch copy (valid until the next
   *   push) — what an outside true-peak meter must be fed to match the built-in one bit for bit.
   */
  push(channels: readonly Float32Array[], frames: number): readonly Float32Array[] {
    if (frames <= 0) return channels;
    let input = channels;
    // One pass over the samples gives the loudness and (RawSums) the statistics of the channels it
    // filters. The stats double as the NaN/Inf detector: a block whose sums turn non-finite is refused,
    // the loudness meter rolled back, and the block measured again with those samples zeroed.
    const raw = this.raw;
    const covered = this.loudness.rawCovered;
    raw.fill(0);
    this.loudness.checkpoint();
    this.loudness.push(channels, frames, raw);
    if (!this.stats.pushWithSums(channels, frames, raw, covered)) {
      this.loudness.rollback();
      input = this.scrub(channels, frames);
      raw.fill(0);
      this.loudness.push(input, frames, raw);
      this.stats.pushWithSums(input, frames, raw, covered);
    }
    if (this.truePeak) this.truePeak.push(input, frames);
    if (this.spectrum) this.spectrum.push(input, frames);
    this.frames += frames;
    return input;
  }

  /**
   * Per-channel linear true peaks metered outside (TruePeakMeter.peaks() of the blocks push() returned),
   * for an Analyzer made with `truePeak: false`.
   * @throws RangeError when the count differs from the channel count
   */
  setTruePeaks(peaks: ArrayLike<number>): void {
    if (peaks.length !== this.channels) {
      throw new RangeError(`Analyzer: need ${this.channels} true peaks, got ${peaks.length}`);
    }
    this.externalTruePeaks = Float64Array.from(peaks);
  }

  /**
   * The spectrum sink's result (see AnalyzerOptions.spectrumSink): its SpectrumAccumulator's sums over
   * the windows it was given.
   */
  setSpectrum(sums: SpectrumSums): void {
    this.spectrum?.setAnalysed(sums);
  }

  /** Copies a block into the scratch buffers with NaN/Inf set to 0, counting them. */
  private scrub(channels: readonly Float32Array[], frames: number): Float32Array[] {
    for (let c = 0; c < this.channels; c++) {
      if (this.scratch[c].length < frames) this.scratch[c] = new Float32Array(frames);
      const x = channels[c];
      const y = this.scratch[c];
      let n = 0;
      for (let i = 0; i < frames; i++) {
        const v = x[i];
        // v − v is 0 for finite v and NaN for NaN/±Inf.
        if (v - v === 0) y[i] = v;
        else {
          y[i] = 0;
          n++;
        }
      }
      this.nonFinite += n;
    }
    return this.scratch.map((ch) => (ch.length === frames ? ch : ch.subarray(0, frames)));
  }

  /** The meter's peaks, or the ones given to setTruePeaks(). */
  private truePeakValues(): Float64Array {
    if (this.truePeak) return this.truePeak.peaks();
    if (!this.externalTruePeaks) throw new Error('Analyzer: truePeak is false and setTruePeaks() was not called');
    return this.externalTruePeaks;
  }

  /**
   * Everything of AnalysisResult except `file` (the caller adds it).
   * @throws Error for an Analyzer made with `truePeak: false` before setTruePeaks()
   */
  result(): AnalysisResult {
    const ch = this.channels;
    const loud = this.loudness.result();
    const tp = this.truePeakValues();
    const sp = this.stats.samplePeaks();
    const ms = this.stats.meanSquares();
    let tpMax = 0;
    let spMax = 0;
    let msSum = 0;
    const channelStats: NonNullable<AnalysisResult['channelStats']> = [];
    for (let c = 0; c < ch; c++) {
      tpMax = Math.max(tpMax, tp[c]);
      spMax = Math.max(spMax, sp[c]);
      msSum += ms[c];
      channelStats.push({
        samplePeakDbfs: sp[c] > 0 ? gainToDb(sp[c]) : null,
        truePeakDbtp: tp[c] > 0 ? gainToDb(tp[c]) : null,
        rmsDbfs: ms[c] > 0 ? powerToDb(ms[c]) : null,
      });
    }
    const truePeakDbtp = tpMax > 0 ? gainToDb(tpMax) : null;
    const samplePeakDbfs = spMax > 0 ? gainToDb(spMax) : null;
    // RMS over all channels: the mean of the channels' mean squares (a full-scale sine reads −3.01 dBFS).
    const rmsDbfs = ch > 0 && msSum > 0 ? finiteOrNull(powerToDb(msSum / ch)) : null;
    const crestDb = samplePeakDbfs !== null && rmsDbfs !== null ? samplePeakDbfs - rmsDbfs : null;
    const plrDb = truePeakDbtp !== null && loud.integratedLufs !== null ? truePeakDbtp - loud.integratedLufs : null;
    const durationSeconds = this.frames / this.sampleRate;
    const dcOffset = this.stats.dcOffsets();
    const clippedSamples = this.stats.clippedSamples();

    const warnings: AnalysisWarning[] = [];
    if (this.nonFinite > 0) {
      warnings.push({ code: 'non-finite', message: `${this.nonFinite} NaN/Inf samples (measured as 0)` });
    }
    if (clippedSamples > 0) {
      warnings.push({ code: 'clipping', message: `${clippedSamples} clipped samples (runs of 3+ at full scale)` });
    }
    if (durationSeconds < MIN_LOUDNESS_SECONDS) {
      warnings.push({ code: 'too-short', message: `shorter than 400 ms (${durationSeconds.toFixed(3)} s): no loudness` });
    }
    if (spMax === 0) {
      warnings.push({ code: 'silent', message: 'digital silence' });
    }
    for (let c = 0; c < ch; c++) {
      if (Math.abs(dcOffset[c]) > DC_WARNING_THRESHOLD) {
        warnings.push({
          code: 'dc-offset',
          message: `channel ${c + 1}: DC offset ${dcOffset[c].toFixed(4)} (${gainToDb(dcOffset[c]).toFixed(1)} dBFS, above -40 dBFS)`,
        });
      }
    }

    const spectrum: SpectrumResult = this.spectrum ? this.spectrum.result() : { bandsHz: [], levelsDb: [] };
    const result: AnalysisResult = {
      sampleRate: this.sampleRate,
      channels: ch,
      frames: this.frames,
      durationSeconds,
      integratedLufs: loud.integratedLufs,
      loudnessRangeLu: loud.loudnessRangeLu,
      momentaryMaxLufs: loud.momentaryMaxLufs,
      shortTermMaxLufs: loud.shortTermMaxLufs,
      truePeakDbtp,
      samplePeakDbfs,
      rmsDbfs,
      crestDb,
      plrDb,
      correlation: this.stats.correlation(),
      dcOffset,
      clippedSamples,
      nonFiniteSamples: this.nonFinite,
      spectrum,
      channelStats,
      warnings,
    };
    if (this.keepSeries) result.loudnessSeries = loud.series;
    return result;
  }
}
