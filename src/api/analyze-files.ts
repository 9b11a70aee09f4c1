/** analyzeFiles(): the programmatic face of `mixmaster analyze` (no argv, no stdout). */
import type { AnalysisResult } from '../core/analysis/analysis-result.js';
import { Analyzer } from '../core/analysis/analyzer.js';
import { gatedIntegratedLufs, loudnessRangeLu } from '../core/analysis/loudness-gating.js';
import { spectrumFftSize } from '../core/analysis/spectrum.js';
import { openAudio } from '../io/open-audio.js';
import type { AudioReader } from '../io/audio-reader.js';
import { assertMeterableRate } from './errors.js';
import { MIN_PARALLEL_SAMPLES, MIN_PARALLEL_SAMPLES_WARM, ParallelTruePeak, truePeakWorkerCount } from './parallel-analyzer.js';
import { checkReportPath, writeReport } from './write-report.js';

/** Frames per read: large blocks amortize I/O and per-call overhead; memory stays bounded. */
export const ANALYSIS_BLOCK_FRAMES = 65536;
/**
 * The first RAMP_FRAMES of a stream are read in blocks of RAMP_BLOCK_FRAMES. In a fresh process the
 * meters' loops start in V8's interpreter; with small blocks they are called often enough to be compiled
 * with complete type feedback before the large blocks come, instead of crawling through a whole 65 536-frame
 * block interpreted (measured: the first block cost ≈ 65 ms against ≈ 1.4 ms for later ones; the ramp
 * saves ≈ 35 ms of a 4-minute file's 0.57 s). Results do not depend on block sizes.
 */
const RAMP_FRAMES = 32768;
const RAMP_BLOCK_FRAMES = 2048;

export interface AnalyzeOptions {
  /** Treat a truncated file as an error instead of a warning. */
  strict?: boolean;
  /** Include the loudness-over-time series (for plots). */
  series?: boolean;
  /** Called after each block with the frames read so far and the total (null when unknown). */
  onProgress?: (file: string, framesDone: number, framesTotal: number | null) => void;
  /**
   * Worker threads for the true-peak meter (parallel-analyzer.ts): 0 meters on this thread; default:
   * truePeakWorkerCount() (none for streams under 10 s of stereo, else one per channel up to the spare
   * cores). Results are identical either way.
   */
  truePeakWorkers?: number;
}

export interface AlbumLoudness {
  /** Integrated loudness gated across all files together (BS.1770 album / EBU R128 "global"). */
  integratedLufs: number | null;
  loudnessRangeLu: number | null;
}

/** An Analyzer fed from a reader, with its loudness meter kept for album gating. */
export interface FileAnalysis {
  result: AnalysisResult;
  analyzer: Analyzer;
}

/**
 * Streams one reader through the Analyzer. Memory does not grow with file length. The true peak runs in
 * worker threads for long streams (see AnalyzeOptions.truePeakWorkers), fed the blocks as the Analyzer
 * measured them (NaN/Inf already zeroed), so both paths give the same peaks bit for bit.
 */
export async function analyzeReader(reader: AudioReader, opts: AnalyzeOptions = {}): Promise<FileAnalysis> {
  const { sampleRate, channels, channelMask, frames } = reader.info;
  assertMeterableRate(reader.path, sampleRate);
  const workers = opts.truePeakWorkers ?? truePeakWorkerCount(channels, frames);
  // With workers, worker 0 also analyses the spectrum's windows (its FFTs off this thread, the busier one).
  const parallel = workers > 0
    ? ParallelTruePeak.start({ sampleRate, channels, blockFrames: ANALYSIS_BLOCK_FRAMES, workers, spectrumSize: spectrumFftSize(sampleRate) })
    : null;
  const analyzer = new Analyzer({
    sampleRate, channels, channelMask, series: opts.series ?? false, truePeak: parallel === null, expectedFrames: frames,
    spectrumSink: parallel ? (b) => parallel.queueSpectrum(b) : undefined,
  });
  let done = 0;
  try {
    for (;;) {
      const want = done < RAMP_FRAMES ? RAMP_BLOCK_FRAMES : ANALYSIS_BLOCK_FRAMES;
      // With a slot free in the ring, the block is decoded straight into it (no copy).
      const slot = parallel && reader.readInto ? parallel.freeBlock() : null;
      const block = slot ? await readInto(reader, slot, want) : await reader.read(want);
      if (!block) break;
      const n = block[0].length;
      const measured = analyzer.push(block, n);
      if (slot) parallel!.publish(measured, n);
      else if (parallel) await parallel.push(measured, n);
      if (parallel?.spectrumBacklog) await parallel.flushSpectrum();
      done += n;
      opts.onProgress?.(reader.path, done, frames);
    }
    if (parallel) {
      analyzer.setTruePeaks(await parallel.finish());
      const sp = parallel.spectrumResult();
      if (sp) analyzer.setSpectrum(sp);
    }
  } catch (err) {
    if (parallel) await parallel.terminate();
    throw err;
  }
  const result: AnalysisResult = { file: reader.path, ...analyzer.result() };
  if (opts.series !== true) delete result.loudnessSeries;
  result.warnings = [...reader.warnings, ...result.warnings];
  return { result, analyzer };
}

/** The next block of at most `frames` frames decoded into `dest`, or null at end of stream. */
async function readInto(reader: AudioReader, dest: readonly Float32Array[], frames: number): Promise<Float32Array[] | null> {
  const n = await reader.readInto!(dest, frames);
  return n === 0 ? null : dest.map((x) => x.subarray(0, n));
}

/** Analyzes one file. Throws AudioFileError for unreadable or unsupported files. */
export async function analyzeFile(path: string, opts: AnalyzeOptions = {}): Promise<FileAnalysis> {
  return analyzeOneOf(path, opts, MIN_PARALLEL_SAMPLES);
}

/** analyzeFile with the stream length from which true-peak workers are used by default (parallel-analyzer.ts). */
async function analyzeOneOf(path: string, opts: AnalyzeOptions, minParallelSamples: number): Promise<FileAnalysis> {
  const reader = await openAudio(path, { strict: opts.strict });
  try {
    const { channels, frames } = reader.info;
    return await analyzeReader(reader, { ...opts, truePeakWorkers: opts.truePeakWorkers ?? truePeakWorkerCount(channels, frames, minParallelSamples) });
  } finally {
    await reader.close();
  }
}

export interface AnalyzeFilesOptions extends AnalyzeOptions {
  /** Also the loudness gated across all files. */
  album?: boolean;
  /** Write an HTML report (summary, loudness over time, spectrum per file) to this .html file. */
  report?: string;
  /** Overwrite an existing report (refused otherwise, before any file is read). */
  force?: boolean;
}

/**
 * Analyzes several files in order; with `album`, also the loudness gated across all of them; with
 * `report`, writes the HTML report (checked before any work; written only when every file was analysed).
 */
export async function analyzeFiles(paths: string[], opts: AnalyzeFilesOptions = {}): Promise<{ results: AnalysisResult[]; album?: AlbumLoudness }> {
  if (opts.report !== undefined) await checkReportPath(opts.report, paths, [], opts.force ?? false);
  // The report plots loudness over time: keep the series while measuring, drop it unless asked for.
  const analyses: FileAnalysis[] = [];
  // The first file may use true-peak workers; later ones run on this (by then warm) thread unless they are
  // minutes long: see MIN_PARALLEL_SAMPLES_WARM.
  const fileOpts = { ...opts, series: opts.series === true || opts.report !== undefined };
  for (const [i, p] of paths.entries()) analyses.push(await analyzeOneOf(p, fileOpts, i === 0 ? MIN_PARALLEL_SAMPLES : MIN_PARALLEL_SAMPLES_WARM));
  const results = analyses.map((a) => a.result);
  let album: AlbumLoudness | undefined;
  if (opts.album) {
    const meters = analyses.map((a) => a.analyzer.loudness);
    album = {
      integratedLufs: gatedIntegratedLufs(meters.map((m) => m.gatingBlockPowers())),
      loudnessRangeLu: loudnessRangeLu(meters.map((m) => m.shortTermPowers())),
    };
  }
  if (opts.report !== undefined) {
    // Loaded only when asked for: the report modules are not start-up cost for every analysis.
    const { renderAnalyzeReport } = await import('../report/analyze-report.js');
    await writeReport(opts.report, renderAnalyzeReport({ results, album }), opts.force ?? false);
  }
  if (opts.series !== true) for (const r of results) delete r.loudnessSeries;
  return album ? { results, album } : { results };
}
