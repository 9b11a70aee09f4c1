/**
 * Streaming a file through a processor with its latency removed: the output keeps the input's length
 * and timing. Shared by `process`, `master` and anything else that renders a file through a chain.
 */
import { openAudio } from '../io/open-audio.js';
import type { AudioReader } from '../io/audio-reader.js';

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
  const { blockFrames: block } = opts;
  const channels = reader.info.channels;
  const out = Array.from({ length: channels }, () => new Float32Array(block));
  const zeros = Array.from({ length: channels }, () => new Float32Array(block));
  const views = out.map((c) => c.subarray(0));
  let skip = proc.latencyFrames;
  let bad = 0;
  let done = 0;
  const emit = async (n: number) => {
    const from = Math.min(skip, n);
    skip -= from;
    if (from === n) return;
    for (let c = 0; c < channels; c++) views[c] = out[c].subarray(from, n);
    await sink(views, n - from);
  };
  for (;;) {
    const buf = await reader.read(block);
    if (!buf) break;
    const n = buf[0].length;
    bad += scrubNonFinite(buf, n);
    opts.onInput?.(buf, n);
    proc.process(buf, out, n);
    await emit(n);
    done += n;
    opts.onProgress?.(done, reader.info.frames);
  }
  for (let left = proc.latencyFrames; left > 0; left -= block) {
    const n = Math.min(block, left);
    proc.process(zeros.map((z) => z.subarray(0, n)), out, n);
    await emit(n);
  }
  return bad;
}
