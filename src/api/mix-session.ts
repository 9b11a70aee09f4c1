/**
 * mixSession(): the programmatic face of `mixmaster mix <session> -o <out>`.
 *
 * Everything that can be wrong is found before the output is created: the session is parsed and validated
 * (paths in every problem), the output path is checked, every stem is opened (and its length known), the
 * graph is compiled (unknown buses, routing cycles, channel layouts). Only then is the output written,
 * streaming, through a temp file renamed at the end (nothing is left behind on failure).
 *
 * Stem paths are relative to the session file. Stems at another rate than the session are resampled
 * (libsamplerate, streaming). Tracks reading the same file at the same place share one reader.
 *
 * Large sessions render their tracks on worker threads (mix-workers.ts); the output is bit-identical for
 * any thread count, including none.
 */
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { AnalysisResult, AnalysisWarning } from '../core/analysis/analysis-result.js';
import { Analyzer } from '../core/analysis/analyzer.js';
import { MixRenderer, trackGroups } from '../core/mix/mix-renderer.js';
import { compileSession, type InsertFactory, type RenderPlan, type SourceInfo } from '../core/mix/render-plan.js';
import { parseSession, sessionSchema, type Session } from '../core/mix/session-schema.js';
import { toJsonSchema } from '@valibot/to-json-schema';
import type { AudioReader } from '../io/audio-reader.js';
import { loadDataFile } from '../io/load-data-file.js';
import { openAudio } from '../io/open-audio.js';
import { checkOutputPath } from '../io/output-path.js';
import { assertResamplable } from '../io/resampling-reader.js';
import { settleInOrder } from '../io/settle-in-order.js';
import { assertEncodable, createEncoder } from '../io/encoders.js';
import { assertWritableFormat, wavSampleFormat, type BitDepth, type RenderOptions } from './output-format.js';
import { renderMixReport } from '../report/mix-report.js';
import { closeReaders, finiteSources, MixWorkerPool, OPEN_CONCURRENCY, openClipReaders, pullFrom, readerWarnings, spawnMixWorkers } from './mix-workers.js';
import { checkReportPath, writeReport } from './write-report.js';
import { assertMeterableRate } from './errors.js';

/**
 * Frames per render block: large enough to amortize per-node overhead, small enough to stay in cache (and
 * within the WebAssembly kernels' 4096-frame calls). 64 × 60 s on 2 cores, 11 interleaved runs: 4096 frames
 * 2.99 s against 3.06 s at 2048 (CPU 5.35 against 5.49 s), 5 MB more peak memory at 128 tracks. The output
 * does not depend on it.
 */
export const MIX_BLOCK_FRAMES = 4096;

/** RenderOptions for a session: `sampleRate` overrides the session rate; `blockFrames` defaults to MIX_BLOCK_FRAMES. */
export interface MixOptions extends RenderOptions {
  /**
   * Worker threads rendering the tracks: 0 renders everything on this thread. Default: the
   * MIXMASTER_MIX_THREADS environment variable, else one per CPU (availableParallelism()) for sessions of
   * at least MIN_THREADED_TRACK_SECONDS of track audio, else 0. The output does not depend on it.
   */
  threads?: number;
  /** Write an HTML report (the output's analysis and the settings) to this .html file; implies `analyze`. */
  report?: string;
  /** @internal tests: insert factory override (runs on this thread: threads are not used). */
  createInsert?: InsertFactory;
}

export interface MixSettings {
  session: string;
  output: string;
  sampleRate: number;
  /** Sample format of a .wav or .flac output; 'mp3' for an MP3 (the encoder takes the float mix). */
  format: 'pcm16' | 'pcm24' | 'float32' | 'mp3';
  /** Quantization to PCM: TPDF dither, or rounding (`dither: false`); none for float32. */
  dither: 'tpdf' | 'none';
  frames: number;
  durationSeconds: number;
  tracks: number;
  buses: number;
  /** Distinct clip reads (tracks on the same file at the same place share one). */
  sources: number;
  /** Master latency compensated (removed) at the output, frames. */
  latencyFrames: number;
  panLawDb: number;
  blockFrames: number;
  /** Worker threads used (0: rendered on the calling thread). */
  threads: number;
  /** Stems resampled to the session rate. */
  resampled: { file: string; fromHz: number }[];
  /** Processing order of the graph (node names). */
  renderOrder: string[];
}

export interface MixResult {
  output: AnalysisResult | null;
  settings: MixSettings;
  warnings: AnalysisWarning[];
}

/**
 * Below this much track audio (tracks × song seconds) starting workers costs more than it saves. Measured
 * on 2 cores with 64 tracks (EQ and compressor each): one thread renders 4 s faster, 10 s slower; the
 * crossover is near 5 s, 330 track-seconds.
 */
export const MIN_THREADED_TRACK_SECONDS = 300;

/** Reads and validates a session file. @throws SessionError, AudioFileError */
export async function loadSession(path: string): Promise<Session> {
  return parseSession(await loadDataFile(path), path);
}

async function countFrames(reader: AudioReader): Promise<number> {
  let n = 0;
  for (;;) { const b = await reader.read(65536); if (!b) return n; n += b[0].length; }
}

/**
 * Renders a session to a WAV file.
 * @param sessionPath JSON or YAML session.
 * @param output the .wav to write (refused if it exists without `force`, or is an input).
 * @throws SessionError (session problems, with paths), AudioFileError (unreadable stem, output problems);
 *   nothing is written in either case.
 */
export async function mixSession(sessionPath: string, output: string, opts: MixOptions = {}): Promise<MixResult> {
  assertWritableFormat(output);
  const session = await loadSession(sessionPath);
  const base = dirname(resolve(sessionPath));
  const files = session.tracks.map((t) => resolve(base, t.file));
  await checkOutputPath(output, [sessionPath, ...files], opts.force === true);
  if (opts.report !== undefined) await checkReportPath(opts.report, [sessionPath, ...files], [output], opts.force === true);

  // Open every stem (once per distinct file) before anything is written.
  const distinct = [...new Set(files)];
  const stemInfos = await settleInOrder(distinct, OPEN_CONCURRENCY, async (f) => {
    const r = await openAudio(f, { strict: opts.strict });
    try {
      const frames = r.info.frames ?? (await countFrames(r));
      return { sampleRate: r.info.sampleRate, channels: r.info.channels, frames, channelMask: r.info.channelMask, pcmBits: r.info.pcmBits };
    } finally {
      await r.close();
    }
  });
  const infoByFile = new Map(distinct.map((f, i) => [f, stemInfos[i]]));
  const sampleRate = opts.sampleRate ?? session.sampleRate ?? infoByFile.get(files[0])!.sampleRate;
  // --json and --report measure the mix.
  if (opts.analyze || opts.report !== undefined) assertMeterableRate(sessionPath, sampleRate);
  const infos: SourceInfo[] = files.map((f) => {
    const i = infoByFile.get(f)!;
    return { channels: i.channels, frames: Math.round((i.frames * sampleRate) / i.sampleRate), channelMask: i.channelMask };
  });
  const blockFrames = opts.blockFrames ?? MIX_BLOCK_FRAMES;
  // Threads, decided before the plan is compiled so the workers start now: their start-up overlaps the
  // compiling. The song ends near the latest clip end (tails of effects aside).
  const envThreads = process.env.MIXMASTER_MIX_THREADS;
  const endSeconds = Math.max(0, ...session.tracks.map((t, i) => {
    const fileSeconds = infos[i].frames / sampleRate;
    return (t.startSeconds ?? 0) + Math.max(0, Math.min(t.trimOutSeconds ?? fileSeconds, fileSeconds) - (t.trimInSeconds ?? 0));
  }));
  const trackSeconds = session.tracks.length * endSeconds;
  let threads = opts.threads ?? (envThreads !== undefined && envThreads !== '' ? Number(envThreads) : trackSeconds >= MIN_THREADED_TRACK_SECONDS ? availableParallelism() : 0);
  if (!Number.isInteger(threads) || threads < 0) threads = 0;
  if (opts.createInsert) threads = 0; // test fakes live in this thread
  const booting = spawnMixWorkers(Math.min(threads, session.tracks.length));
  let plan: RenderPlan;
  let format: MixSettings['format'];
  let bitDepth: BitDepth;
  let resampled: { file: string; fromHz: number }[];
  const warnings: AnalysisWarning[] = [];
  let readers: Awaited<ReturnType<typeof openClipReaders>> = [];
  let pool: MixWorkerPool | null = null;
  let renderer: MixRenderer;
  // The session with its stem paths resolved: what the plan and the workers compile.
  const resolved = { ...session, tracks: session.tracks.map((t, i) => ({ ...t, file: files[i] })) };
  try {
    // With workers, this thread runs only the buses: the tracks' processors are the workers' to build.
    const compile = (tracksElsewhere: boolean) => compileSession(resolved, infos, {
      sampleRate, maxBlockFrames: blockFrames, file: sessionPath, createInsert: opts.createInsert,
      latencyOnly: tracksElsewhere ? (id) => id < resolved.tracks.length : undefined,
    });
    plan = compile(threads > 0);
    const allPcm16 = [...infoByFile.values()].every((i) => i.pcmBits !== null && i.pcmBits <= 16);
    bitDepth = opts.bitDepth ?? (allPcm16 ? '16' : '24');
    // The container's limits (FLAC has no float, MP3 few rates) are refused now, before any rendering.
    format = assertEncodable(output, sampleRate, 2, bitDepth) === 'mp3' ? 'mp3' : wavSampleFormat(bitDepth);
    resampled = [...infoByFile.entries()].filter(([, i]) => i.sampleRate !== sampleRate).map(([file, i]) => ({ file, fromHz: i.sampleRate }));
    for (const r of resampled) assertResamplable(r.file, r.fromHz, sampleRate);

    // The track groups go to workers, which open their own readers; else one reader per clip here.
    const groups = trackGroups(plan);
    if (groups.length === 0 && threads > 0) {
      threads = 0; // ungroupable plans run in plan order, here: with the tracks' processors
      plan = compile(false);
    }
    threads = Math.min(threads, groups.length);
    for (const w of booting.slice(threads)) void w.terminate();
    if (threads > 0) {
      pool = await MixWorkerPool.start({
        session: resolved, infos, sampleRate, blockFrames,
        strict: opts.strict === true, file: sessionPath,
      }, groups, threads, plan, booting.slice(0, threads));
      const p = pool;
      renderer = new MixRenderer(plan, () => 0, { groupMemory: p.memory, slots: p.slots, renderGroups: (r, n) => p.render(r, n), releaseGroups: () => p.release() });
      threads = p.threads;
    } else {
      readers = await openClipReaders(plan, () => true, sampleRate, opts.strict === true);
      renderer = new MixRenderer(plan, pullFrom(readers), { isFiniteSource: finiteSources(readers) });
    }
  } catch (e) {
    // Nothing was written; the workers started ahead must not keep the process alive.
    await Promise.all(booting.map((w) => w.terminate()));
    throw e;
  }
  const report = opts.report;
  const analyzer = opts.analyze || report !== undefined ? new Analyzer({ sampleRate, channels: 2, series: report !== undefined }) : null;
  const block = [new Float32Array(blockFrames), new Float32Array(blockFrames)];
  let writer;
  let nonFinite = 0;
  try {
    writer = await createEncoder(output, { sampleRate, channels: 2, bitDepth, force: opts.force, dither: opts.dither !== false });
    try {
      for (;;) {
        const n = await renderer.render(block, blockFrames);
        if (n === 0) break;
        await writer.write(block, n);
        analyzer?.push(block, n);
        opts.onProgress?.(output, renderer.framesDone, renderer.outputFrames);
      }
      if (pool) {
        const res = await pool.close();
        pool = null;
        nonFinite += res.nonFiniteSamples;
        warnings.push(...(res.warnings as AnalysisWarning[]));
      }
      await writer.close();
    } catch (e) {
      await writer.abort();
      throw e;
    }
  } finally {
    await pool?.terminate();
    await closeReaders(readers);
  }
  nonFinite += renderer.nonFiniteSamples;
  warnings.push(...(readerWarnings(readers) as AnalysisWarning[]));
  if (nonFinite > 0) warnings.push({ code: 'non-finite', message: `${nonFinite} NaN/Inf stem samples replaced by 0` } as AnalysisWarning);
  if (writer.clippedSamples > 0) warnings.push({ code: 'clipped', message: `${writer.clippedSamples} samples clipped in the ${format} output (lower the master or use --bit-depth 32f)` } as AnalysisWarning);

  let result: AnalysisResult | null = null;
  if (analyzer) {
    result = { file: output, ...analyzer.result() };
    result.warnings = [...warnings, ...result.warnings];
  }
  const settings: MixSettings = {
    session: sessionPath, output, sampleRate, format, dither: format === 'float32' || format === 'mp3' || opts.dither === false ? 'none' : 'tpdf', frames: plan.outputFrames, durationSeconds: plan.outputFrames / sampleRate,
    tracks: session.tracks.length, buses: (session.buses ?? []).length, sources: plan.sources.length, latencyFrames: plan.latencyFrames,
    panLawDb: plan.panLawDb, blockFrames, threads, resampled, renderOrder: plan.nodes.map((n) => n.name),
  };
  if (report !== undefined && result) await writeReport(report, renderMixReport({ session: sessionPath, output: result, settings, warnings }), opts.force === true);
  // The series is for the report's plot only; the JSON result keeps the compact fields.
  if (result) delete result.loudnessSeries;
  return { output: result, warnings, settings };
}

/** The session JSON Schema (draft-07), generated from the valibot schema: what `mixmaster schema` prints. */
export function sessionJsonSchema(): Record<string, unknown> {
  const schema = toJsonSchema(sessionSchema, { errorMode: 'ignore' }) as Record<string, unknown>;
  return { title: 'mixmaster session', description: 'A mixmaster session file (JSON or YAML); stem paths are relative to it.', ...schema };
}
