/**
 * Thread plumbing for the mix renderer: clip readers, and a pool of worker threads that render the plan's
 * track groups (see trackGroups() in core/mix/mix-renderer.ts) into SharedArrayBuffers.
 *
 * Every worker compiles the same session into the same plan (compilation is deterministic), renders the
 * fixed groups it owns for each block the main thread asks for, and writes their partial sums and sidechain
 * taps into the groups' shared memory; the main thread adds the partials into the buses in group order and
 * runs the buses and the master. The summation order is the plan's alone, so the output is bit-identical
 * for any number of workers (and to the in-process render).
 *
 * Protocol: messages to set up and tear down, shared counters (Atomics) per block:
 *   main → worker  { type: 'init', init }         worker → main { type: 'ready' } | { type: 'error', ... }
 *   main → worker  { type: 'start' }              the worker renders every block of renderBlocks(plan) into
 *     slot b % slots, waiting while b − consumed ≥ slots, and counts them in its CTRL_PRODUCED word;
 *     the main thread waits for every worker's count to pass b, sums, then bumps CTRL_CONSUMED.
 *   main → worker  { type: 'close' }              worker → main { type: 'closed', nonFiniteSamples, warnings }
 */
import type { Worker } from 'node:worker_threads';
import { eqDesignEntries } from '../core/dsp/biquad-design.js';
import { groupMemoryBytes, renderBlocks, type SourcePull, type TrackGroup } from '../core/mix/mix-renderer.js';
import type { RenderPlan, SourceInfo } from '../core/mix/render-plan.js';
import type { Session } from '../core/mix/session-schema.js';
import { AudioFileError, type AudioReader } from '../io/audio-reader.js';
import { openAudio, type OpenAudioOptions } from '../io/open-audio.js';
import { resampleReader } from '../io/resampling-reader.js';
import type { WavReaderOptions } from '../io/wav-reader.js';
import { settleInOrder } from '../io/settle-in-order.js';
import { takeMixWorkers } from './mix-prewarm.js';

/**
 * Bytes a clip's WAV reader reads from disk at a time (it holds two, one converting and one reading ahead,
 * or one with the workers' blocking reads).
 * The renderer takes one block (24 KiB of 24-bit stereo at 4096 frames) per track at a time, so 64 KiB
 * means one read per 2-3 blocks. Larger chunks only cost memory and first-touch page faults before the
 * first block: the reader's default (1 MiB) would hold 2 MiB per track, 256 MiB at 128 tracks. Measured
 * on 64 × 60 s (2 cores, 2048-frame blocks then, 7 interleaved runs, medians): 48 KiB 2.89 s, 64 KiB
 * 2.84 s, 128 KiB 2.91 s, 256 KiB 2.90 s; 64 KiB takes 3000 fewer page faults than 256 KiB.
 */
export const MIX_READ_CHUNK_BYTES = 1 << 16;

/** What a worker needs to rebuild the plan and render its groups (structured-clone safe). */
export interface MixWorkerInit {
  /** The session with stem paths resolved (absolute). */
  session: Session;
  infos: SourceInfo[];
  sampleRate: number;
  blockFrames: number;
  strict: boolean;
  /** The session file, for errors. */
  file: string;
  /** Indices of the groups this worker renders. */
  groups: number[];
  /** Node ids of the tracks in those groups: the only processors the worker builds. */
  tracks: number[];
  /** Memory per group (all groups, indexed like trackGroups()), `slots` slots each. */
  memory: SharedArrayBuffer[];
  slots: number;
  /** Control words (CTRL_*). */
  control: SharedArrayBuffer;
  /** This worker's index (its CTRL_PRODUCED word). */
  worker: number;
  /** Per node id, per insert: the latency of the main thread's processors (see CompileOptions.only). */
  latencies: number[][];
  /** The EQ designs the main thread made compiling the plan (biquad-design.ts eqDesignEntries): not redone here. */
  eqDesigns: [string, Float64Array][];
}

export interface WorkerWarning { code: string; message: string }

/**
 * Opens one reader per plan source in `wanted` (null elsewhere), resampled to `sampleRate` and positioned at
 * the clip's trim-in point; `syncReads` for a worker thread (WavReaderOptions.syncReads). On failure closes
 * what it opened and rethrows.
 */
export async function openClipReaders(plan: RenderPlan, wanted: (s: number) => boolean, sampleRate: number, strict: boolean, syncReads = false): Promise<(AudioReader | null)[]> {
  // openAudio hands its options to the WAV reader (other formats ignore chunkBytes and syncReads).
  const opts: OpenAudioOptions & WavReaderOptions = { strict, chunkBytes: MIX_READ_CHUNK_BYTES, syncReads };
  return settleInOrder(plan.sources, OPEN_CONCURRENCY, async (src, s) => {
    if (!wanted(s)) return null;
    const r = await resampleReader(await openAudio(src.file, opts), sampleRate);
    try {
      for (let skip = src.trimInFrame; skip > 0;) {
        const b = await r.read(Math.min(skip, 65536));
        if (!b) break;
        skip -= b[0].length;
      }
    } catch (e) {
      await r.close();
      throw e;
    }
    return r;
  }, (r) => r?.close());
}

/** Stems opened at once (see settleInOrder). */
export const OPEN_CONCURRENCY = 8;

export async function closeReaders(readers: readonly (AudioReader | null)[]): Promise<void> {
  await Promise.all(readers.map((r) => r?.close()));
}

/** Reader warnings, prefixed with the file. */
export function readerWarnings(readers: readonly (AudioReader | null)[]): WorkerWarning[] {
  const out: WorkerWarning[] = [];
  for (const r of readers) if (r) for (const w of r.warnings) out.push({ code: w.code, message: `${r.path}: ${w.message}` });
  return out;
}

/** Per plan source: whether its reader yields integer PCM (never NaN/Inf; see MixRendererOptions.isFiniteSource). */
export function finiteSources(readers: readonly (AudioReader | null)[]): (source: number) => boolean {
  const finite = Uint8Array.from(readers, (r) => (r !== null && r.info.pcmBits !== null ? 1 : 0));
  return (s) => finite[s] === 1;
}

/** A SourcePull over sequential readers (see SourcePull). */
export function pullFrom(readers: readonly (AudioReader | null)[]): SourcePull {
  return (s, out, offset, frames) => {
    const r = readers[s]!;
    // The workers' blocking readers: no promise per clip and block.
    if (r.readIntoSync && out.length === r.info.channels) return r.readIntoSync(out, offset, frames);
    return pullAsync(r, out, offset, frames);
  };
}

/** Reads up to `frames` frames from `r` into `out` from `offset` on; resolves to the frames read. */
async function pullAsync(r: AudioReader, out: Float32Array[], offset: number, frames: number): Promise<number> {
  let got = 0;
  if (r.readInto && out.length === r.info.channels) {
    // Decoded straight into the clip buffers (no copy through the reader's own).
    while (got < frames) {
      const at = offset + got;
      const n = await r.readInto(out.map((c) => c.subarray(at)), frames - got);
      if (n === 0) break;
      got += n;
    }
    return got;
  }
  while (got < frames) {
    const b = await r.read(frames - got);
    if (!b) break;
    const n = b[0].length;
    for (let c = 0; c < out.length; c++) out[c].set(b[c], offset + got);
    got += n;
  }
  return got;
}

interface Pending { resolve: (v: unknown) => void; reject: (e: Error) => void }

/** Control words (Int32Array over a SharedArrayBuffer): blocks the main thread has released, abort flag, then blocks produced per worker. */
export const CTRL_CONSUMED = 0;
export const CTRL_ABORT = 1;
export const CTRL_PRODUCED = 2;

/**
 * `count` mix workers ahead of MixWorkerPool.start(), so that their start-up (a Node isolate and our
 * modules: ≈ 0.1-0.2 s) overlaps the main thread's compiling of the plan: the ones prewarmMixWorkers()
 * started (mix-prewarm.ts), then new ones. They wait for their work.
 */
export function spawnMixWorkers(count: number): Worker[] {
  return takeMixWorkers(count);
}

type AsyncWait = (a: Int32Array, i: number, v: number, t: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: AsyncWait }).waitAsync;

/**
 * Worker threads rendering the track groups of one plan, ahead of the main thread: each renders the blocks
 * of renderBlocks(plan) into a ring of `slots` group-memory slots and waits only when the ring is full, so
 * a busy machine's scheduling delays do not stall every block (one message round trip per block would).
 */
export class MixWorkerPool {
  private readonly pending: (Pending | null)[];
  private failure: Error | null = null;
  private readonly ctrl: Int32Array;
  private block = 0;
  private schedule: Generator<[number, number]> | null = null;

  private constructor(private readonly workers: Worker[], readonly memory: SharedArrayBuffer[], readonly slots: number, control: SharedArrayBuffer) {
    this.ctrl = new Int32Array(control);
    this.pending = workers.map(() => null);
    workers.forEach((w, k) => {
      w.on('message', (m: { type: string; message?: string; name?: string; file?: string; code?: string }) => {
        if (m.type === 'finished') return;
        if (m.type === 'error') {
          // A stem problem stays an AudioFileError (the CLI names the file); anything else is a plain Error.
          let e: Error;
          if (m.name === 'AudioFileError' && m.file !== undefined) e = new AudioFileError(m.file, m.message ?? '', m.code);
          else { e = new Error(m.message); e.name = m.name ?? 'Error'; }
          this.fail(e);
          return;
        }
        const p = this.pending[k];
        this.pending[k] = null;
        p?.resolve(m);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => { if (this.pending[k] || this.block >= 0) this.fail(new Error(`mix worker exited (code ${code})`)); });
    });
  }

  /**
   * Starts `threads` workers (at most one per group), hands out the groups round-robin, waits until each has
   * compiled the plan and opened its readers, and sets them rendering.
   */
  static async start(init: Omit<MixWorkerInit, 'groups' | 'tracks' | 'memory' | 'slots' | 'control' | 'worker' | 'latencies' | 'eqDesigns'>, groups: readonly TrackGroup[], threads: number, plan: RenderPlan, booting: Worker[] = []): Promise<MixWorkerPool> {
    // About half a second of audio in flight: enough to ride out scheduling delays, small in memory.
    const slots = Math.max(2, Math.ceil(init.sampleRate / 2 / init.blockFrames));
    const memory = groups.map((g) => new SharedArrayBuffer(slots * groupMemoryBytes(g, init.blockFrames)));
    const count = Math.max(1, Math.min(threads, groups.length));
    const control = new SharedArrayBuffer(4 * (CTRL_PRODUCED + count));
    const own: number[][] = Array.from({ length: count }, () => []);
    groups.forEach((_, g) => own[g % count].push(g));
    const latencies: number[][] = [];
    for (const n of plan.nodes) latencies[n.id] = n.inserts.map((p) => p.latencyFrames);
    // Workers started ahead (spawnMixWorkers, at most `threads`) are used first.
    const workers = own.map((_, k) => booting[k] ?? takeMixWorkers(1)[0]);
    const pool = new MixWorkerPool(workers, memory, slots, control);
    const eqDesigns = eqDesignEntries();
    try {
      await pool.all((k) => ({ type: 'init', init: { ...init, groups: own[k], tracks: own[k].flatMap((g) => groups[g].tracks), memory, slots, control, worker: k, latencies, eqDesigns } satisfies MixWorkerInit }));
    } catch (e) {
      await pool.terminate();
      throw e;
    }
    pool.schedule = renderBlocks(plan);
    for (const w of workers) w.postMessage({ type: 'start' });
    return pool;
  }

  /** Number of worker threads. */
  get threads(): number {
    return this.workers.length;
  }

  /** Waits until every worker has rendered render frames [r, r+n) (the next block); resolves to its slot. */
  async render(r: number, n: number): Promise<number> {
    const next = this.schedule!.next();
    if (next.done || next.value[0] !== r || next.value[1] !== n) throw new Error(`mix workers out of step at frame ${r}`);
    const b = this.block;
    const ctrl = this.ctrl;
    for (let k = 0; k < this.workers.length; k++) {
      for (;;) {
        if (this.failure) throw this.failure;
        const v = Atomics.load(ctrl, CTRL_PRODUCED + k);
        if (v > b) break;
        const w = waitAsync(ctrl, CTRL_PRODUCED + k, v, 1000);
        if (w.async) await w.value;
      }
    }
    return b % this.slots;
  }

  /** The main thread is done with the last block's slot. */
  release(): void {
    this.block++;
    Atomics.store(this.ctrl, CTRL_CONSUMED, this.block);
    Atomics.notify(this.ctrl, CTRL_CONSUMED);
  }

  /** Closes the workers' readers; returns what they counted. The workers exit. */
  async close(): Promise<{ nonFiniteSamples: number; warnings: WorkerWarning[] }> {
    const res = (await this.all(() => ({ type: 'close' }))) as { nonFiniteSamples: number; warnings: WorkerWarning[] }[];
    await this.terminate();
    return { nonFiniteSamples: res.reduce((a, m) => a + m.nonFiniteSamples, 0), warnings: res.flatMap((m) => m.warnings) };
  }

  /** Stops every worker now (also after a failure). */
  async terminate(): Promise<void> {
    this.block = -1;
    Atomics.store(this.ctrl, CTRL_ABORT, 1);
    Atomics.notify(this.ctrl, CTRL_CONSUMED);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (let k = 0; k < this.pending.length; k++) {
      const p = this.pending[k];
      this.pending[k] = null;
      p?.reject(this.failure);
      Atomics.notify(this.ctrl, CTRL_PRODUCED + k);
    }
  }

  private all(msg: (k: number) => unknown): Promise<unknown[]> {
    if (this.failure) return Promise.reject(this.failure);
    return Promise.all(this.workers.map((w, k) => new Promise((resolve, reject) => {
      this.pending[k] = { resolve, reject };
      w.postMessage(msg(k));
    })));
  }
}
