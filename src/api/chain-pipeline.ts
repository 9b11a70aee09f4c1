/**
 * A processor chain split over threads, like the stations of an assembly line: workers run the first
 * inserts, one contiguous group each, and this thread the rest (plus reading and writing), block after
 * block. On a 2-core machine a mastering chain (EQ, multiband, imager, true-peak limiter) then runs much
 * faster than on one thread, which no single-insert optimisation can give.
 *
 * Transport: rings of `slots` planar Float32 blocks in SharedArrayBuffers: ring 0 from this thread to
 * worker 0, ring w from worker w − 1 to worker w, and the last ring back to this thread; per ring, Int32
 * control words (see ringWord). Workers block in Atomics.wait; this thread waits with Atomics.waitAsync,
 * so its file read-ahead keeps running. Memory: (workers + 1) · slots · channels · blockFrames · 4 bytes
 * (1 MiB per ring for stereo by default), whatever the file length.
 *
 * Exactness: each insert sees the same blocks, in the same order and sizes, as in a single ProcessorChain,
 * and processors are deterministic, so the output is bit for bit that of the one-thread path (tested).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { createInsert, type InsertSpec } from '../core/dsp/insert-catalog.js';
import { ProcessorChain } from '../core/dsp/processor-chain.js';
import type { ProcessSpec } from '../core/dsp/processor.js';
import { startWorker, workerBootstrap } from './module-worker.js';

/** Per ring: published blocks (END_FLAG once the stream is over), consumed blocks, then frames per slot. */
export const RING_PUB = 0;
export const RING_CONS = 1;
export const RING_FRAMES = 2;
export const END_FLAG = 0x40000000;
export const COUNT_MASK = 0x3fffffff;

/** Index of word `word` (RING_PUB, RING_CONS, RING_FRAMES + slot) of ring `ring` in the control array. */
export function ringWord(ring: number, slots: number, word: number): number {
  return ring * (RING_FRAMES + slots) + word;
}

/** What a worker gets (workerData): its inserts, and which rings it reads and writes. */
export interface ChainWorkerData {
  inserts: InsertSpec[];
  spec: ProcessSpec;
  slots: number;
  /** Ring index this worker reads; it writes ring + 1. */
  ring: number;
  ringIn: SharedArrayBuffer;
  ringOut: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

/**
 * Rough cost of each insert type, ns per channel-sample at 48 kHz (the `npm run bench` dsp figures,
 * rounded): only used to choose where to cut the chain, so the stations take about equal time.
 */
const COST_NS: Record<string, number> = {
  eq: 5, // per band
  compressor: 10, multiband: 60, limiter: 40, gate: 15, deesser: 30, saturator: 120, reverb: 80,
  delay: 10, imager: 7, dither: 5,
};
/** Cost of anything not in COST_NS (gain, pan, polarity, align). */
const DEFAULT_COST_NS = 3;
/** This thread's own work per channel-sample besides its stage: reading, writing, NaN scrub. */
const IO_COST_NS = 12;
/** Copying a block into and out of a ring, per channel-sample, per station boundary. */
const HANDOFF_NS = 1;
/** Pipelining must cut the estimated time by at least this fraction to repay the workers' start-up. */
const MIN_GAIN = 0.25;
/** At most this many worker stations (the chains this is for have a handful of dear inserts). */
const MAX_WORKERS = 2;
/**
 * Ring depth in blocks (16 × 4096 frames ≈ 1.4 s of audio; 1 MiB for a stereo ring): deep enough that no
 * station stalls on another's start-up, garbage collection or a write to disk (measured on the bench's
 * mastering chain: 2.51 s with 16 slots against 2.89 s with 4).
 */
const DEFAULT_SLOTS = 16;
/** Streams shorter than this (frames) stay on one thread: a worker's start-up (≈ 50 ms) would not pay. */
export const MIN_PIPELINE_FRAMES = 48000 * 10;

function insertCost(spec: InsertSpec): number {
  const base = COST_NS[spec.type] ?? DEFAULT_COST_NS;
  if (spec.type === 'eq') return base * (Array.isArray(spec.bands) ? Math.max(1, spec.bands.length) : 1);
  return base;
}

/**
 * Where to cut the chain: cuts[w] is the end (exclusive) of worker w's inserts, ascending; this thread
 * runs the inserts after the last cut. Empty when one thread is as good (a short or cheap chain). The
 * estimate of a plan's time per sample is the larger of its dearest station and its total work over the
 * cores (more stations than cores share them); a plan must beat one thread by MIN_GAIN.
 * @param extraMainNs further per-sample work on this thread (analysis of input and output)
 * @param cores cores available (default: this machine's)
 */
export function planChainSplit(inserts: readonly InsertSpec[], extraMainNs = 0, cores = availableParallelism()): number[] {
  const costs = inserts.map(insertCost);
  const prefix = [0];
  for (const c of costs) prefix.push(prefix[prefix.length - 1] + c);
  const n = inserts.length;
  const mainFixed = IO_COST_NS + extraMainNs;
  const single = prefix[n] + mainFixed;
  let best: number[] = [];
  let bestTime = single;
  let bestWorst = single;
  const consider = (cuts: number[]): void => {
    const bounds = [0, ...cuts, n];
    let worst = 0;
    let total = mainFixed + HANDOFF_NS * cuts.length;
    for (let s = 0; s + 1 < bounds.length; s++) {
      const work = prefix[bounds[s + 1]] - prefix[bounds[s]] + (s === bounds.length - 2 ? mainFixed : 0);
      worst = Math.max(worst, work);
      total += prefix[bounds[s + 1]] - prefix[bounds[s]];
    }
    const time = Math.max(worst, total / Math.max(1, cores));
    // Ties (the cores bound the time) go to the plan whose dearest station is cheapest.
    if (time < bestTime - 1e-9 || (time < bestTime + 1e-9 && worst < bestWorst - 1e-9)) {
      bestTime = time;
      bestWorst = worst;
      best = cuts;
    }
  };
  if (cores >= 2) {
    for (let a = 1; a <= n; a++) {
      consider([a]);
      if (MAX_WORKERS >= 2) for (let b = a + 1; b <= n; b++) consider([a, b]);
    }
  }
  return bestTime <= single * (1 - MIN_GAIN) ? best : [];
}

/** True when this machine has a core to spare for a pipeline station. */
export function canPipeline(): boolean {
  return availableParallelism() >= 2 && typeof (Atomics as unknown as { waitAsync?: unknown }).waitAsync === 'function';
}

type AsyncWait = (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: AsyncWait }).waitAsync;

/** Starts a worker on the entry module (module-worker.ts). */
function spawnWorker(data: ChainWorkerData): Worker {
  const entry = workerBootstrap(import.meta.url, 'chain-worker-entry');
  if (entry === null) throw new Error('the chain worker entry module is missing');
  return startWorker(entry, { workerData: data });
}

/** Planar views of every slot of a ring. */
export function ringViews(ring: SharedArrayBuffer, slots: number, channels: number, block: number): Float32Array[][] {
  return Array.from({ length: slots }, (_, s) =>
    Array.from({ length: channels }, (_, c) => new Float32Array(ring, (s * channels + c) * block * 4, block)));
}

/**
 * The chain as an assembly line. Set onOutput, push() each input block, then finish(); every output block
 * of the last station goes to onOutput in order. Latency is that of the whole chain, as for a
 * ProcessorChain of the same inserts.
 */
export class ChainPipeline {
  readonly latencyFrames: number;
  /** Worker stations. */
  readonly workerCount: number;
  /** Receives every output block of the last station, in order (views valid until it returns). */
  onOutput: (views: Float32Array[], frames: number) => Promise<void> | void = () => {
    throw new Error('ChainPipeline: onOutput not set');
  };
  private readonly workers: Worker[] = [];
  private readonly last: ProcessorChain;
  private readonly ctrl: Int32Array;
  private readonly slots: number;
  private readonly channels: number;
  private readonly first: Float32Array[][];
  private readonly back: Float32Array[][];
  /** Ring index of the ring coming back to this thread. */
  private readonly backRing: number;
  private readonly out: Float32Array[];
  private readonly failure: Promise<never>;
  private readonly exited: Promise<void>[] = [];
  private failed: Error | null = null;
  private published = 0;
  private drained = 0;

  /**
   * @param inserts the whole chain
   * @param cuts planChainSplit's cuts: worker w runs inserts [cuts[w − 1] ?? 0, cuts[w]), this thread the rest
   * @throws what createInsert throws for a bad insert (validated chains do not)
   */
  constructor(inserts: readonly InsertSpec[], cuts: readonly number[], spec: ProcessSpec, slots = DEFAULT_SLOTS) {
    if (cuts.length === 0) throw new RangeError('ChainPipeline: needs at least one cut');
    const { channels, maxBlockFrames: block } = spec;
    this.slots = slots;
    this.channels = channels;
    this.workerCount = cuts.length;
    const bounds = [0, ...cuts];
    let latency = 0;
    const stages: InsertSpec[][] = [];
    for (let w = 0; w < cuts.length; w++) stages.push(inserts.slice(bounds[w], bounds[w + 1]));
    // Latency of the worker stations, from processors built here only to ask (cheap next to the stream).
    for (const s of stages) latency += new ProcessorChain(s.map((i) => createInsert(i, spec))).latencyFrames;
    this.last = new ProcessorChain(inserts.slice(cuts[cuts.length - 1]).map((s) => createInsert(s, spec)));
    this.latencyFrames = latency + this.last.latencyFrames;
    const rings = Array.from({ length: cuts.length + 1 }, () => new SharedArrayBuffer(slots * channels * block * 4));
    const control = new SharedArrayBuffer(rings.length * (RING_FRAMES + slots) * 4);
    this.ctrl = new Int32Array(control);
    this.backRing = cuts.length;
    this.first = ringViews(rings[0], slots, channels, block);
    this.back = ringViews(rings[this.backRing], slots, channels, block);
    this.out = Array.from({ length: channels }, () => new Float32Array(block));
    let fail: (e: Error) => void = () => {};
    this.failure = new Promise<never>((_, reject) => { fail = reject; });
    this.failure.catch(() => {});
    const onError = (e: Error): void => {
      if (this.failed) return;
      this.failed = e;
      fail(e);
    };
    for (let w = 0; w < stages.length; w++) {
      const worker = spawnWorker({ inserts: stages[w], spec, slots, ring: w, ringIn: rings[w], ringOut: rings[w + 1], control });
      worker.once('error', onError);
      this.exited.push(new Promise((resolve) => {
        worker.once('exit', (code) => {
          if (code !== 0) onError(new Error(`chain worker exited with code ${code}`));
          resolve();
        });
      }));
      this.workers.push(worker);
    }
  }

  /** Sends one input block (≤ maxBlockFrames) down the line, handing on whatever output is ready. */
  async push(block: readonly Float32Array[], frames: number): Promise<void> {
    const ctrl = this.ctrl;
    const cons = ringWord(0, this.slots, RING_CONS);
    for (;;) {
      const consumed = Atomics.load(ctrl, cons);
      if (this.published - consumed < this.slots) break;
      if (await this.drainReady()) continue;
      const r = waitAsync(ctrl, cons, consumed);
      if (r.async) await Promise.race([r.value, this.failure]);
    }
    const s = this.published % this.slots;
    const views = this.first[s];
    for (let c = 0; c < this.channels; c++) views[c].set(block[c].subarray(0, frames));
    ctrl[ringWord(0, this.slots, RING_FRAMES + s)] = frames;
    this.published++;
    Atomics.store(ctrl, ringWord(0, this.slots, RING_PUB), this.published);
    Atomics.notify(ctrl, ringWord(0, this.slots, RING_PUB));
    await this.drainReady();
  }

  /** Ends the input and hands on every remaining output block. */
  async finish(): Promise<void> {
    const ctrl = this.ctrl;
    Atomics.store(ctrl, ringWord(0, this.slots, RING_PUB), this.published | END_FLAG);
    Atomics.notify(ctrl, ringWord(0, this.slots, RING_PUB));
    const pubBack = ringWord(this.backRing, this.slots, RING_PUB);
    for (;;) {
      const pub = Atomics.load(ctrl, pubBack);
      if (await this.drainReady()) continue;
      if ((pub & END_FLAG) !== 0 && this.drained >= (pub & COUNT_MASK)) break;
      const r = waitAsync(ctrl, pubBack, pub);
      if (r.async) await Promise.race([r.value, this.failure]);
    }
    await Promise.race([Promise.all(this.exited), this.failure]);
    if (this.failed) throw this.failed;
  }

  /** Stops the workers (after an error on this side). */
  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Runs this thread's station on every block the last worker has finished; true if there was any. */
  private async drainReady(): Promise<boolean> {
    if (this.failed) throw this.failed;
    const ctrl = this.ctrl;
    const r = this.backRing;
    const available = Atomics.load(ctrl, ringWord(r, this.slots, RING_PUB)) & COUNT_MASK;
    if (available <= this.drained) return false;
    while (this.drained < available) {
      const s = this.drained % this.slots;
      const n = ctrl[ringWord(r, this.slots, RING_FRAMES + s)];
      this.last.process(this.back[s], this.out, n);
      this.drained++;
      Atomics.store(ctrl, ringWord(r, this.slots, RING_CONS), this.drained);
      Atomics.notify(ctrl, ringWord(r, this.slots, RING_CONS));
      await this.onOutput(this.out, n);
    }
    return true;
  }
}
