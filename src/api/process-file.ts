/** processFile(): the programmatic face of `mixmaster process <in> -o <out> --chain <file>`. */
import type { AnalysisResult, AnalysisWarning } from '../core/analysis/analysis-result.js';
import { createInsert, validateChain, type InsertSpec } from '../core/dsp/insert-catalog.js';
import { ProcessorChain } from '../core/dsp/processor-chain.js';
import { AudioFileError } from '../io/audio-reader.js';
import { loadDataFile } from '../io/load-data-file.js';
import { openAudio } from '../io/open-audio.js';
import { resampleReader } from '../io/resampling-reader.js';
import { checkOutputPath } from '../io/output-path.js';
import { assertEncodable, createEncoder, type AudioEncoder, type EncodedFormat } from '../io/encoders.js';
import { canPipeline, ChainPipeline, MIN_PIPELINE_FRAMES, planChainSplit } from './chain-pipeline.js';
import { streamThrough, streamThroughPipeline } from './stream-through.js';
import { assertWritableFormat, type BitDepth, type RenderOptions } from './output-format.js';
import { assertMeterableRate } from './errors.js';

/** RenderOptions for one file (resampling uses libsamplerate's best sinc; `analyze` measures input and output). */
export interface ProcessOptions extends RenderOptions {
  /** Chain file (YAML or JSON: a list of inserts, or `{ inserts: [...] }`), or the chain itself. */
  chain: string | InsertSpec[];
  /**
   * Split the chain over threads (chain-pipeline.ts); the output is the same bit for bit. Default
   * (undefined): when there is a spare core, the input is at least 10 s long and the chain is dear enough
   * to gain (planChainSplit). false: one thread. An array: the cuts (worker w runs the inserts up to
   * cuts[w]), whatever the length.
   */
  pipeline?: boolean | number[];
}

/** Analysis of input and output (--json), per channel-sample on the reading thread, for planChainSplit. */
const ANALYSIS_COST_NS = 10;

export interface ProcessResult {
  input?: AnalysisResult;
  output?: AnalysisResult;
  /** bitDepth: of a .wav or .flac output (null for MP3). */
  settings: { chain: InsertSpec[]; latencyFrames: number; bitDepth: BitDepth | null; dither: 'tpdf' | 'none'; outputFile: string; threads: number };
  warnings: AnalysisWarning[];
}

/** Loads and validates a chain before any audio is read; problems name the path (`chain[2].ratio: must be >= 1`). */
export async function loadChain(chain: string | InsertSpec[]): Promise<InsertSpec[]> {
  const file = typeof chain === 'string' ? chain : '(chain)';
  let data: unknown = typeof chain === 'string' ? await loadDataFile(chain) : chain;
  if (data && typeof data === 'object' && !Array.isArray(data) && 'inserts' in data) data = (data as { inserts: unknown }).inserts;
  const r = validateChain(data);
  if (!r.ok) {
    const first = r.problems[0];
    const more = r.problems.length > 1 ? ` (and ${r.problems.length - 1} more)` : '';
    throw new AudioFileError(file, `${first.path}: ${first.message}${more}`, 'bad-chain');
  }
  return r.value;
}

/** Streams `input` through the chain into `output` (atomic write; latency removed, length kept). */
export async function processFile(input: string, output: string, opts: ProcessOptions): Promise<ProcessResult> {
  const chain = await loadChain(opts.chain);
  // A key from another track or bus needs a mix: one file has no other source (the key's filter alone is fine).
  chain.forEach((spec, i) => {
    const source = (spec as { sidechain?: { source?: string } }).sidechain?.source;
    if (source !== undefined) {
      throw new AudioFileError(typeof opts.chain === 'string' ? opts.chain : '(chain)', `chain[${i}].sidechain.source: "${source}" cannot key a one-file chain (sidechains from other tracks are for sessions: mixmaster mix)`, 'bad-chain');
    }
  });
  // The meters are loaded only when asked for: their modules are start-up time a plain render need not pay.
  const Analyzer = opts.analyze ? (await import('../core/analysis/analyzer.js')).Analyzer : null;
  assertWritableFormat(output);
  await checkOutputPath(output, [input], opts.force ?? false);
  const source = await openAudio(input, { strict: opts.strict });
  // The analysis of --json meters the input and the output, at the output's rate.
  if (opts.analyze) {
    try {
      assertMeterableRate(input, opts.sampleRate ?? source.info.sampleRate);
    } catch (e) {
      await source.close();
      throw e;
    }
  }
  const reader = opts.sampleRate ? await resampleReader(source, opts.sampleRate, { quality: 'best' }).catch(async (e) => { await source.close(); throw e; }) : source;
  const { sampleRate, channels } = reader.info;
  const block = opts.blockFrames ?? 4096;
  const bitDepth = opts.bitDepth ?? (reader.info.pcmBits === 16 ? '16' : '24');
  let format: EncodedFormat;
  try {
    format = assertEncodable(output, sampleRate, channels, bitDepth);
  } catch (e) {
    await reader.close();
    throw e;
  }
  const warnings: AnalysisWarning[] = [];
  const spec = { sampleRate, channels, maxBlockFrames: block };
  const frames = reader.info.frames;
  const cuts = Array.isArray(opts.pipeline)
    ? opts.pipeline
    : opts.pipeline !== false && canPipeline() && (frames === null || frames >= MIN_PIPELINE_FRAMES)
      ? planChainSplit(chain, opts.analyze ? 2 * ANALYSIS_COST_NS : 0) : [];
  let chainProc: ProcessorChain | null = null;
  let pipeline: ChainPipeline | null = null;
  try {
    if (cuts.length > 0) pipeline = new ChainPipeline(chain, cuts, spec);
    else chainProc = new ProcessorChain(chain.map((s) => createInsert(s, spec)));
  } catch (e) {
    await reader.close();
    throw e;
  }
  const latency = pipeline ? pipeline.latencyFrames : chainProc!.latencyFrames;
  const inAn = Analyzer ? new Analyzer({ sampleRate, channels, channelMask: reader.info.channelMask, series: false }) : null;
  const outAn = Analyzer ? new Analyzer({ sampleRate, channels, channelMask: reader.info.channelMask, series: false }) : null;
  let writer: AudioEncoder;
  try {
    writer = await createEncoder(output, { sampleRate, channels, bitDepth, channelMask: reader.info.channelMask, force: opts.force, dither: opts.dither !== false });
  } catch (e) {
    await pipeline?.terminate();
    await reader.close();
    throw e;
  }
  let nonFinite = 0;
  try {
    const streamOpts = {
      blockFrames: block,
      onInput: inAn ? (b: readonly Float32Array[], n: number) => { inAn.push(b, n); } : undefined,
      onProgress: (d: number, t: number | null) => opts.onProgress?.(input, d, t),
    };
    const sink = async (views: Float32Array[], n: number): Promise<void> => {
      outAn?.push(views, n);
      await writer.write(views, n);
    };
    nonFinite = pipeline
      ? await streamThroughPipeline(reader, pipeline, streamOpts, sink)
      : await streamThrough(reader, chainProc!, streamOpts, sink);
    await writer.close();
  } catch (e) {
    await writer.abort();
    throw e;
  } finally {
    await reader.close();
  }
  warnings.push(...reader.warnings);
  if (writer.clippedSamples > 0) warnings.push({ code: 'clipped', message: `${writer.clippedSamples} samples beyond full scale clipped in the ${format === 'mp3' ? 'MP3' : `${bitDepth}-bit`} output (add a limiter or use --bit-depth 32f)` });
  if (nonFinite > 0) warnings.push({ code: 'non-finite', message: `${nonFinite} NaN/Inf input samples were replaced by 0` });
  return {
    input: inAn ? { file: input, ...inAn.result() } : undefined,
    output: outAn ? { file: output, ...outAn.result() } : undefined,
    settings: { chain, latencyFrames: latency, bitDepth: format === 'mp3' ? null : bitDepth, dither: format === 'mp3' || bitDepth === '32f' || opts.dither === false ? 'none' : 'tpdf', outputFile: output, threads: pipeline ? pipeline.workerCount + 1 : 1 },
    warnings,
  };
}
