/**
 * Parallel analysis: the 8x true-peak meter costs about as much as everything else in the analysis
 * together (loudness, stats, spectrum, decoding), and its channels are independent, so it runs in worker
 * threads (analysis-worker.ts) while the reading thread does the rest (but the spectrum's FFTs: below).
 *
 * Transport: one SharedArrayBuffer ring of `slots` blocks, planar Float32: slot s, channel c holds the
 * meter's history (the T − 1 samples before the block) and then the block, at
 * ((s·channels + c)·(history + blockFrames)). An Int32 control word array:
 *  - published: blocks written so far, with END_FLAG set once the stream is over (one word, so a worker
 *    that waits on it can never miss the end);
 *  - frames[s]: frames in slot s; seq[s]: the block's index in the stream;
 *  - consumed[w]: blocks worker w has finished; a slot is free again once every worker has consumed it.
 * Zero copy: a reader can decode straight into the next slot (freeBlock() or nextBlock(), then publish()).
 * Work sharing (push()): when the ring is full (the workers are behind), the reading thread meters the
 * block itself instead of waiting, so neither thread idles while the other works, whatever the material (the
 * true peak is dearer on loud masters, the rest on quiet material) and the core count. A meter that gets
 * a block not contiguous with its previous one restarts from the block's history, so every output of
 * the stream is computed exactly as by one TruePeakMeter, and the peaks are bit for bit the same.
 * Memory: slots · channels · (blockFrames + T − 1) · 4 bytes (≈ 1 MiB per slot for 65 536 stereo
 * frames), whatever the file length.
 *
 * Spectrum (spectrumSize): worker 0 also analyses the long-term spectrum's windows, the reading thread's
 * other dear part (FFTs), from a second queue of whole windows (SPECTRUM_QUEUE_BYTES). It takes them
 * between blocks, in queue order, so the power sums are those of one LongTermSpectrum bit for bit. Every
 * window goes through the queue (the reading thread never analyses one itself: that would change the
 * order of the sums); when the queue is full the reading thread keeps copies and queues them as room frees
 * up (flushSpectrum()). The workers sleep on one word (wake) that every kind of news bumps.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { TruePeakMeter } from '../core/analysis/true-peak-meter.js';
import type { SpectrumSums } from '../core/analysis/spectrum.js';
import { startWorker, workerBootstrap } from './module-worker.js';

/** Indices and bits of the control array. */
export const RING = {
  published: 0,
  /** published & countMask = blocks written. */
  countMask: 0x3fffffff,
  /** Set in `published` when no more blocks will come. */
  endFlag: 0x40000000,
  /**
   * Bumped (and notified) by the reading thread whenever there is something new for the workers (a
   * block, a spectrum window, the end): the one word they sleep on, so no wake-up is lost.
   */
  wake: 1,
  /** Spectrum windows queued by the reading thread, and analysed by worker 0. */
  spectrumQueued: 2,
  spectrumDone: 3,
  /** frames[s] at framesBase + s, seq[s] at framesBase + slots + s; consumed[w] at framesBase + 2·slots + w. */
  framesBase: 4,
} as const;

/** Index of seq[s] in the control array. */
export function seqIndex(slots: number, s: number): number {
  return RING.framesBase + slots + s;
}

/** Index of consumed[w] in the control array. */
export function consumedIndex(slots: number, w: number): number {
  return RING.framesBase + 2 * slots + w;
}

/** What a worker gets (workerData). */
export interface TruePeakWorkerData {
  samples: SharedArrayBuffer;
  control: SharedArrayBuffer;
  slots: number;
  channels: number;
  blockFrames: number;
  /** Samples of meter history before each block in a slot (TruePeakMeter.historyFrames). */
  historyFrames: number;
  sampleRate: number;
  firstChannel: number;
  channelCount: number;
  workerIndex: number;
  /**
   * The spectrum's window queue (worker 0 only, else null): `slots` windows of `size` frames per channel,
   * window q's channel c at ((q·channels + c)·size) floats.
   */
  spectrum: { samples: SharedArrayBuffer; slots: number; size: number } | null;
}

/** What a worker posts at the end: its channels' peaks (TruePeakMeter.peaks(false)) and, from worker 0 with a queue, the spectrum. */
export interface WorkerResult {
  peaks: Float64Array;
  spectrum: SpectrumSums | null;
}

/** Options of ParallelTruePeak.start(). */
export interface ParallelTruePeakOptions {
  /** Hz. */
  sampleRate: number;
  channels: number;
  /** Largest block push() will get, frames. */
  blockFrames: number;
  /** Worker threads (≥ 1; at most one per channel). */
  workers: number;
  /** Ring depth in blocks (default 4): absorbs the jitter between the reading thread and the workers. */
  slots?: number;
  /** Meter a block on the reading thread when the ring is full, instead of waiting (default true). */
  shareWork?: boolean;
  /**
   * FFT size of the Analyzer's long-term spectrum (spectrumFftSize) to analyse in worker 0 as well:
   * queueSpectrum() is then the Analyzer's spectrum sink, and spectrumResult() its result. Absent: no
   * spectrum here.
   */
  spectrumSize?: number;
}

/** Bytes of the spectrum window queue (at least 4 windows): about a hundred ms of reading ahead of the worker. */
const SPECTRUM_QUEUE_BYTES = 4 << 20;

/** Atomics.waitAsync (ES2024, Node ≥ 16) is missing from the ES2022 lib typings. */
type WaitAsync = (ta: Int32Array, index: number, value: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** The analysis worker's bootstrap (module-worker.ts), null when workers cannot run here. */
function workerEntry(): string | null {
  if (typeof waitAsync !== 'function') return null;
  return workerBootstrap(import.meta.url, 'analysis-worker');
}

/**
 * Worker threads worth using for the true peak of a stream: 0 (meter on this thread) when the stream is
 * too short to repay a worker's start-up (≈ 30-50 ms of CPU: below MIN_PARALLEL_SAMPLES), when there is
 * a single core, or when the worker entry cannot be loaded; else one per channel up to the spare cores.
 * @param frames frames of the stream, null when unknown (treated as long)
 * @param minSamples samples (frames × channels) from which workers pay: MIN_PARALLEL_SAMPLES for a process's
 *   first stream, MIN_PARALLEL_SAMPLES_WARM for the next ones
 */
export function truePeakWorkerCount(channels: number, frames: number | null, minSamples = MIN_PARALLEL_SAMPLES): number {
  if (frames !== null && frames * channels < minSamples) return 0;
  const spare = availableParallelism() - 1;
  if (spare < 1 || workerEntry() === null) return 0;
  return Math.max(1, Math.min(channels, spare, MAX_WORKERS));
}

/**
 * Samples (frames × channels) from which a worker pays off: 10 s of stereo. A worker costs its start-up
 * (isolate, modules, filter design: ≈ 40 ms on an idle core, measured as the round trip of an empty
 * stream) on the other core; the reading thread saves the true peak, ≈ 1 ms per second of stereo
 * once optimized and several times that while still warming up. Below this the saving is within noise;
 * above it the true peak leaves the critical path (on a loaded machine there may be no idle core, and
 * the worker only adds its start-up: the reason for a threshold at all).
 */
export const MIN_PARALLEL_SAMPLES = 48000 * 2 * 10;
/**
 * The same for a stream after the first of a run (analyzeFiles' second file onwards): 5 minutes of stereo.
 * The first stream's workers start while the process is still loading (prewarmTruePeakWorker), and its
 * reading thread is cold; later, this thread is compiled and fast (≈ 1 ms per second of stereo for the
 * whole analysis), and a worker's start-up (≈ 80 ms measured here, on the critical path) is dearer than
 * the true peak it takes over. Median per file, 2 cores, in one warm process, worker vs this thread: 20 s
 * stereo 109 vs 33 ms, 60 s 121 vs 58, 4 min 238 vs 197, 5.5 min 259 vs 253, 22 min 787 vs 997.
 */
export const MIN_PARALLEL_SAMPLES_WARM = 48000 * 2 * 300;
/** More workers than this only add start-up cost (each channel is one sequential stream). */
const MAX_WORKERS = 8;
/** TruePeakMeter.historyFrames (taps − 1 of the meter's interpolator), carried before each block in the ring. */
const METER_HISTORY = 31;

/** A worker started before its stream is known (see prewarmTruePeakWorker); taken by the next ParallelTruePeak. */
let spareWorker: Worker | null = null;

/**
 * Starts one true-peak worker ahead of time, so its start-up (isolate, modules: tens of ms) overlaps the
 * caller's own (module loading, opening the file). The next ParallelTruePeak takes it; unused, it does
 * not keep the process alive. No-op on a single core or where workers cannot run.
 */
export function prewarmTruePeakWorker(): void {
  if (spareWorker || availableParallelism() < 2) return;
  const entry = workerEntry();
  if (!entry) return;
  spareWorker = startWorker(entry, { workerData: null });
  spareWorker.unref();
  // An unused spare that fails has nobody to tell; a taken one reports through its stream.
  spareWorker.on('error', () => { spareWorker = null; });
}

/** The prewarmed worker, handed its stream, or a new one. */
function takeWorker(entry: string, data: TruePeakWorkerData): Worker {
  const spare = spareWorker;
  if (spare) {
    spareWorker = null;
    spare.ref();
    spare.postMessage(data);
    return spare;
  }
  return startWorker(entry, { workerData: data });
}

/** True-peak meter of a stream, run in worker threads; bit-identical to TruePeakMeter on this thread. */
export class ParallelTruePeak {
  /** Bytes of the sample ring: slots · channels · blockFrames · 4, fixed whatever the stream length. */
  readonly ringBytes: number;
  private readonly workers: Worker[] = [];
  private readonly ctrl: Int32Array;
  /** Per slot, per channel: views of [history, block] in the ring, and of the block alone. */
  private readonly slotViews: Float32Array[][] = [];
  private readonly blockViews: Float32Array[][] = [];
  private readonly slots: number;
  private readonly channels: number;
  private readonly blockFrames: number;
  private readonly history: number;
  private readonly consumedBase: number;
  private readonly shareWork: boolean;
  private readonly sampleRate: number;
  /** The last `history` samples of the stream so far, per channel (zeros before the start). */
  private readonly tail: Float32Array[] = [];
  /** Meter of the blocks this thread takes itself (made at the first one), and the last block it took. */
  private local: TruePeakMeter | null = null;
  private localLast = -1;
  /** Blocks pushed (published or metered here): the next block's index in the stream. */
  private seq = 0;
  /** Blocks metered on this thread (for tests and tuning). */
  localBlocks = 0;
  private readonly results: Promise<WorkerResult[]>;
  /** The spectrum window queue (see TruePeakWorkerData.spectrum), null without one. */
  private readonly spectrum: { views: Float32Array[][]; slots: number } | null;
  /** Windows queued; windows waiting for room (copies), in order, ahead of any new one. */
  private spectrumQueued = 0;
  private readonly spectrumOverflow: Float32Array[][] = [];
  private spectrumOut: SpectrumSums | null = null;
  /** Rejects when a worker fails; raced against every wait so a dead worker never hangs the reader. */
  private readonly failure: Promise<never>;
  private published = 0;
  private ended = false;

  private constructor(opts: ParallelTruePeakOptions, entry: string) {
    const slots = opts.slots ?? 4;
    const { channels, blockFrames } = opts;
    const nWorkers = Math.max(1, Math.min(opts.workers, channels));
    const history = METER_HISTORY;
    this.slots = slots;
    this.channels = channels;
    this.blockFrames = blockFrames;
    this.history = history;
    this.shareWork = opts.shareWork ?? true;
    this.sampleRate = opts.sampleRate;
    this.consumedBase = consumedIndex(slots, 0);
    const stride = history + blockFrames;
    this.ringBytes = slots * channels * stride * 4;
    const samples = new SharedArrayBuffer(this.ringBytes);
    const control = new SharedArrayBuffer((this.consumedBase + nWorkers) * 4);
    this.ctrl = new Int32Array(control);
    for (let s = 0; s < slots; s++) {
      const views: Float32Array[] = [];
      const blocks: Float32Array[] = [];
      for (let c = 0; c < channels; c++) {
        const at = (s * channels + c) * stride * 4;
        views.push(new Float32Array(samples, at, stride));
        blocks.push(new Float32Array(samples, at + history * 4, blockFrames));
      }
      this.slotViews.push(views);
      this.blockViews.push(blocks);
    }
    for (let c = 0; c < channels; c++) this.tail.push(new Float32Array(history));
    let spectrumData: TruePeakWorkerData['spectrum'] = null;
    this.spectrum = null;
    if (opts.spectrumSize !== undefined) {
      const size = opts.spectrumSize;
      const qSlots = Math.max(4, Math.floor(SPECTRUM_QUEUE_BYTES / (size * channels * 4)));
      const q = new SharedArrayBuffer(qSlots * channels * size * 4);
      const views: Float32Array[][] = [];
      for (let w = 0; w < qSlots; w++) views.push(Array.from({ length: channels }, (_, c) => new Float32Array(q, (w * channels + c) * size * 4, size)));
      this.spectrum = { views, slots: qSlots };
      spectrumData = { samples: q, slots: qSlots, size };
    }
    let fail: (err: Error) => void = () => {};
    this.failure = new Promise<never>((_, reject) => { fail = reject; });
    // Nobody may be awaiting when a worker fails; the rejection is seen at the next wait or at finish().
    this.failure.catch(() => {});
    const results: Promise<WorkerResult>[] = [];
    for (let w = 0; w < nWorkers; w++) {
      // Channels split as evenly as possible, in order.
      const first = Math.floor((w * channels) / nWorkers);
      const last = Math.floor(((w + 1) * channels) / nWorkers);
      const data: TruePeakWorkerData = {
        samples, control, slots, channels, blockFrames, historyFrames: history, sampleRate: opts.sampleRate,
        firstChannel: first, channelCount: last - first, workerIndex: w, spectrum: w === 0 ? spectrumData : null,
      };
      const worker = takeWorker(entry, data);
      this.workers.push(worker);
      results.push(new Promise<WorkerResult>((resolve, reject) => {
        let done = false;
        const onError = (err: Error): void => {
          if (done) return;
          done = true;
          reject(err);
          fail(err);
        };
        worker.once('message', (r: WorkerResult) => {
          done = true;
          resolve(r);
        });
        worker.once('error', onError);
        worker.once('exit', (code) => onError(new Error(`true-peak worker exited (code ${code}) before its result`)));
      }));
    }
    this.results = Promise.all(results);
    this.results.catch(() => {});
  }

  /**
   * Starts the workers, or returns null when they cannot run here (no worker entry, no Atomics.waitAsync).
   * @throws whatever `new Worker` throws for a bad environment
   */
  static start(opts: ParallelTruePeakOptions): ParallelTruePeak | null {
    const entry = workerEntry();
    return entry ? new ParallelTruePeak(opts, entry) : null;
  }

  /**
   * Copies a block into the next free slot (waiting for one) and publishes it; or, sharing work with
   * the ring full, meters it here.
   * @param channels one Float32Array per channel (finite samples: what Analyzer.push returned)
   * @param frames ≤ blockFrames
   */
  async push(channels: readonly Float32Array[], frames: number): Promise<void> {
    if (frames <= 0) return;
    this.checkFrames(frames);
    if (this.shareWork && !this.slotFree()) {
      this.meterHere(channels, frames, this.seq++);
      this.advanceTail(channels, frames);
      return;
    }
    await this.nextBlock();
    this.publish(channels, frames);
  }

  /**
   * The next slot's block views when it is free now (as nextBlock()), else null: the caller then reads
   * into buffers of its own and push()es the block, which meters it here when sharing work.
   */
  freeBlock(): readonly Float32Array[] | null {
    return this.slotFree() ? this.blockViews[this.published % this.slots] : null;
  }

  /**
   * Waits for the next free slot and returns its block views (blockFrames long, one per channel): a
   * reader may decode straight into them, then publish() the block. Valid until that publish().
   */
  async nextBlock(): Promise<readonly Float32Array[]> {
    await this.waitForSlot();
    return this.blockViews[this.published % this.slots];
  }

  /**
   * Publishes the next block, after nextBlock() said its slot is free. `channels` may be views of that
   * slot's block (nothing is copied) or any other arrays (copied in).
   * @param channels the block as measured (finite samples: what Analyzer.push returned)
   */
  publish(channels: readonly Float32Array[], frames: number): void {
    if (frames <= 0) return;
    this.checkFrames(frames);
    const s = this.published % this.slots;
    const views = this.slotViews[s];
    const blocks = this.blockViews[s];
    for (let c = 0; c < this.channels; c++) {
      const x = channels[c];
      views[c].set(this.tail[c]);
      const inSlot = x.buffer === blocks[c].buffer && x.byteOffset === blocks[c].byteOffset;
      if (!inSlot) blocks[c].set(x.length === frames ? x : x.subarray(0, frames));
    }
    this.ctrl[RING.framesBase + s] = frames;
    this.ctrl[seqIndex(this.slots, s)] = this.seq++;
    this.published++;
    // The atomic store orders the copies, frames[s] and seq[s] before the count the workers read.
    Atomics.store(this.ctrl, RING.published, this.published);
    this.wakeWorkers();
    this.advanceTail(channels, frames);
  }

  private checkFrames(frames: number): void {
    if (frames > this.blockFrames) throw new RangeError(`ParallelTruePeak: block of ${frames} frames > ${this.blockFrames}`);
  }

  /** True when every worker has a free slot for the next block. */
  private slotFree(): boolean {
    for (let w = 0; w < this.workers.length; w++) {
      if (this.published - Atomics.load(this.ctrl, this.consumedBase + w) >= this.slots) return false;
    }
    return true;
  }

  /** Meters block `seq` on this thread, restarting from the stream's tail when it does not follow the last one here. */
  private meterHere(channels: readonly Float32Array[], frames: number, seq: number): void {
    const meter = this.localMeter();
    if (this.localLast !== seq - 1) meter.restart(this.tail, this.history);
    meter.push(channels, frames);
    this.localLast = seq;
    this.localBlocks++;
  }

  private localMeter(): TruePeakMeter {
    this.local ??= new TruePeakMeter({ sampleRate: this.sampleRate, channels: this.channels });
    return this.local;
  }

  /** Keeps the last `history` samples of the stream, for the next block's history and the final tail. */
  private advanceTail(channels: readonly Float32Array[], frames: number): void {
    const h = this.history;
    for (let c = 0; c < this.channels; c++) {
      const t = this.tail[c];
      const x = channels[c];
      if (frames >= h) {
        t.set(x.subarray(frames - h, frames));
      } else {
        t.copyWithin(0, frames);
        t.set(x.subarray(0, frames), h - frames);
      }
    }
  }

  /** Resolves once every worker has consumed the block in the slot that push() will fill next. */
  private async waitForSlot(): Promise<void> {
    for (let w = 0; w < this.workers.length; w++) {
      const index = this.consumedBase + w;
      for (;;) {
        const consumed = Atomics.load(this.ctrl, index);
        if (this.published - consumed < this.slots) break;
        const r = waitAsync(this.ctrl, index, consumed);
        if (r.async) await Promise.race([r.value, this.failure]);
      }
    }
  }

  /** Tells the workers there is something new (they sleep on RING.wake). */
  private wakeWorkers(): void {
    Atomics.add(this.ctrl, RING.wake, 1);
    Atomics.notify(this.ctrl, RING.wake);
  }

  /**
   * The Analyzer's spectrum sink (AnalyzerOptions.spectrumSink): copies the window into the queue for
   * worker 0, or, with the queue full, keeps a copy for flushSpectrum(). Order is kept either way.
   */
  queueSpectrum(buffers: readonly Float32Array[]): void {
    const q = this.spectrum;
    if (q === null) throw new Error('ParallelTruePeak: started without a spectrum queue');
    if (this.spectrumOverflow.length > 0 || this.spectrumQueued - Atomics.load(this.ctrl, RING.spectrumDone) >= q.slots) {
      this.spectrumOverflow.push(buffers.map((b) => b.slice()));
      return;
    }
    this.enqueue(buffers);
  }

  private enqueue(buffers: readonly Float32Array[]): void {
    const q = this.spectrum!;
    const views = q.views[this.spectrumQueued % q.slots];
    for (let c = 0; c < this.channels; c++) views[c].set(buffers[c]);
    this.spectrumQueued++;
    // The atomic store orders the copy before the count the worker reads.
    Atomics.store(this.ctrl, RING.spectrumQueued, this.spectrumQueued);
    this.wakeWorkers();
  }

  /** Whether queueSpectrum() kept windows that flushSpectrum() must queue. */
  get spectrumBacklog(): boolean {
    return this.spectrumOverflow.length > 0;
  }

  /** Waits for room and queues the windows kept by queueSpectrum() (none usually: returns at once). */
  async flushSpectrum(): Promise<void> {
    const q = this.spectrum;
    while (q !== null && this.spectrumOverflow.length > 0) {
      const done = Atomics.load(this.ctrl, RING.spectrumDone);
      if (this.spectrumQueued - done < q.slots) {
        this.enqueue(this.spectrumOverflow.shift()!);
        continue;
      }
      const r = waitAsync(this.ctrl, RING.spectrumDone, done);
      if (r.async) await Promise.race([r.value, this.failure]);
    }
  }

  /**
   * After finish(): worker 0's spectrum (SpectrumAccumulator power and window count) for
   * Analyzer.setSpectrum(), or null without a spectrum queue.
   */
  spectrumResult(): SpectrumSums | null {
    return this.spectrumOut;
  }

  /**
   * Ends the stream and returns the per-channel linear true peaks (TruePeakMeter.peaks(), tail included).
   * @throws the worker's error when one failed
   */
  async finish(): Promise<Float64Array> {
    if (!this.ended) {
      this.ended = true;
      // Every spectrum window is queued before the end: the worker drains the queue, then ends.
      await this.flushSpectrum();
      Atomics.store(this.ctrl, RING.published, this.published | RING.endFlag);
      this.wakeWorkers();
    }
    const parts = await this.results;
    const out = new Float64Array(this.channels);
    let c = 0;
    for (const p of parts) for (let i = 0; i < p.peaks.length; i++) out[c++] = p.peaks[i];
    this.spectrumOut = parts[0].spectrum;
    // The blocks metered here, and the tail: the filter's ringing after the stream's last samples.
    const meter = this.localMeter();
    meter.restart(this.tail, this.history);
    const here = meter.peaks(true);
    for (let i = 0; i < this.channels; i++) out[i] = Math.max(out[i], here[i]);
    return out;
  }

  /** Stops the workers (after an error on the reading side); finish() is then never called. */
  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
