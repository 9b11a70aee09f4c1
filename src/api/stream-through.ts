/**
 * Streaming a file through a processor with its latency removed: the output keeps the input's length
 * and timing. Shared by `process`, `master` and anything else that renders a file through a chain.
 */
import { openAudio } from '../io/open-audio.js';
import type { AudioReader } from '../io/audio-reader.js';
import type { ChainPipeline } from './chain-pipeline.js';

/** What streamThrough() needs of a processor chain. */
export interface StreamProcessor {
  readonly latencyFrames: number;
  process(inputs: readonly Float32Array[], outputs: Float32Array[], frames: number): void;
}

/** Replaces NaN/Inf by 0 in place (shared/DESIGN.md: processing replaces them and warns); returns the count. */
export function scrubNonFinite(block: Float32Array[], frames: number): number {
  let bad = 0;
  for (const ch of block) {
    for (let i = 0; i < frames; i++) {
      const v = ch[i];
      if (v - v !== 0) { ch[i] = 0; bad++; }
    }
  }
  return bad;
}

/** Opens `file`, runs `fn` with the reader, and always closes it. */
export async function withReader<T>(file: string, strict: boolean | undefined, fn: (r: AudioReader) => Promise<T>): Promise<T> {
  const r = await openAudio(file, { strict });
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

export interface StreamOptions {
  blockFrames: number;
  /** Sees each (scrubbed) input block before processing. */
  onInput?: (block: readonly Float32Array[], frames: number) => void;
  onProgress?: (framesDone: number, framesTotal: number | null) => void;
}

/**
 * Reads `reader` to the end through `proc`, hands each output block to `sink` (views valid until the
 * sink returns), then flushes the look-ahead with silence so the output has the input's length.
 * @returns the number of NaN/Inf input samples replaced by 0
 */
export async function streamThrough(
  reader: AudioReader, proc: StreamProcessor, opts: StreamOptions,
  sink: (views: Float32Array[], frames: number) => Promise<void> | void,
): Promise<number> {
  const out = Array.from({ length: reader.info.channels }, () => new Float32Array(opts.blockFrames));
  const emit = latencyTrim(proc.latencyFrames, sink);
  return feed(reader, proc.latencyFrames, opts, async (buf, n) => {
    proc.process(buf, out, n);
    await emit(out, n);
  });
}

/**
 * streamThrough() for a chain split over two threads (chain-pipeline.ts): the same output, bit for bit,
 * with the first stage running in a worker. Stops the worker if anything fails.
 */
export async function streamThroughPipeline(
  reader: AudioReader, pipeline: ChainPipeline, opts: StreamOptions,
  sink: (views: Float32Array[], frames: number) => Promise<void> | void,
): Promise<number> {
  pipeline.onOutput = latencyTrim(pipeline.latencyFrames, sink);
  try {
    const bad = await feed(reader, pipeline.latencyFrames, opts, (buf, n) => pipeline.push(buf, n));
    await pipeline.finish();
    return bad;
  } catch (e) {
    await pipeline.terminate();
    throw e;
  }
}

/**
 * Reads `reader` to the end, scrubbing NaN/Inf, into `push`, then `latency` frames of silence (to flush
 * the look-ahead). @returns the number of NaN/Inf input samples replaced by 0
 */
async function feed(reader: AudioReader, latency: number, opts: StreamOptions,
  push: (block: Float32Array[], frames: number) => Promise<void>): Promise<number> {
  const block = opts.blockFrames;
  const zeros = Array.from({ length: reader.info.channels }, () => new Float32Array(block));
  let bad = 0;
  let done = 0;
  for (;;) {
    const buf = await reader.read(block);
    if (!buf) break;
    const n = buf[0].length;
    bad += scrubNonFinite(buf, n);
    opts.onInput?.(buf, n);
    await push(buf, n);
    done += n;
    opts.onProgress?.(done, reader.info.frames);
  }
  for (let left = latency; left > 0; left -= block) {
    const n = Math.min(block, left);
    await push(zeros.map((z) => z.subarray(0, n)), n);
  }
  return bad;
}

/** A sink that drops the first `latency` frames of the output blocks it is given, then forwards the rest. */
function latencyTrim(latency: number, sink: (views: Float32Array[], frames: number) => Promise<void> | void):
  (out: Float32Array[], n: number) => Promise<void> {
  let skip = latency;
  const views: Float32Array[] = [];
  return async (out, n) => {
    const from = Math.min(skip, n);
    skip -= from;
    if (from === n) return;
    for (let c = 0; c < out.length; c++) views[c] = out[c].subarray(from, n);
    await sink(views, n - from);
  };
}
