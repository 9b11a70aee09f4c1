/**
 * A processor chain split over two threads: a worker runs the first inserts, this thread the rest, block
 * after block, like two stations of an assembly line. On a 2-core machine a mastering chain (EQ, multiband,
 * imager, true-peak limiter) then runs at up to twice the speed of one thread, which no single-insert
 * optimisation can give.
 *
 * Transport: two SharedArrayBuffer rings of `slots` planar Float32 blocks, A (input, this thread → worker)
 * and B (after the first stage, worker → this thread), and Int32 control words (see CTRL). The worker
 * blocks in Atomics.wait; this thread waits with Atomics.waitAsync, so its file read-ahead keeps running.
 * Memory: 2 · slots · channels · blockFrames · 4 bytes (1 MiB for stereo by default), whatever the file length.
 *
 * Exactness: each stage sees the same blocks, in the same order and sizes, as in a single ProcessorChain,
 * and processors are deterministic, so the output is bit for bit that of the one-thread path (tested).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createInsert, type InsertSpec } from '../core/dsp/insert-catalog.js';
import { ProcessorChain } from '../core/dsp/processor-chain.js';
import type { ProcessSpec } from '../core/dsp/processor.js';

/** Control word indices. */
export const CTRL = {
  /** Blocks published into ring A (END_FLAG set once the input is over). */
  pubA: 0,
  /** Blocks of ring A the worker has finished. */
  consA: 1,
  /** Blocks published into ring B (END_FLAG set once the worker is done). */
  pubB: 2,
  /** Blocks of ring B this thread has finished. */
  consB: 3,
  /** frames of slot s of ring A at framesA + s, of ring B at framesA + slots + s. */
  framesA: 4,
} as const;
export const END_FLAG = 0x40000000;
export const COUNT_MASK = 0x3fffffff;

/** What the worker gets (workerData). */
export interface ChainWorkerData {
  inserts: InsertSpec[];
  spec: ProcessSpec;
  slots: number;
  ringA: SharedArrayBuffer;
  ringB: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

/**
 * Rough cost of each insert type, ns per channel-sample at 48 kHz (the `npm run bench` dsp figures,
 * rounded): only used to choose where to cut the chain, so the two stages take about equal time.
 */
const COST_NS: Record<string, number> = {
  eq: 5, // per band
  compressor: 10, multiband: 40, limiter: 40, gate: 15, deesser: 30, saturator: 120, reverb: 80,
  delay: 10, imager: 7, dither: 5,
};
/** Cost of anything not in COST_NS (gain, pan, polarity, align). */
const DEFAULT_COST_NS = 3;
/** This thread's own work per channel-sample besides its stage: reading, writing, NaN scrub. */
const IO_COST_NS = 12;
/** Pipelining must cut the critical path by at least this fraction to repay a worker's start-up. */
const MIN_GAIN = 0.25;
/**
 * Ring depth in blocks (16 × 4096 frames ≈ 1.4 s of audio; 1 MiB for both stereo rings): deep enough that
 * neither station stalls on the other's start-up, garbage collection or a write to disk (measured on the
 * bench's mastering chain: 2.51 s with 16 slots against 2.89 s with 4).
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
 * Where to cut the chain: the first `cut` inserts go to the worker. 0 when one thread is as good (a short
 * or cheap chain): the cut must shorten the critical path (the slower of the two stations) by MIN_GAIN.
 * @param extraMainNs further per-sample work on this thread (analysis of input and output)
 */
export function planChainSplit(inserts: readonly InsertSpec[], extraMainNs = 0): number {
  const costs = inserts.map(insertCost);
  const total = costs.reduce((a, b) => a + b, 0);
  const single = total + IO_COST_NS + extraMainNs;
  let best = 0;
  let bestPath = single;
  let first = 0;
  for (let cut = 1; cut < inserts.length + 1; cut++) {
    first += costs[cut - 1];
    const path = Math.max(first, total - first + IO_COST_NS + extraMainNs);
    if (path < bestPath) {
      bestPath = path;
      best = cut;
    }
  }
  return bestPath <= single * (1 - MIN_GAIN) ? best : 0;
}

/** True when this machine has a core to spare for a pipeline stage. */
export function canPipeline(): boolean {
  return availableParallelism() >= 2 && typeof (Atomics as unknown as { waitAsync?: unknown }).waitAsync === 'function';
}

type AsyncWait = (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: AsyncWait }).waitAsync;

/** Starts the worker on the entry module: the compiled .js, or the .ts source through tsx (tests run sources). */
function spawnWorker(data: ChainWorkerData): Worker {
  const here = import.meta.url;
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  if (here.endsWith('.ts')) {
    const entry = new URL('./chain-worker-entry.ts', here).href;
    return new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`,
      { eval: true, execArgv, workerData: data });
  }
  return new Worker(new URL('./chain-worker-entry.js', here), { execArgv, workerData: data });
}

/**
 * The two-station chain. Set onOutput, push() each input block, then finish(); every output block of the
 * second stage goes to onOutput in order. Latency is that of the whole chain, as
 * for a ProcessorChain of the same inserts.
 */
export class ChainPipeline {
  readonly latencyFrames: number;
  /** Receives every output block of the second stage, in order (views valid until it returns). */
  onOutput: (views: Float32Array[], frames: number) => Promise<void> | void = () => {
    throw new Error('ChainPipeline: onOutput not set');
  };
  private readonly worker: Worker;
  private readonly second: ProcessorChain;
  private readonly ctrl: Int32Array;
  private readonly slots: number;
  private readonly channels: number;
  private readonly viewsA: Float32Array[][] = [];
  private readonly viewsB: Float32Array[][] = [];
  private readonly out: Float32Array[];
  private readonly failure: Promise<never>;
  private readonly exited: Promise<void>;
  private failed: Error | null = null;
  private published = 0;
  private drained = 0;

  /**
   * @param inserts the whole chain; the first `cut` run in the worker (1 ≤ cut ≤ inserts.length)
   * @throws what createInsert throws for a bad insert (validated chains do not)
   */
  constructor(inserts: readonly InsertSpec[], cut: number, spec: ProcessSpec, slots = DEFAULT_SLOTS) {
    const { channels, maxBlockFrames: block } = spec;
    this.slots = slots;
    this.channels = channels;
    const first = new ProcessorChain(inserts.slice(0, cut).map((s) => createInsert(s, spec)));
    this.second = new ProcessorChain(inserts.slice(cut).map((s) => createInsert(s, spec)));
    this.latencyFrames = first.latencyFrames + this.second.latencyFrames;
    const bytes = slots * channels * block * 4;
    const ringA = new SharedArrayBuffer(bytes);
    const ringB = new SharedArrayBuffer(bytes);
    const control = new SharedArrayBuffer((CTRL.framesA + 2 * slots) * 4);
    this.ctrl = new Int32Array(control);
    for (let s = 0; s < slots; s++) {
      const a: Float32Array[] = [];
      const b: Float32Array[] = [];
      for (let c = 0; c < channels; c++) {
        a.push(new Float32Array(ringA, (s * channels + c) * block * 4, block));
        b.push(new Float32Array(ringB, (s * channels + c) * block * 4, block));
      }
      this.viewsA.push(a);
      this.viewsB.push(b);
    }
    this.out = Array.from({ length: channels }, () => new Float32Array(block));
    this.worker = spawnWorker({ inserts: inserts.slice(0, cut), spec, slots, ringA, ringB, control });
    let fail: (e: Error) => void = () => {};
    this.failure = new Promise<never>((_, reject) => { fail = reject; });
    this.failure.catch(() => {});
    const onError = (e: Error): void => {
      if (this.failed) return;
      this.failed = e;
      fail(e);
    };
    this.worker.once('error', onError);
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        if (code !== 0) onError(new Error(`chain worker exited with code ${code}`));
        resolve();
      });
    });
  }

  /** Sends one input block (≤ maxBlockFrames) down the line, handing on whatever output is ready. */
  async push(block: readonly Float32Array[], frames: number): Promise<void> {
    const ctrl = this.ctrl;
    for (;;) {
      const consumed = Atomics.load(ctrl, CTRL.consA);
      if (this.published - consumed < this.slots) break;
      if (await this.drainReady()) continue;
      const r = waitAsync(ctrl, CTRL.consA, consumed);
      if (r.async) await Promise.race([r.value, this.failure]);
    }
    const s = this.published % this.slots;
    const views = this.viewsA[s];
    for (let c = 0; c < this.channels; c++) views[c].set(block[c].subarray(0, frames));
    ctrl[CTRL.framesA + s] = frames;
    this.published++;
    Atomics.store(ctrl, CTRL.pubA, this.published);
    Atomics.notify(ctrl, CTRL.pubA);
    await this.drainReady();
  }

  /** Ends the input and hands on every remaining output block. */
  async finish(): Promise<void> {
    const ctrl = this.ctrl;
    Atomics.store(ctrl, CTRL.pubA, this.published | END_FLAG);
    Atomics.notify(ctrl, CTRL.pubA);
    for (;;) {
      const pub = Atomics.load(ctrl, CTRL.pubB);
      if (await this.drainReady()) continue;
      if ((pub & END_FLAG) !== 0 && this.drained >= (pub & COUNT_MASK)) break;
      const r = waitAsync(ctrl, CTRL.pubB, pub);
      if (r.async) await Promise.race([r.value, this.failure]);
    }
    await Promise.race([this.exited, this.failure]);
    if (this.failed) throw this.failed;
  }

  /** Stops the worker (after an error on this side). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  /** Runs the second stage on every block the worker has finished; true if there was any. */
  private async drainReady(): Promise<boolean> {
    if (this.failed) throw this.failed;
    const ctrl = this.ctrl;
    const available = Atomics.load(ctrl, CTRL.pubB) & COUNT_MASK;
    if (available <= this.drained) return false;
    while (this.drained < available) {
      const s = this.drained % this.slots;
      const n = ctrl[CTRL.framesA + this.slots + s];
      this.second.process(this.viewsB[s], this.out, n);
      this.drained++;
      Atomics.store(ctrl, CTRL.consB, this.drained);
      Atomics.notify(ctrl, CTRL.consB);
      await this.onOutput(this.out, n);
    }
    return true;
  }
}
